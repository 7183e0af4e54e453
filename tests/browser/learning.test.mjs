// The learner's pages of the Knowledge service. A member of staff completes the mandatory
// course, Data Security Awareness, with the keyboard alone: from the home page through all
// nine lessons and their knowledge checks to a passed final assessment, the certificate
// and its public check. Another fails a course and reads the feedback. Every page state
// is checked with axe-core, at 320 and 1280 px, for sideways scrolling and for a working
// skip link; the assessment's answer autosave is checked across a reload.
//
// The right answers come from the course files in content/courses/*/questions, never from
// the page (which shows only the questions and their options).

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parse as parseToml } from 'smol-toml';

import {
  DEMO, PageAudit, checkErrorSummaryLinks, launchBrowser, linkIn, navigates, newContext, signIn,
  startServer, waitForEmail,
} from './support.mjs';

const ROOT = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MANDATORY = { slug: 'data-security-awareness', title: 'Data Security Awareness', lessons: 9, questions: 18 };
const OTHER = { slug: 'spotting-phishing' };
/** New members of staff, invited by the demo security lead, so they have no training yet. */
const LEARNER = { name: 'Kim Rowe', email: 'kim.rowe@northfield-hospitals.example' };
const FAILING_LEARNER = { name: 'Ravi Shah', email: 'ravi.shah@northfield-hospitals.example' };
const PASSWORD = 'pebble orchard lantern';

