// The signed-in home page on the demo data, as a member of staff, a security lead and a
// national analyst: each sees the panels of what needs their attention that their roles
// call for, with something in them, and no others. Every page is checked with axe-core,
// at 320 and 1280 px, for sideways scrolling and for a working skip link.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DEMO, PageAudit, launchBrowser, newContext, signIn, startServer } from './support.mjs';

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

const LEAD_PANELS = ['Advisories waiting for your response', 'Training coverage', 'Staff invitations'];
const NATIONAL_PANELS = ['Advisories in review', 'Organisations overdue on advisories'];

/** Signs in as `email` and returns the page, at home, with the headings of its panels. */
async function homeOf(email) {
  const context = await newContext(browser, server.url);
  const page = audit.watch(await context.newPage());
  await signIn(page, audit, email);
  const panels = await page.locator('main section.nhsuk-card').evaluateAll((cards) => cards.map((card) => ({
    heading: card.querySelector('h2')?.textContent.trim() ?? '',
    items: card.querySelectorAll('li').length,
    tags: [...card.querySelectorAll('.nhsuk-tag')].map((t) => t.textContent.trim()),
  })));
  return { page, panels };
}

/** Asserts the panels are exactly `expected`, in that order, each with something in it. */
function assertPanels(panels, expected, who) {
  assert.deepEqual(panels.map((p) => p.heading), expected, `${who}'s panels`);
  for (const p of panels) {
    assert.ok(p.items > 0, `${who}'s "${p.heading}" panel should have something in it on the demo data`);
    assert.ok(p.tags.every((t) => t.length > 0), `every tag on ${who}'s "${p.heading}" panel has words`);
  }
}

test('a member of staff sees their training and no lead or national panel', async () => {
  const { page, panels } = await homeOf(DEMO.staff);
  assertPanels(panels, ['Your training'], 'a member of staff');
  await audit.check(page, 'Home, member of staff');
  await page.context().close();
});

test('a security lead sees advisories, training and staff invitations for their organisation', async () => {
  const { page, panels } = await homeOf(DEMO.lead);
  assertPanels(panels, [LEAD_PANELS[0], 'Your training', LEAD_PANELS[2], LEAD_PANELS[1]], 'a security lead');
  assert.match(await page.getByRole('main').innerText(), /% of staff hold valid training/);
  await audit.check(page, 'Home, security lead');
  await page.context().close();
});

test('a national analyst sees the advisories in review and the organisations overdue', async () => {
  const { page, panels } = await homeOf(DEMO.analyst);
  assertPanels(panels, [...NATIONAL_PANELS, 'Your training'], 'a national analyst');
  await audit.check(page, 'Home, national analyst');
  await page.context().close();
});

test('the home pages have no accessibility violations, no sideways scrolling and a working skip link', () => {
  audit.assertClean();
  assert.equal(audit.pages.length, 3, 'a test stopped before its page was checked');
});
