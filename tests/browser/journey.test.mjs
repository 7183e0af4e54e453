// The main journey, as real people would do it with keyboard and mouse: a national
// administrator registers an organisation and appoints its security lead; the lead accepts
// the emailed invitation, sets up two-step verification and invites a member of staff, who
// accepts in turn. Every page on the way is checked with axe-core, at 320 and 1280 px, for
// sideways scrolling and for a working skip link.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  DEMO, DEMO_PASSWORD, DEMO_TOTP_SECRET, PageAudit, checkErrorSummaryLinks, freshTotp, launchBrowser,
  linkIn, menuLabels, navigates, newContext, startServer, totp, waitForEmail,
} from './support.mjs';

const ORG = { name: 'Brookside Surgery', ods: 'Y12345', parent: 'QZ1', type: 'GP practice' };
const LEAD = { name: 'Dana Fox', email: 'dana.fox@brookside.example', password: 'harbour violin thistle' };
const STAFF = { name: 'Lee Park', email: 'lee.park@brookside.example', password: 'saddle comet juniper' };

let server;
let browser;
const audit = new PageAudit();
const state = {};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Clicks into a field and types, as a person would. */
async function type(locator, text) {
  await locator.click();
  await locator.page().keyboard.type(text);
}

const path = (page) => new URL(page.url()).pathname;
const heading = (page) => page.getByRole('heading', { level: 1 }).innerText();

async function newPage() {
  const context = await newContext(browser, server.url);
  return audit.watch(await context.newPage());
}

