import { startServer, launchBrowser, newContext, navigates } from './support.mjs';
import AxeBuilder from '@axe-core/playwright';
const server = await startServer();
const browser = await launchBrowser();
try {
  const ctx = await newContext(browser, server.url);
  const page = await ctx.newPage();
  let t = Date.now();
  await navigates(page, () => page.goto('/'));
  console.log('goto', Date.now() - t); t = Date.now();
  await page.setViewportSize({ width: 320, height: 800 });
  console.log('resize', Date.now() - t); t = Date.now();
  for (let i = 0; i < 3; i++) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a','wcag2aa']).setLegacyMode(true).analyze();
  console.log('axe', Date.now() - t, r.violations.length); t = Date.now();
  }
  await page.keyboard.press('Tab');
  console.log('tab', Date.now() - t); t = Date.now();
  await page.evaluate(() => 1);
  console.log('eval', Date.now() - t); t = Date.now();
} finally { await browser.close(); await server.stop(); }
