// The Alerts pages, as each kind of person meets them with the demo data: a national
// analyst writes an advisory (with mistakes first), submits it and follows responses; a
// security lead works through their inbox, responds, and manages the inventory and feeds;
// a member of staff and the public read advisories. Every page is checked with axe-core
// (WCAG 2.2 AA), at 320 and 1280 px, for sideways scrolling and a working skip link.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  DEMO, PageAudit, checkErrorSummaryLinks, launchBrowser, menuLabels, navigates, newContext,
  signIn, startServer,
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

async function newPage() {
  const context = await newContext(browser, server.url);
  return audit.watch(await context.newPage());
}

/** Presses Tab until `target` has the focus, as a keyboard user reaches it. */
async function tabTo(page, target, most = 400) {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  assert.fail('the control cannot be reached with the Tab key');
}

const path = (page) => new URL(page.url()).pathname;
const open = (page, url) => navigates(page, () => page.goto(url));

test('a national analyst writes an advisory, sends it for review and follows responses', async () => {
  const page = await newPage();
  await signIn(page, audit, DEMO.analyst);
  await navigates(page, () => page.locator('header nav[aria-label="Menu"]').getByRole('link', { name: 'Advisories' }).click());
  assert.equal(path(page), '/alerts/manage');
  for (const section of ['Live advisories', 'Awaiting review', 'Drafts', 'Withdrawn']) {
    assert.equal(await page.getByRole('heading', { name: section }).count(), 1, `the list has ${section}`);
  }
  await audit.check(page, 'Advisories (national analyst)');

  await navigates(page, () => page.getByRole('link', { name: 'Write an advisory' }).click());
  await audit.check(page, 'Write an advisory');
  await page.getByLabel('Title', { exact: true }).fill('Out-of-band patch for a VPN appliance');
  await page.getByLabel('Affected products', { exact: true }).fill('Example | VPN gateway | >= 9.2, < 9.1');
  await page.getByLabel('Vulnerabilities', { exact: true }).fill('CVE-2026-1234 | CVSS:3.1/AV:N/AC:L');
  const refused = await navigates(page, () => page.getByRole('button', { name: 'Save draft' }).click());
  assert.equal(refused.status(), 422);
  assert.ok(await checkErrorSummaryLinks(page, audit, 'Write an advisory, with mistakes') >= 3);
  await audit.check(page, 'Write an advisory, with mistakes');

  await page.getByLabel('Affected products', { exact: true }).fill('Example | VPN gateway | >= 9.1, < 9.2.4');
  await page.getByLabel('Vulnerabilities', { exact: true }).fill('CVE-2026-1234 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
  await page.getByLabel('Why this severity', { exact: true }).fill('Exploited in the wild before a fix was available');
  await page.getByLabel('Summary', { exact: true }).fill('A flaw in the web interface lets anyone run commands on the appliance.');
  await page.getByLabel('What to do', { exact: true }).fill('Upgrade to 9.2.4\nReset every local account password after upgrading');
  await navigates(page, () => page.getByRole('button', { name: 'Save draft' }).click());
  assert.match(path(page), /^\/alerts\/manage\/[0-9a-f-]{36}$/);
  await audit.check(page, 'A draft advisory');
  await navigates(page, () => page.getByRole('button', { name: 'Submit for review' }).click());
  assert.match(await page.locator('.nhsuk-inset-text').innerText(), /another analyst must review/);
  await audit.check(page, 'An advisory in review, seen by its author');

  await open(page, '/alerts/manage');
  const live = page.locator('table').first().getByRole('link').first();
  await navigates(page, () => live.click());
  assert.match(path(page), /\/dashboard$/);
  assert.equal(await page.getByRole('heading', { name: /Not yet acknowledged|Time to acknowledge/ }).count() >= 1, true);
  await audit.check(page, 'Responses dashboard');
  await navigates(page, () => page.getByRole('link', { name: 'The advisory' }).click());
  await audit.check(page, 'A published advisory (national analyst)');
  await navigates(page, () => page.getByRole('link', { name: 'Revise' }).click());
  await audit.check(page, 'Revise an advisory');

  await open(page, '/alerts/manage');
  await navigates(page, () => page.locator('main table').nth(2).getByRole('link').first().click());
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Draft/);
  await navigates(page, () => page.getByRole('link', { name: 'Edit the draft' }).click());
  await audit.check(page, 'Edit a draft advisory');

  await open(page, '/alerts/manage/kev');
  await audit.check(page, 'Import from the CISA KEV catalogue');
  const none = await navigates(page, () => page.getByRole('button', { name: 'Import' }).click());
  assert.equal(none.status(), 422);
  await audit.check(page, 'Import from the CISA KEV catalogue, no file');
  await page.context().close();
});

