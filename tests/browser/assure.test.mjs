// Assure in a real browser, as the demo trust's security lead: the assessments list, this
// year's assessment with its scores and chart, a requirement with live figures, the
// evidence library, and a whole Cyber Essentials assessment started, answered and
// submitted with the keyboard alone. Every page is checked with axe-core at 320 and
// 1280 px.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  DEMO, PageAudit, checkErrorSummaryLinks, launchBrowser, navigates, newContext, signIn,
  startServer,
} from './support.mjs';

let server;
let browser;
const audit = new PageAudit();

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const path = (page) => new URL(page.url()).pathname;

/** Presses Tab until the focused element matches `selector` (keyboard only). */
async function tabTo(page, selector, limit = 400) {
  for (let i = 0; i < limit; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector} on ${page.url()}`);
}

/** Moves a focused radio group's selection with the arrow keys until `value` is chosen. */
async function arrowTo(page, value, limit = 10) {
  for (let i = 0; i < limit; i += 1) {
    if (await page.evaluate((v) => document.activeElement?.value === v && document.activeElement.checked, value)) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`the arrow keys never chose ${value}`);
}

test('a security lead works through assessments and evidence, and answers one with the keyboard alone', async () => {
  const context = await newContext(browser, server.url);
  const page = audit.watch(await context.newPage());
  await signIn(page, audit, DEMO.lead);
  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Assessments' }).click());
  const list = path(page);
  assert.match(list, /\/assessments$/);
  await audit.check(page, 'Assessments');

  // Starting with nothing chosen names both problems.
  await navigates(page, () => page.getByRole('button', { name: 'Start assessment' }).click());
  await checkErrorSummaryLinks(page, audit, 'Assessments, start submitted empty');
  await audit.check(page, 'Assessments, start submitted empty');

  // This year's CAF-aligned DSPT: scores, chart, sections.
  await page.goto(list);
  await navigates(page, () => page.getByRole('main').getByRole('link', { name: /CAF-aligned DSPT/ }).first().click());
  const main = page.getByRole('main');
  assert.match(await main.innerText(), /Compliance by section/);
  assert.equal(await page.locator('svg[role="img"]').count(), 1);
  await audit.check(page, 'Assessment (CAF-aligned DSPT, in progress)');
  const caf = path(page);

  // A requirement about training shows the trust's live figures.
  await page.goto(`${caf}/requirements/B6.b`);
  assert.match(await main.innerText(), /live figures/);
  await audit.check(page, 'Requirement with live figures and indicators');

  // The evidence library and one piece of evidence.
  await page.goto(list.replace(/assessments$/, 'evidence'));
  assert.match(await main.innerText(), /Expired/);
  await audit.check(page, 'Evidence library');
  await navigates(page, () => main.getByRole('link', { name: 'Information security policy' }).click());
  assert.match(await main.innerText(), /SHA-256/);
  await audit.check(page, 'Evidence: a file with its revisions');

  // Keyboard alone: start Cyber Essentials for this year ...
  await page.goto(list);
  await tabTo(page, 'input[name="framework"]');
  await arrowTo(page, 'cyber-essentials');
  await tabTo(page, 'button[type="submit"]:not(.nhsuk-header__search-submit)');
  await navigates(page, () => page.keyboard.press('Enter'));
  const ce = path(page);
  assert.match(ce, /\/assessments\/[0-9a-f-]+$/);
  await audit.check(page, 'Assessment (Cyber Essentials, just started)');

  // ... answer every requirement: Tab to the result, choose, Tab to Done, save ...
  await tabTo(page, 'table a[href*="/requirements/"]');
  await navigates(page, () => page.keyboard.press('Enter'));
  let answered = 0;
  while (/\/requirements\//.test(path(page))) {
    if (answered === 0) await audit.check(page, 'Requirement, answering with the keyboard');
    await tabTo(page, 'input[name="result"]');
    await arrowTo(page, 'yes');
    await tabTo(page, 'textarea[name="justification"]');
    await page.keyboard.type('Checked on site.');
    await tabTo(page, 'input[name="workflow"]');
    await arrowTo(page, 'done');
    await tabTo(page, 'form button[type="submit"]');
    await navigates(page, () => page.keyboard.press('Enter'));
    answered += 1;
    if (!/\/requirements\//.test(path(page))) {
      // The end of a section: on to the next unanswered requirement from the overview.
      const next = page.locator('table tr', { hasText: 'Not answered' }).locator('a').first();
      if (await next.count() === 0) break;
      await tabTo(page, `a[href="${await next.getAttribute('href')}"]`);
      await navigates(page, () => page.keyboard.press('Enter'));
    }
    assert.ok(answered < 100, 'the answers never ended');
  }
  assert.equal(path(page), ce);
  assert.match(await main.innerText(), new RegExp(`${answered} of ${answered} requirements`));

  // ... and submit.
  await tabTo(page, 'form[action$="/submit"] button');
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.match(await main.innerText(), /Its answers are now locked/);
  await audit.check(page, 'Assessment (Cyber Essentials, submitted)');
  await context.close();
});

test('every Assure page has no accessibility violations, no sideways scrolling and a working skip link', () => {
  audit.assertClean();
  assert.ok(audit.pages.length >= 9, `only ${audit.pages.length} pages were checked: a test stopped early`);
});