let server;
let browser;
const audit = new PageAudit();
const state = {};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await inviteStaff([LEARNER, FAILING_LEARNER]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage() {
  const context = await newContext(browser, server.url);
  return audit.watch(await context.newPage());
}

const path = (page) => new URL(page.url()).pathname;
const heading = (page) => page.getByRole('heading', { level: 1 }).innerText();
const open = (page, url) => navigates(page, () => page.goto(url));

/** The demo security lead invites `people` to their organisation as members of staff. */
async function inviteStaff(people) {
  const page = await newPage();
  await signIn(page, audit, DEMO.lead);
  await navigates(page, () => page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your organisation' }).click());
  const invite = `${path(page)}/staff/new`;
  for (const person of people) {
    await open(page, invite);
    await page.getByLabel('Full name').fill(person.name);
    await page.getByRole('main').getByLabel('Email address').fill(person.email);
    await page.getByLabel('Staff group').selectOption({ label: 'Clinical' });
    await page.getByLabel('Role').selectOption({ label: 'Staff' });
    person.invitedAt = Date.now();
    await navigates(page, () => page.getByRole('button', { name: 'Send invitation' }).click());
    assert.match(await page.locator('.nhsuk-notification-banner').innerText(), new RegExp(`Invitation sent to ${person.name}`));
  }
  await page.context().close();
}

/** The invited person sets their password from the emailed link; returns their page, at home. */
async function acceptInvitation(person) {
  const email = await waitForEmail(server.outbox, person.email, { since: person.invitedAt });
  const page = await newPage();
  await open(page, linkIn(email, '/invitations/'));
  await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm new password').fill(PASSWORD);
  await navigates(page, () => page.getByRole('button', { name: /^Set password/ }).click());
  assert.equal(path(page), '/');
  assert.equal(await heading(page), 'Welcome to CareCERT');
  return page;
}

/**
 * The answer key of a course, read from its question files: question id → its kind and
 * the ids of its options, right and wrong.
 */
async function answerKey(slug) {
  const dir = nodePath.join(ROOT, 'content', 'courses', slug, 'questions');
  const key = new Map();
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.toml')).sort()) {
    const file = parseToml(await readFile(nodePath.join(dir, name), 'utf8'));
    for (const q of file.question ?? []) {
      key.set(q.id, {
        kind: q.kind,
        right: q.options.filter((o) => o.correct).map((o) => o.id),
        wrong: q.options.filter((o) => !o.correct).map((o) => o.id),
      });
    }
  }
  assert.ok(key.size > 0, `no questions found in ${dir}`);
  return key;
}

/** The ids of the questions a form shows, in page order (from their `q.<id>` fields). */
function questionIds(page, form = 'main form') {
  return page.locator(`${form} fieldset`).evaluateAll(
    (sets) => sets.map((f) => f.querySelector('input[name^="q."]').name.slice(2)),
  );
}

// ---------------------------------------------------------------------------------------
// The keyboard

/** What has keyboard focus, described for the test to match on and for error messages. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', text: '', html: '<body>' };
    return {
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute('type') ?? '',
      name: el.getAttribute('name') ?? '',
      id: el.id,
      href: el.getAttribute('href') ?? '',
      checked: !!el.checked,
      text: el.textContent.replace(/\s+/g, ' ').trim(),
      navigation: el.closest('nav')?.getAttribute('aria-label') ?? '',
      html: el.outerHTML.replace(/\s+/g, ' ').slice(0, 160),
    };
  });
}

/**
 * Presses Tab (or Shift+Tab with `back`) until the focused element matches `wanted`,
 * checking the element already focused first. Fails after `max` presses, naming what
 * focus passed through.
 */
async function tabTo(page, wanted, what, { back = false, max = 300 } = {}) {
  const passed = [];
  for (let i = 0; i <= max; i++) {
    const el = await focused(page);
    if (wanted(el)) return el;
    passed.push(el.text || el.html);
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} did not reach ${what}. Focus last went through:\n  ${passed.slice(-20).join('\n  ')}`);
}

const link = (text) => (el) => el.tag === 'a' && el.text === text;
const button = (text) => (el) => el.tag === 'button' && el.text === text;
const menuLink = (text) => (el) => link(text)(el) && el.navigation === 'Menu';

/** Tabs to a link or button and presses Enter, waiting for the page it leads to. */
async function activate(page, wanted, what, options) {
  await tabTo(page, wanted, what, options);
  return navigates(page, () => page.keyboard.press('Enter'));
}

/**
 * Answers one question with the keyboard, focus being on one of its inputs: radios by
 * arrow keys (Space if the option wanted is the one focused), checkboxes by Tab and Space.
 * Leaves focus inside the question.
 */
async function answerByKeyboard(page, id, choose) {
  const name = `q.${id}`;
  const inputs = () => page.evaluate((n) => [...document.getElementsByName(n)].map((i) => ({
    value: i.value, type: i.type, checked: i.checked, focused: i === document.activeElement,
  })), name);
  let now = await inputs();
  if (now[0].type === 'radio') {
    assert.equal(choose.length, 1, `${id} is a single-answer question`);
    const at = now.findIndex((i) => i.focused);
    const to = now.findIndex((i) => i.value === choose[0]);
    assert.ok(at >= 0 && to >= 0, `${id}: focus is in the question and offers option ${choose[0]}`);
    if (at === to && !now[to].checked) await page.keyboard.press('Space');
    for (let i = at; i < to; i++) await page.keyboard.press('ArrowDown');
    for (let i = at; i > to; i--) await page.keyboard.press('ArrowUp');
  } else {
    for (let i = 0; i < now.length; i++) {
      if (i > 0) await page.keyboard.press('Tab');
      const el = await focused(page);
      assert.equal(el.id, `${id}--${now[i].value}`, `Tab moves through ${id}'s tick boxes in order`);
      if (now[i].checked !== choose.includes(now[i].value)) await page.keyboard.press('Space');
    }
  }
  now = await inputs();
  assert.deepEqual(now.filter((i) => i.checked).map((i) => i.value).sort(), [...choose].sort(),
    `the keyboard chose ${choose.join(', ')} for ${id}`);
}

/** Answers every question of the page's form correctly, in page order, by keyboard. */
async function answerAllByKeyboard(page, key, form) {
  const ids = await questionIds(page, form);
  for (const id of ids) {
    const q = key.get(id);
    assert.ok(q, `question ${id} is not in the course files`);
    await tabTo(page, (el) => el.name === `q.${id}`, `question ${id}`);
    await answerByKeyboard(page, id, q.right);
  }
  return ids;
}

/** Checks, by keyboard, that the error summary has focus and its link leads to a field. */
async function checkErrorSummaryByKeyboard(page, label) {
  const url = path(page);
  const onLoad = await page.evaluate(() => !!document.activeElement?.closest('.nhsuk-error-summary'));
  if (!onLoad) audit.problem(label, url, 'the error summary did not receive focus when the page loaded');
  const first = await tabTo(page, (el) => el.tag === 'a' && el.href.startsWith('#'), 'the error summary link', { max: 5 });
  await page.keyboard.press('Enter');
  const now = await focused(page);
  if (now.tag !== 'input' || `#${now.id}` !== first.href) {
    audit.problem(label, url, `Enter on the error summary link "${first.text}" (${first.href}) did not move focus to a field; focus is on ${now.html}`);
  }
}