test('a national administrator publishes the advisory an analyst sent for review', async () => {
  const page = await newPage();
  await signIn(page, audit, DEMO.admin);
  await open(page, '/alerts/manage');
  await navigates(page, () => page.locator('main table').nth(1).getByRole('link').first().click());
  await audit.check(page, 'An advisory in review, seen by a second analyst');
  await navigates(page, () => page.getByRole('button', { name: 'Publish' }).click());
  assert.match(path(page), /\/dashboard$/);
  assert.match(await page.locator('body').innerText(), /Published CC-\d{4}-\d{4} to \d+ organisations/);
  await audit.check(page, 'Responses dashboard straight after publishing');
  await page.context().close();
});

test('a security lead works through the inbox, responds and manages the inventory and feeds', async () => {
  const page = await newPage();
  await signIn(page, audit, DEMO.lead);
  await navigates(page, () => page.locator('header nav[aria-label="Menu"]').getByRole('link', { name: 'Alerts' }).click());
  assert.equal(path(page), '/alerts');
  await audit.check(page, 'Alerts inbox (security lead)');

  const first = page.locator('main table').first().getByRole('link').first();
  await navigates(page, () => first.click());
  assert.match(path(page), /^\/alerts\/CC-\d{4}-\d{4}$/);
  await audit.check(page, 'An advisory with the response forms');
  // Acknowledge with the keyboard alone: Tab to the button, press Enter.
  const acknowledge = page.getByRole('button', { name: 'Acknowledge' }).first();
  assert.equal(await acknowledge.count(), 1, 'the most urgent advisory awaits acknowledgement');
  await tabTo(page, acknowledge);
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.match(await page.locator('body').innerText(), /Acknowledged/);
  assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0, 'acknowledged once');
  await audit.check(page, 'An advisory after acknowledging');

  await open(page, '/alerts');
  await navigates(page, () => page.getByRole('link', { name: /^Software inventory/ }).first().click());
  assert.match(path(page), /\/inventory$/);
  await audit.check(page, 'Software inventory');
  await page.getByLabel('Inventory file').setInputFiles({ name: 'inventory.csv', mimeType: 'text/csv', buffer: Buffer.from('vendor,product,version,count,location\nApache,,2.14.1,x,Data centre\n') });
  const refused = await navigates(page, () => page.getByRole('button', { name: 'Replace the inventory' }).click());
  assert.equal(refused.status(), 422);
  await audit.check(page, 'Software inventory, a file with problems');
  await open(page, '/alerts');
  await navigates(page, () => page.getByRole('link', { name: /^Feeds and webhooks/ }).first().click());
  assert.match(path(page), /\/alert-feeds$/);
  await audit.check(page, 'Alert feeds and webhooks');
  await page.getByLabel('Feed name').fill('SOC ticketing');
  await navigates(page, () => page.getByRole('button', { name: 'Create feed' }).click());
  const url = await page.getByLabel('Private feed address (Atom)').inputValue();
  assert.match(url, /\/alerts\/feeds\/.+\.atom$/);
  await audit.check(page, 'Alert feeds, a new feed address shown once');
  const feed = await page.request.get(url);
  assert.equal(feed.status(), 200);
  assert.match(await feed.text(), /<entry>/, 'the private feed lists the organisation\'s advisories');
  await page.context().close();
});

test('staff and the public read advisories', async () => {
  const page = await newPage();
  await signIn(page, audit, DEMO.staff);
  assert.ok((await menuLabels(page)).includes('Alerts'));
  await open(page, '/alerts');
  await audit.check(page, 'Alerts (member of staff)');
  await page.context().close();

  const visitor = await newPage();
  await open(visitor, '/alerts/public');
  await audit.check(visitor, 'Public advisories');
  const rows = visitor.locator('main table a');
  assert.ok(await rows.count() >= 2, 'the demo has public advisories');
  await navigates(visitor, () => rows.first().click());
  assert.match(path(visitor), /^\/alerts\/CC-/);
  await audit.check(visitor, 'A public advisory, signed out');
  const feed = await visitor.request.get('/alerts/feed.atom');
  assert.equal(feed.status(), 200);
  assert.match(await feed.text(), /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
  await visitor.context().close();
});

test('every Alerts page has no accessibility violations, no sideways scrolling and a working skip link', () => {
  audit.assertClean();
  assert.ok(audit.pages.length >= 15, `only ${audit.pages.length} pages were checked: a test stopped early`);
});
