// The pages the main journey does not reach, seen by each kind of person: signed out, a
// member of staff, a security lead, a national analyst and a national administrator (the
// demo accounts from src/demo.rs). Every page is checked with axe-core, at 320 and 1280 px,
// for sideways scrolling and for a working skip link; the header menu must fit the role.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';

import {
  DEMO, PageAudit, checkErrorSummaryLinks, launchBrowser, linkIn, menuLabels, navigates,
  newContext, signIn, startServer, waitForEmail,
} from './support.mjs';

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

async function newPage() {
  const context = await newContext(browser, server.url);
  return audit.watch(await context.newPage());
}

async function type(locator, text) {
  await locator.click();
  await locator.page().keyboard.type(text);
}

const path = (page) => new URL(page.url()).pathname;
const heading = (page) => page.getByRole('heading', { level: 1 }).innerText();

/** Opens `url` by typing it in, as it were, and returns the response. */
const open = (page, url) => navigates(page, () => page.goto(url));

test('pages for people who are not signed in', async () => {
  const page = await newPage();

  await open(page, '/');
  await navigates(page, () => page.getByRole('contentinfo').getByRole('link', { name: 'Accessibility statement' }).click());
  assert.equal(path(page), '/accessibility');
  await audit.check(page, 'Accessibility statement');

  await navigates(page, () => page.getByRole('contentinfo').getByRole('link', { name: 'Privacy' }).click());
  assert.equal(path(page), '/privacy');
  await audit.check(page, 'Privacy');

  await open(page, '/sign-in');
  await type(page.getByLabel('Email address'), DEMO.staff);
  await type(page.getByLabel('Password', { exact: true }), 'not my password at all');
  const failed = await navigates(page, () => page.keyboard.press('Enter'));
  assert.equal(failed.status(), 401);
  await checkErrorSummaryLinks(page, audit, 'Sign in, wrong password');
  await audit.check(page, 'Sign in, wrong password');

  await navigates(page, () => page.getByRole('link', { name: 'I have forgotten my password' }).click());
  assert.equal(path(page), '/password-reset');
  await audit.check(page, 'Reset your password');

  await navigates(page, () => page.getByRole('button', { name: 'Send reset link' }).click());
  await checkErrorSummaryLinks(page, audit, 'Reset your password, submitted empty');
  await audit.check(page, 'Reset your password, submitted empty');

  const requestedAt = Date.now();
  await type(page.getByLabel('Email address'), DEMO.staff);
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.equal(await heading(page), 'Check your email');
  await audit.check(page, 'Check your email (password reset sent)');

  const email = await waitForEmail(server.outbox, DEMO.staff, { since: requestedAt });
  await open(page, linkIn(email, '/password-reset/'));
  assert.equal(await heading(page), 'Choose a new password');
  await audit.check(page, 'Choose a new password (reset link)');

  await type(page.getByLabel('New password', { exact: true }), 'copper lantern meadow');
  await type(page.getByLabel('Confirm new password'), 'copper lantern meadoww');
  await navigates(page, () => page.getByRole('button', { name: 'Change password' }).click());
  await checkErrorSummaryLinks(page, audit, 'Choose a new password, not matching');
  await audit.check(page, 'Choose a new password, not matching');

  const missing = await open(page, '/no-such-page');
  assert.equal(missing.status(), 404);
  assert.equal(await heading(page), 'Page not found');
  await audit.check(page, 'Page not found (404)');

  const unknown = await open(page, '/invitations/this-is-not-a-real-invitation-token');
  assert.equal(unknown.status(), 404);
  assert.equal(await heading(page), 'This invitation link cannot be used');
  await audit.check(page, 'Invitation link not valid');

  const signInFirst = await open(page, '/account');
  assert.equal(path(page), '/sign-in', 'a signed-out visit to /account goes to sign in');
  assert.equal(signInFirst.status(), 200);
  await page.context().close();
});