// ---------------------------------------------------------------------------------------
// The tests

test('a member of staff completes the mandatory course with the keyboard alone', async () => {
  const key = await answerKey(MANDATORY.slug);
  const page = await acceptInvitation(LEARNER);

  // Home → My training, by the header menu.
  await activate(page, menuLink('My training'), 'the "My training" menu link');
  assert.equal(path(page), '/training');
  assert.equal(await heading(page), 'My training');
  const card = page.locator('.nhsuk-card', { has: page.getByRole('link', { name: MANDATORY.title }) });
  assert.match(await card.innerText(), /Not started/);
  await audit.check(page, 'My training, nothing started');

  await activate(page, link(MANDATORY.title), `the "${MANDATORY.title}" course link`);
  assert.equal(path(page), `/training/${MANDATORY.slug}`);
  assert.match(await heading(page), new RegExp(`^${MANDATORY.title}`));
  await audit.check(page, 'Course overview, not started');

  await activate(page, button('Start the course'), 'the "Start the course" button');
  assert.equal(path(page), `/training/${MANDATORY.slug}/lessons/why-it-matters`);

  for (let n = 1; n <= MANDATORY.lessons; n++) {
    const lessonPath = path(page);
    assert.match(await heading(page), new RegExp(`lesson ${n} of ${MANDATORY.lessons}`));
    await audit.check(page, `Lesson ${n} with its knowledge check`);

    if (n === 1) {
      // Each source says when someone last checked the lesson's facts against it.
      const sources = page.locator('h2:text-is("Sources") + ul li');
      assert.ok(await sources.count() >= 1, 'lesson 1 lists its sources');
      assert.match(await sources.first().innerText(), /^.+: .+ \(checked [A-Z][a-z]+ \d{4}\)$/);
      assert.equal(await sources.first().locator('a').count(), 1, 'the source is a link');

      // Checking with nothing answered explains what to do and keeps the learner here.
      await activate(page, button('Check my answers'), 'the "Check my answers" button');
      assert.equal(path(page), `${lessonPath}/check`);
      assert.match(await page.title(), /^Error: /);
      await checkErrorSummaryByKeyboard(page, 'Lesson 1, checked with nothing answered');
      await audit.check(page, 'Lesson 1, checked with nothing answered');
    }

    const ids = await answerAllByKeyboard(page, key, 'main form');
    assert.ok(ids.length >= 1, `lesson ${n} has a knowledge check`);
    await activate(page, button('Check my answers'), 'the "Check my answers" button');
    const main = await page.getByRole('main').innerText();
    assert.match(main, new RegExp(`You got ${ids.length} out of ${ids.length} right`));
    assert.equal(await page.locator('.app-feedback').count(), ids.length, 'feedback on every question');
    if (n === 1) {
      await audit.check(page, 'Lesson 1, knowledge check marked with feedback');

      // Back up the breadcrumb to the course, now in progress, and carry on from there.
      await page.keyboard.press('Shift+Tab'); // From the page's end: the way back is above.
      await activate(page, (el) => link(MANDATORY.title)(el) && el.navigation === 'Breadcrumb',
        'the breadcrumb link to the course', { back: true, max: 400 });
      assert.equal(path(page), `/training/${MANDATORY.slug}`);
      assert.match(await page.getByRole('main').innerText(), /In progress/);
      assert.match(await page.locator('.app-task-list').innerText(), /Completed/);
      await audit.check(page, 'Course overview, in progress');
      await activate(page, button('Continue the course'), 'the "Continue the course" button');
      assert.equal(path(page), `/training/${MANDATORY.slug}/lessons/the-rules`);
      continue;
    }
    const next = n < MANDATORY.lessons ? /^Next lesson: / : /^Go to the final assessment$/;
    await activate(page, (el) => el.tag === 'a' && next.test(el.text), `the ${next} link`);
  }

  // The final assessment: its start page, then the questions.
  assert.equal(path(page), `/training/${MANDATORY.slug}/assessment`);
  assert.equal(await page.getByRole('button', { name: 'Start the assessment' }).count(), 1);
  await audit.check(page, 'Final assessment, not started');

  await activate(page, button('Start the assessment'), 'the "Start the assessment" button');
  assert.equal(path(page), `/training/${MANDATORY.slug}/assessment`);
  const ids = await questionIds(page, '#assessment');
  assert.equal(ids.length, MANDATORY.questions);
  state.scenarioShown = (await page.locator('#assessment .app-example-message').count()) > 0;
  await audit.check(page, `Final assessment, ${ids.length} questions${state.scenarioShown ? ' with an example message' : ''}`);

  // An answer chosen with the keyboard is saved by the page's script as it is chosen, and
  // is still there after a reload. Arrow keys through a question's radios change the answer
  // at every press: going to the last option and back, the last choice is the one kept.
  const saved = ids.find((id) => key.get(id).kind !== 'multiple') ?? ids[0];
  const savedKey = key.get(saved);
  const options = await page.locator(`input[name="q.${saved}"]`).evaluateAll((els) => els.map((e) => e.value));
  await tabTo(page, (el) => el.name === `q.${saved}`, `question ${saved}`);
  if (savedKey.kind !== 'multiple') await answerByKeyboard(page, saved, [options.at(-1)]);
  await answerByKeyboard(page, saved, savedKey.right);
  await page.locator('#save-status', { hasText: 'Your answer is saved.' }).waitFor();
  await navigates(page, () => page.reload());
  const kept = await page.locator(`input[name="q.${saved}"]:checked`).evaluateAll((els) => els.map((e) => e.value));
  assert.deepEqual(kept.sort(), [...savedKey.right].sort(), 'the answer saved by the script survives a reload');
  assert.match(await page.locator('#save-status').innerText(), /^1 of 18 answered\.$/);

  // Half the answers, then "Save and finish later".
  const half = ids.slice(0, ids.length / 2);
  for (const id of half) {
    await tabTo(page, (el) => el.name === `q.${id}`, `question ${id}`);
    await answerByKeyboard(page, id, key.get(id).right);
  }
  await activate(page, button('Save and finish later'), 'the "Save and finish later" button');
  assert.equal(path(page), `/training/${MANDATORY.slug}/assessment`);
  assert.match(await page.locator('.nhsuk-notification-banner').innerText(), /Your answers are saved/);
  const answered = new Set([...half, saved]).size;
  assert.match(await page.locator('#save-status').innerText(), new RegExp(`^${answered} of 18 answered\\.$`));
  await audit.check(page, 'Final assessment, saved to finish later');

  await answerAllByKeyboard(page, key, '#assessment');
  await activate(page, button('Submit my answers'), 'the "Submit my answers" button');
  assert.match(path(page), /^\/training\/attempts\/[0-9a-f-]{36}$/);
  assert.match(await heading(page), /Your result$/);
  assert.equal(await page.locator('.nhsuk-panel__title').innerText(), 'You passed');
  assert.match(await page.locator('.nhsuk-panel__body').innerText(), /You scored 100% \(18 out of 18\)/);
  const certificate = page.getByRole('link', { name: 'Download your certificate (PDF)' });
  const pdfHref = await certificate.getAttribute('href');
  assert.match(pdfHref, /^\/training\/certificates\/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\.pdf$/);
  const pdf = await page.request.get(pdfHref);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  await audit.check(page, 'Result, passed, with the certificate');

  // The public check of the certificate, reached from the result page.
  const verify = await activate(page, (el) => el.tag === 'a' && el.href.startsWith('/verify/'), 'the certificate check link');
  assert.equal(verify.status(), 200);
  state.code = path(page).replace('/verify/', '');
  assert.equal(`/training/certificates/${state.code}.pdf`, pdfHref);
  assert.equal(await page.locator('.nhsuk-panel__title').innerText(), 'This certificate is genuine and valid');
  assert.match(await page.locator('.nhsuk-summary-list').innerText(), new RegExp(MANDATORY.title));
  await audit.check(page, 'Check a training certificate, valid (signed in)');

  await activate(page, menuLink('My training'), 'the "My training" menu link');
  assert.equal(path(page), '/training');
  assert.match(await card.innerText(), /Completed/);
  assert.match(await page.locator('table').innerText(), new RegExp(MANDATORY.title));
  await audit.check(page, 'My training, mandatory course completed');

  // The learner's own record is JSON, not a page.
  const record = await page.request.get('/training/record.json');
  assert.equal(record.status(), 200);
  assert.match(record.headers()['content-type'], /^application\/json/);
  const json = await record.json();
  assert.equal(json.completions.length, 1);
  assert.equal(json.completions[0].course, MANDATORY.slug);
  assert.equal(json.completions[0].certificate_code, state.code);
  assert.equal(json.completions[0].valid, true);
  await page.context().close();
});

