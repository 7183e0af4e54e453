import { startServer, launchBrowser, newContext, navigates } from './support.mjs';
import { readFileSync } from 'node:fs';
const src = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');
const server = await startServer();
const browser = await launchBrowser();
try {
  const ctx = await newContext(browser, server.url);
  const page = await ctx.newPage();
  await navigates(page, () => page.goto('/'));
  let t = Date.now();
  await page.evaluate(src);
  console.log('inject', Date.now() - t); t = Date.now();
  for (let i = 0; i < 3; i++) {
    const r = await page.evaluate(async () => { const s = performance.now(); const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a','wcag2aa'] } }); return [performance.now() - s, r.violations.length]; });
    console.log('run', Date.now() - t, r); t = Date.now();
  }
  const r = await page.evaluate(async () => { const s = performance.now(); const r = await axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] } }); return [performance.now() - s]; });
  console.log('contrast', r);
  const r2 = await page.evaluate(async () => { const res = await axe.run(document, { performanceTimer: false, runOnly: { type: 'tag', values: ['wcag2a','wcag2aa'] } }); return 0; });
} finally { await browser.close(); await server.stop(); }