test('the public quiz: introduction, questions and marked answers with feedback', async () => {
  const page = await newPage();
  await open(page, '/quiz');
  assert.equal(await heading(page), 'Are you a security pro?');
  await audit.check(page, 'Quiz introduction');

  await navigates(page, () => page.getByRole('button', { name: 'Start the quiz' }).click());
  assert.equal(path(page), '/quiz/start');
  const questions = page.getByRole('main').locator('fieldset');
  assert.equal(await questions.count(), 10);
  await audit.check(page, 'Quiz questions');

  // Answer nine questions with the first option shown and leave the last one, so the
  // results show answers marked right or wrong, their feedback, and one not answered.
  for (let i = 0; i < 9; i++) {
    await questions.nth(i).locator('input').first().check();
  }
  const marked = await navigates(page, () => page.getByRole('button', { name: 'Check my answers' }).click());
  assert.equal(marked.status(), 200);
  assert.equal(path(page), '/quiz/answers');
  assert.match(await heading(page), /^You scored \d+ out of 10$/);
  assert.equal(await page.getByText('You did not answer this question').count(), 1);
  await audit.check(page, 'Quiz results, with feedback');

  await navigates(page, () => page.getByRole('link', { name: 'Share your result' }).click());
  assert.match(path(page), /^\/quiz\/result\/\d+-of-10$/);
  await audit.check(page, 'Quiz result to share');
  await page.context().close();
});

test('a member of staff: their account, changing their password, and no national pages', async () => {
  const page = await newPage();
  await signIn(page, audit, DEMO.staff);
  const menu = await menuLabels(page);
  assert.deepEqual(menu, ['Home', 'My training', 'Alerts', 'Your account'], 'a member of staff sees Home, their training, alerts and their account');
  assert.ok(!menu.includes('Organisations'));

  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your account' }).click());
  assert.equal(path(page), '/account');
  await audit.check(page, 'Your account (member of staff)');

  await navigates(page, () => page.getByRole('link', { name: 'Change your password' }).click());
  assert.equal(path(page), '/account/password');
  await audit.check(page, 'Change your password');

  await navigates(page, () => page.getByRole('button', { name: 'Change password' }).click());
  assert.ok(await checkErrorSummaryLinks(page, audit, 'Change your password, submitted empty') >= 2);
  await audit.check(page, 'Change your password, submitted empty');

  await type(page.getByLabel('Current password'), 'not my password at all');
  await type(page.getByLabel('New password', { exact: true }), 'password');
  await type(page.getByLabel('Confirm new password'), 'password');
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.ok(await checkErrorSummaryLinks(page, audit, 'Change your password, wrong and weak') >= 2);
  await audit.check(page, 'Change your password, wrong and weak');

  const forbidden = await open(page, '/admin/organisations');
  assert.equal(forbidden.status(), 403);
  await audit.check(page, 'Permission denied (403)');
  await page.context().close();
});

test('a national analyst sees organisations but not the audit log', async () => {
  const page = await newPage();
  await signIn(page, audit, DEMO.analyst);
  assert.deepEqual(await menuLabels(page), ['Home', 'My training', 'Advisories', 'Organisations', 'Training coverage', 'Your account'],
    'a national analyst sees Organisations but not the audit log');
  await audit.check(page, 'Home, national analyst');

  await navigates(page, () => page.getByRole('link', { name: 'Find an organisation' }).click());
  assert.equal(path(page), '/admin/organisations');
  assert.equal(await page.getByRole('link', { name: 'Register an organisation' }).count(), 0);
  await type(page.getByLabel('Name or ODS code'), 'Northfield');
  await page.getByLabel('Type').selectOption({ label: 'NHS trust' });
  await navigates(page, () => page.getByRole('button', { name: 'Search' }).click());
  assert.match(await page.locator('caption').innerText(), /^1 organisation$/);
  await audit.check(page, 'Organisations, searched (national analyst)');

  await navigates(page, () => page.getByRole('link', { name: 'Northfield Teaching Hospitals NHS Foundation Trust' }).click());
  assert.match(path(page), /^\/organisations\/[0-9a-f-]{36}$/);
  state.trustPath = path(page);
  assert.equal(await page.getByRole('heading', { name: 'Appoint a security lead' }).count(), 0);
  await audit.check(page, 'Organisation (national analyst)');
  await page.context().close();
});