test('a member of staff fails an assessment and reads the feedback', async () => {
  const key = await answerKey(OTHER.slug);
  const page = await acceptInvitation(FAILING_LEARNER);
  await open(page, `/training/${OTHER.slug}`);
  await navigates(page, () => page.getByRole('button', { name: 'Start the course' }).click());
  assert.match(path(page), new RegExp(`^/training/${OTHER.slug}/lessons/`));

  // The final assessment can be taken without the lessons.
  await open(page, `/training/${OTHER.slug}/assessment`);
  await navigates(page, () => page.getByRole('button', { name: 'Start the assessment' }).click());
  const ids = await questionIds(page, '#assessment');
  assert.ok(ids.length >= 5);
  const scenarios = await page.locator('#assessment .app-example-message').count();
  assert.ok(scenarios > 0 || state.scenarioShown === true,
    'an assessment with a scenario question and its example message has been checked');
  await audit.check(page, `Final assessment (${OTHER.slug}), ${scenarios} example message(s)`);

  // The same assessment left open in a second tab, to submit after it has ended.
  const stale = audit.watch(await page.context().newPage());
  await open(stale, `/training/${OTHER.slug}/assessment`);

  // Wrong answers to all but the last question, which is left unanswered.
  for (const id of ids.slice(0, -1)) {
    const q = key.get(id);
    assert.ok(q, `question ${id} is not in the course files`);
    await page.locator(`[id="${id}--${q.wrong[0]}"]`).check();
  }
  await navigates(page, () => page.getByRole('button', { name: 'Submit my answers' }).click());
  assert.match(path(page), /^\/training\/attempts\/[0-9a-f-]{36}$/);
  const main = page.getByRole('main');
  assert.equal(await main.getByRole('heading', { name: 'You did not pass this time' }).count(), 1);
  assert.equal(await main.locator('.nhsuk-tag', { hasText: /^Not quite$/ }).count(), ids.length - 1);
  assert.equal(await main.getByText('You did not answer this question').count(), 1);
  assert.equal(await main.getByRole('link', { name: 'Try again' }).count(), 1);
  await audit.check(page, 'Result, not passed, with feedback');

  await navigates(page, () => main.getByRole('link', { name: 'Try again' }).click());
  await navigates(page, () => page.getByRole('button', { name: 'Start the assessment' }).click());
  assert.match(await page.locator('#save-status').innerText(), /^0 of \d+ answered\.$/, 'a retake starts afresh');

  // Answers from the first attempt's tab are refused, not put on the new attempt.
  const refused = await navigates(stale, () => stale.getByRole('button', { name: 'Submit my answers' }).click());
  assert.equal(refused.status(), 409);
  await checkErrorSummaryLinks(stale, audit, 'Final assessment, submitted from an ended attempt');
  await audit.check(stale, 'Final assessment, submitted from an ended attempt');
  await page.context().close();
});

test('the certificate check for people who are not signed in', async () => {
  assert.ok(state.code, 'needs the certificate from the first test');
  const page = await newPage();
  const found = await open(page, `/verify/${state.code.toLowerCase()}`);
  assert.equal(found.status(), 200);
  assert.equal(await page.locator('.nhsuk-panel__title').innerText(), 'This certificate is genuine and valid');
  await audit.check(page, 'Check a training certificate, valid (signed out)');

  const unknown = await open(page, '/verify/ABCD-EFGH-JKMN');
  assert.equal(unknown.status(), 404);
  assert.equal(await heading(page), 'Check a training certificate');
  assert.match(await page.getByRole('main').innerText(), /We could not find a certificate with the code ABCD-EFGH-JKMN/);
  await audit.check(page, 'Check a training certificate, unknown code');

  const record = await page.request.get('/training/record.json', { maxRedirects: 0 });
  assert.ok([302, 303, 401].includes(record.status()), `a signed-out request for /training/record.json answers ${record.status()}`);
  await page.context().close();
});

test('every learner page has no accessibility violations, no sideways scrolling and a working skip link', () => {
  audit.assertClean();
  assert.ok(audit.pages.length >= 20, `only ${audit.pages.length} pages were checked: a test stopped early`);
});