test('a national administrator registers an organisation and appoints its security lead', async () => {
  const page = await newPage();

  await navigates(page, () => page.goto('/'));
  assert.equal(await heading(page), 'Cyber security for health and care');
  assert.deepEqual(await menuLabels(page), [], 'people who are signed out have no menu');
  await audit.check(page, 'Home, signed out');

  await navigates(page, () => page.getByRole('main').getByRole('link', { name: 'Sign in' }).click());
  assert.equal(path(page), '/sign-in');
  await audit.check(page, 'Sign in');

  await navigates(page, () => page.getByRole('button', { name: 'Sign in' }).click());
  assert.match(await page.title(), /^Error: /);
  await checkErrorSummaryLinks(page, audit, 'Sign in, submitted empty');
  await audit.check(page, 'Sign in, submitted empty');

  await type(page.getByLabel('Email address'), DEMO.admin);
  await type(page.getByLabel('Password', { exact: true }), DEMO_PASSWORD);
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.equal(path(page), '/sign-in/two-step');
  await audit.check(page, 'Enter your security code');

  await navigates(page, () => page.getByRole('button', { name: 'Continue' }).click());
  await checkErrorSummaryLinks(page, audit, 'Enter your security code, submitted empty');
  await audit.check(page, 'Enter your security code, submitted empty');

  await type(page.getByLabel('Security code'), await freshTotp(DEMO.admin, DEMO_TOTP_SECRET));
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.equal(path(page), '/');
  assert.equal(await heading(page), 'Welcome to CareCERT');
  assert.deepEqual(await menuLabels(page), ['Home', 'My training', 'Advisories', 'Organisations', 'Training coverage', 'Courses', 'Audit log', 'Your account'],
    'a national administrator sees Organisations and the audit log');
  await audit.check(page, 'Home, national administrator');

  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Organisations' }).click());
  assert.equal(path(page), '/admin/organisations');
  await audit.check(page, 'Organisations');

  await navigates(page, () => page.getByRole('link', { name: 'Register an organisation' }).click());
  assert.equal(path(page), '/admin/organisations/new');
  await audit.check(page, 'Register an organisation');

  await navigates(page, () => page.getByRole('button', { name: 'Register organisation' }).click());
  assert.equal(await checkErrorSummaryLinks(page, audit, 'Register an organisation, submitted empty'), 2,
    'an empty form asks for the name and the type');
  await audit.check(page, 'Register an organisation, submitted empty');

  await type(page.getByLabel('Name', { exact: true }), ORG.name);
  await page.getByLabel(ORG.type).check();
  await type(page.getByLabel('ODS code', { exact: true }), ORG.ods);
  await type(page.getByLabel(/Parent organisation's ODS code/), ORG.parent);
  await navigates(page, () => page.getByRole('button', { name: 'Register organisation' }).click());
  assert.match(path(page), /^\/organisations\/[0-9a-f-]{36}$/);
  state.orgPath = path(page);
  assert.equal(await heading(page), ORG.name);
  assert.match(await page.locator('.nhsuk-notification-banner').innerText(), /has been registered/);
  await audit.check(page, 'Organisation, just registered');

  await navigates(page, () => page.getByRole('button', { name: 'Appoint security lead' }).click());
  assert.equal(await checkErrorSummaryLinks(page, audit, 'Appoint a security lead, submitted empty'), 2);
  await audit.check(page, 'Appoint a security lead, submitted empty');

  await type(page.getByLabel('Full name'), LEAD.name);
  await type(page.getByRole('main').getByLabel('Email address'), LEAD.email);
  state.appointedAt = Date.now();
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.equal(path(page), state.orgPath);
  assert.match(await page.locator('.nhsuk-notification-banner').innerText(), /is now a security lead/);
  assert.match(await page.getByRole('main').innerText(), new RegExp(`${LEAD.name} \\(${LEAD.email}\\)`));
  await audit.check(page, 'Organisation, security lead appointed');
  await page.context().close();
});

test('the security lead accepts the invitation, sets up two-step verification and invites staff', async () => {
  assert.ok(state.orgPath, 'needs the organisation registered by the previous test');
  const email = await waitForEmail(server.outbox, LEAD.email, { since: state.appointedAt });
  state.leadLink = linkIn(email, '/invitations/');
  const page = await newPage();

  await navigates(page, () => page.goto(state.leadLink));
  assert.equal(await heading(page), 'Set your password');
  await audit.check(page, 'Set your password (invitation)');

  await type(page.getByLabel('New password', { exact: true }), 'too short');
  await type(page.getByLabel('Confirm new password'), 'too short');
  await navigates(page, () => page.keyboard.press('Enter'));
  await checkErrorSummaryLinks(page, audit, 'Set your password, too short');
  await audit.check(page, 'Set your password, too short');

  await type(page.getByLabel('New password', { exact: true }), LEAD.password);
  await type(page.getByLabel('Confirm new password'), LEAD.password);
  await navigates(page, () => page.getByRole('button', { name: 'Set password and continue' }).click());
  assert.equal(path(page), '/account/two-step/set-up');
  await audit.check(page, 'Set up two-step verification');

  await navigates(page, () => page.getByRole('button', { name: 'Turn on two-step verification' }).click());
  await checkErrorSummaryLinks(page, audit, 'Set up two-step verification, submitted empty');
  await audit.check(page, 'Set up two-step verification, submitted empty');

  const secretText = page.locator('.app-secret code');
  assert.equal(await secretText.isVisible(), false, 'the key is hidden until asked for');
  await page.getByText('I cannot scan the QR code').click();
  await secretText.waitFor({ state: 'visible' });
  const secret = (await secretText.innerText()).replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  await audit.check(page, 'Set up two-step verification, key shown');

  await type(page.getByLabel('Security code from the app'), totp(secret));
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.equal(await heading(page), 'Save your recovery codes');
  const codes = await page.locator('.app-recovery-codes code').allInnerTexts();
  assert.equal(codes.length, 10);
  for (const code of codes) assert.match(code, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  await audit.check(page, 'Save your recovery codes');

  await navigates(page, () => page.getByRole('link', { name: /I have saved my codes/ }).click());
  assert.equal(path(page), '/');
  const menu = await menuLabels(page);
  assert.deepEqual(menu, ['Home', 'My training', 'Alerts', 'Your organisation', 'Training', 'Assessments', 'Your account'],
    'a security lead sees their organisation but not the national pages');
  assert.ok(!menu.includes('Organisations'));
  await audit.check(page, 'Home, security lead');

  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your organisation' }).click());
  assert.equal(path(page), state.orgPath);
  await audit.check(page, 'Organisation, as its security lead');

  await navigates(page, () => page.getByRole('main').getByRole('link', { name: 'Staff', exact: true }).click());
  assert.equal(path(page), `${state.orgPath}/staff`);
  await audit.check(page, 'Staff');

  await navigates(page, () => page.getByRole('link', { name: 'Invite a member of staff' }).click());
  assert.equal(path(page), `${state.orgPath}/staff/new`);
  await audit.check(page, 'Invite a member of staff');

  await type(page.getByLabel('Email address'), 'lee.park at brookside');
  await navigates(page, () => page.getByRole('button', { name: 'Send invitation' }).click());
  assert.equal(await checkErrorSummaryLinks(page, audit, 'Invite a member of staff, with errors'), 2,
    'the missing name and the malformed email address are both reported');
  await audit.check(page, 'Invite a member of staff, with errors');

  await type(page.getByLabel('Full name'), STAFF.name);
  await page.getByLabel('Email address').fill('');
  await type(page.getByLabel('Email address'), STAFF.email);
  await page.getByLabel('Staff group').selectOption({ label: 'Clinical' });
  await type(page.getByLabel('Department (optional)'), 'Dispensary');
  await page.getByLabel('Role').selectOption({ label: 'Staff' });
  state.invitedAt = Date.now();
  await navigates(page, () => page.getByRole('button', { name: 'Send invitation' }).click());
  assert.equal(path(page), `${state.orgPath}/staff`);
  assert.match(await page.locator('.nhsuk-notification-banner').innerText(), new RegExp(`Invitation sent to ${STAFF.name}`));
  await audit.check(page, 'Staff, invitation sent');
  await page.context().close();
});

test('the member of staff accepts their invitation and lands on the home page', async () => {
  assert.ok(state.invitedAt, 'needs the invitation sent by the previous test');
  const email = await waitForEmail(server.outbox, STAFF.email, { since: state.invitedAt });
  const page = await newPage();

  await navigates(page, () => page.goto(linkIn(email, '/invitations/')));
  assert.equal(await heading(page), 'Set your password');
  await audit.check(page, 'Set your password (staff invitation)');

  await type(page.getByLabel('New password', { exact: true }), STAFF.password);
  await type(page.getByLabel('Confirm new password'), STAFF.password);
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.equal(path(page), '/');
  assert.equal(await heading(page), 'Welcome to CareCERT');
  assert.match(await page.getByRole('main').innerText(), new RegExp(`${ORG.name} – Staff`));
  const menu = await menuLabels(page);
  assert.deepEqual(menu, ['Home', 'My training', 'Alerts', 'Your account'], 'a member of staff sees Home, their training, alerts and their account');
  assert.ok(!menu.includes('Organisations') && !menu.includes('Your organisation'));
  await audit.check(page, 'Home, member of staff');

  // The lead's invitation has been used: its link now explains that.
  const res = await navigates(page, () => page.goto(state.leadLink));
  assert.equal(res.status(), 410);
  assert.equal(await heading(page), 'This invitation link cannot be used');
  await audit.check(page, 'Invitation link already used');
  await page.context().close();
});

test('every page in the journey has no accessibility violations, no sideways scrolling and a working skip link', () => {
  audit.assertClean();
  assert.ok(audit.pages.length >= 20, `only ${audit.pages.length} pages were checked: the journey stopped early`);
});