test('a security lead: staff, the audit log of their organisation', async () => {
  const page = await newPage();
  state.leadPage = page;
  await signIn(page, audit, DEMO.lead);
  const menu = await menuLabels(page);
  assert.deepEqual(menu, ['Home', 'My training', 'Alerts', 'Your organisation', 'Training', 'Assessments', 'Your account']);
  assert.ok(!menu.includes('Organisations'));

  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your organisation' }).click());
  state.trustPath ??= path(page);
  assert.equal(path(page), state.trustPath);

  await navigates(page, () => page.getByRole('main').getByRole('link', { name: 'Staff', exact: true }).click());
  assert.equal(path(page), `${state.trustPath}/staff`);
  assert.match(await page.locator('caption').innerText(), /people/);
  await audit.check(page, 'Staff (demo organisation, many people)');

  await type(page.getByLabel('Search by name or email'), 'Hana');
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.match(await page.locator('caption').innerText(), /^1 person$/);
  await audit.check(page, 'Staff, searched');

  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your organisation' }).click());
  await navigates(page, () => page.getByRole('main').getByRole('link', { name: 'Audit log' }).click());
  assert.equal(path(page), `${state.trustPath}/audit`);
  assert.equal(await page.getByLabel('Organisation ODS code (optional)').count(), 0);
  await audit.check(page, 'Audit log (organisation)');

  // A bookmarked filter that no longer matches an event type shows the error summary.
  await open(page, `${state.trustPath}/audit?event=no.such.event`);
  await checkErrorSummaryLinks(page, audit, 'Audit log (organisation), unknown event type');
  await audit.check(page, 'Audit log (organisation), unknown event type');
});

test('the staff import page, with errors and with a file', async () => {
  const page = state.leadPage;
  assert.ok(page, 'needs the security lead signed in by the previous test');
  await open(page, `${state.trustPath}/staff`);
  const res = await navigates(page, () => page.getByRole('link', { name: 'Import staff from a CSV file' }).click());
  await audit.check(page, 'Import staff from a CSV file');
  assert.equal(res.status(), 200,
    `the staff page links to ${path(page)}, which answers ${res.status()} ("${await heading(page)}")`);

  const button = page.getByRole('button', { name: 'Import staff' });
  await navigates(page, () => button.click());
  await checkErrorSummaryLinks(page, audit, 'Import staff, submitted without a file');
  await audit.check(page, 'Import staff, submitted without a file');

  // One good row and one without an email address.
  const csv = 'name,email,staff_group,department\nMia Stone,mia.stone@rz1.example,clinical,Outpatients\nNo Address,,admin,\n';
  await page.locator('input[type="file"]').setInputFiles({ name: 'new-starters.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await navigates(page, () => button.click());
  assert.match(await heading(page), /Staff import results/);
  const results = await page.locator('.nhsuk-summary-list').innerText();
  assert.match(results, /Added\s+1 person/);
  assert.match(results, /Not imported\s+1 row/);
  await audit.check(page, 'Staff import results (one added, one rejected)');
});

test('the API tokens page, if the API is registered', async (t) => {
  const page = state.leadPage;
  assert.ok(page, 'needs the security lead signed in by an earlier test');
  const res = await open(page, `${state.trustPath}/api-tokens`);
  if (res.status() === 404) {
    // Only while the API is not yet wired into the router; CI (CARECERT_REQUIRE_ALL=1)
    // skips nothing.
    const why = `${state.trustPath}/api-tokens answers 404: the API routes are not registered (api::routes() in src/app.rs)`;
    assert.notEqual(process.env.CARECERT_REQUIRE_ALL, '1', why);
    t.skip(why);
    return;
  }
  assert.equal(res.status(), 200);
  await audit.check(page, 'API tokens');

  await navigates(page, () => page.getByRole('button', { name: 'Create token' }).click());
  await checkErrorSummaryLinks(page, audit, 'API tokens, submitted empty');
  await audit.check(page, 'API tokens, submitted empty');

  await type(page.getByLabel('Token name'), 'HR system nightly sync');
  await navigates(page, () => page.keyboard.press('Enter'));
  assert.match(await heading(page), /API token created/);
  await audit.check(page, 'API token created');

  await navigates(page, () => page.getByRole('link', { name: 'I have copied the token' }).click());
  assert.match(await page.locator('caption').innerText(), /1 active/);
  await audit.check(page, 'API tokens, with a token');
});

test('training needs analysis, course assignments and the evidence pack', async () => {
  const page = await newPage();
  await signIn(page, audit, DEMO.lead);
  const main = page.getByRole('main');
  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your organisation' }).click());
  const trustPath = path(page);
  await navigates(page, () => main.getByRole('link', { name: 'Needs analysis', exact: true }).click());
  assert.equal(path(page), `${trustPath}/training/needs`);
  await audit.check(page, 'Training needs analysis');

  // Unticking the mandatory course for a group is refused.
  const save = page.getByRole('button', { name: 'Save training needs analysis' });
  const mandatory = page.locator('input[name="need"][value="volunteer:data-security-awareness"]');
  await mandatory.uncheck();
  const refused = await navigates(page, () => save.click());
  assert.equal(refused.status(), 422);
  await checkErrorSummaryLinks(page, audit, 'Training needs analysis, mandatory course unticked');
  await audit.check(page, 'Training needs analysis, mandatory course unticked');

  await mandatory.check();
  await type(page.getByLabel('Notes (optional)', { exact: true }), 'Reviewed with the information governance lead.');
  await navigates(page, () => save.click());
  assert.match(await page.getByRole('main').innerText(), /Last reviewed/);
  await audit.check(page, 'Training needs analysis, saved');

  await open(page, trustPath);
  await navigates(page, () => main.getByRole('link', { name: 'Course assignments', exact: true }).click());
  assert.equal(path(page), `${trustPath}/training/assignments`);
  await audit.check(page, 'Course assignments');

  const assign = page.getByRole('button', { name: 'Assign course' });
  await navigates(page, () => assign.click());
  assert.ok(await checkErrorSummaryLinks(page, audit, 'Course assignments, submitted empty') >= 3);
  await audit.check(page, 'Course assignments, submitted empty');

  await page.getByLabel('Course', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('A staff group', { exact: true }).check();
  await page.getByLabel('Staff group', { exact: true }).selectOption('volunteer');
  await type(page.getByLabel('Day', { exact: true }), '1');
  await type(page.getByLabel('Month', { exact: true }), '6');
  await type(page.getByLabel('Year', { exact: true }), String(new Date().getFullYear() + 1));
  await navigates(page, () => assign.click());
  assert.equal(path(page), `${trustPath}/training/assignments`);
  assert.match(await page.getByRole('main').innerText(), /Staff group: Volunteers/);
  await audit.check(page, 'Course assignments, with an assignment');

  await open(page, trustPath);
  await navigates(page, () => main.getByRole('link', { name: 'Evidence pack', exact: true }).click());
  assert.equal(path(page), `${trustPath}/training/evidence`);
  assert.match(await heading(page), /Training evidence pack$/);
  await audit.check(page, 'Training evidence pack');
  await page.context().close();
});

test('training coverage: an organisation\'s dashboard and the table of every organisation', async () => {
  const page = await newPage();
  await signIn(page, audit, DEMO.lead);
  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Training', exact: true }).click());
  assert.match(path(page), /^\/organisations\/[0-9a-f-]{36}\/training$/);
  assert.match(await heading(page), /Training coverage$/);
  assert.equal(await page.getByRole('main').locator('svg[role="img"]').count(), 1, 'the trend chart');
  await audit.check(page, 'Training coverage (security lead)');

  await page.getByLabel('Target percentage of staff with valid training').fill('101');
  const refused = await navigates(page, () => page.getByRole('button', { name: 'Change target' }).click());
  assert.equal(refused.status(), 422);
  await checkErrorSummaryLinks(page, audit, 'Training coverage, target out of range');
  await audit.check(page, 'Training coverage, target out of range');
  await page.context().close();

  const analyst = await newPage();
  await signIn(analyst, audit, DEMO.analyst);
  await navigates(analyst, () => analyst.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Training coverage' }).click());
  assert.equal(path(analyst), '/national/training');
  await audit.check(analyst, 'Training coverage, every organisation');

  await navigates(analyst, () => analyst.locator('#organisations').getByRole('link', { name: /^Coverage/ }).click());
  assert.match(await analyst.locator('th[aria-sort]').innerText(), /^Coverage/);
  await analyst.getByLabel('Only organisations below their target').check();
  await navigates(analyst, () => analyst.getByRole('button', { name: 'Apply filters' }).click());
  const query = new URL(analyst.url()).searchParams;
  assert.equal(query.get('below'), 'yes');
  assert.equal(query.get('sort'), 'percent', 'filtering keeps the order');
  await audit.check(analyst, 'Training coverage, below target, by coverage');
  await analyst.context().close();
});

test('a national administrator: the whole audit log', async () => {
  await state.leadPage?.context().close();
  const page = await newPage();
  await signIn(page, audit, DEMO.admin);
  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Audit log' }).click());
  assert.equal(path(page), '/admin/audit');
  await audit.check(page, 'Audit log (all organisations)');

  await type(page.getByLabel('Organisation ODS code (optional)'), 'ZZ999');
  await navigates(page, () => page.getByRole('button', { name: 'Apply filters' }).click());
  await checkErrorSummaryLinks(page, audit, 'Audit log, unknown ODS code');
  await audit.check(page, 'Audit log, unknown ODS code');

  await open(page, `${state.trustPath}/audit`);
  await audit.check(page, 'Audit log (organisation, national administrator)');

  await open(page, `${state.trustPath}`);
  await audit.check(page, 'Organisation (national administrator, with security lead)');
  await page.context().close();
});

/** A .zip of `files` ({ name: text }), stored without compression: enough for the upload. */
function storedZip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12); // 1 January 1980
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

test('a national administrator: course versions and importing a course, with errors', async () => {
  const page = await newPage();
  await signIn(page, audit, DEMO.admin);
  assert.deepEqual(await menuLabels(page), ['Home', 'My training', 'Advisories', 'Organisations', 'Training coverage', 'Courses', 'Audit log', 'Your account'],
    'a national administrator sees Courses between Training coverage and the audit log');
  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Courses' }).click());
  assert.equal(path(page), '/admin/courses');
  assert.equal(await heading(page), 'Courses');
  assert.match(await page.locator('caption').innerText(), /course versions$/);
  await audit.check(page, 'Courses (national administrator)');

  const button = page.getByRole('button', { name: 'Import course' });
  const empty = await navigates(page, () => button.click());
  assert.equal(empty.status(), 422);
  await checkErrorSummaryLinks(page, audit, 'Courses, import submitted without a file');
  await audit.check(page, 'Courses, import submitted without a file');

  const file = page.locator('input[type="file"]');
  await file.setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip at all') });
  const notZip = await navigates(page, () => button.click());
  assert.equal(notZip.status(), 422);
  assert.match(await page.locator('.nhsuk-error-summary').innerText(), /not a \.zip archive/);
  await audit.check(page, 'Courses, import of a file that is not a zip');

  // A course whose lessons and questions are missing: every problem is listed.
  const manifest = fs.readFileSync(new URL('../../content/courses/board-leaders/course.toml', import.meta.url), 'utf8')
    .replace(/^version = ".*"$/m, 'version = "2099.1"');
  await file.setInputFiles({ name: 'board-leaders.zip', mimeType: 'application/zip', buffer: storedZip({ 'board-leaders/course.toml': manifest }) });
  const broken = await navigates(page, () => button.click());
  assert.equal(broken.status(), 422);
  assert.ok(await checkErrorSummaryLinks(page, audit, 'Courses, import of a course with problems') >= 2);
  assert.match(await page.locator('.nhsuk-error-summary').innerText(), /which does not exist/);
  await audit.check(page, 'Courses, import of a course with problems');

  // Every source of the live content, oldest check first, with what relies on it.
  await navigates(page, () => page.getByRole('link', { name: 'when each source was last checked' }).click());
  assert.equal(path(page), '/admin/content');
  assert.equal(await heading(page), 'Content sources');
  assert.equal(await page.locator('caption').innerText(), 'Sources, oldest check first');
  const rows = page.locator('tbody tr');
  assert.ok(await rows.count() > 50, 'every course and the quiz cite many sources');
  assert.match(await rows.first().innerText(), /(January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/);
  assert.ok(await page.locator('tbody a[href^="/training/"]').count() > 10, 'lessons are linked');
  await audit.check(page, 'Content sources (national administrator)');
  await page.context().close();
});

test('every page has no accessibility violations, no sideways scrolling and a working skip link', () => {
  audit.assertClean();
  assert.ok(audit.pages.length >= 20, `only ${audit.pages.length} pages were checked: a test stopped early`);
});
