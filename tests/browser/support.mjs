// Shared helpers for the browser tests: start a demo CareCERT server, drive one Chromium,
// read the email outbox, make two-step codes, and check each page for accessibility,
// reflow and the skip link.
//
// Run with `cargo build && node --test tests/browser/`.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BINARY = path.join(ROOT, 'target', 'debug', 'carecert');

/** Every demo account's password and two-step secret (src/demo.rs). */
export const DEMO_PASSWORD = 'lantern meadow copper';
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** Demo accounts used by the tests (src/demo.rs, PEOPLE). */
export const DEMO = {
  admin: 'admin@carecert.example',
  analyst: 'analyst@carecert.example',
  lead: 'lead@northfield-hospitals.example',
  staff: 'nurse@northfield-hospitals.example',
};

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
export const WIDTHS = [1280, 320];
const HEIGHT = 800;

// ---------------------------------------------------------------------------------------
// The server

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `carecert serve --demo` on a free port with its own database and outbox.
 * Returns { url, outbox, stop() }.
 */
export async function startServer() {
  if (!existsSync(BINARY)) {
    throw new Error(`${BINARY} does not exist. Build the server first with \`cargo build\`, then run \`node --test tests/browser/\`.`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'carecert-browser-'));
  const outbox = path.join(dir, 'outbox');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    'serve', '--demo',
    '--database-url', `sqlite://${dir}/b.db`,
    '--bind', `127.0.0.1:${port}`,
    '--public-url', url,
    '--outbox-dir', outbox,
    '--job-poll-ms', '100',
  ];
  const env = { ...process.env, CARECERT_LOG: process.env.CARECERT_LOG ?? 'warn' };
  for (const key of Object.keys(env)) {
    // Settings from the developer's shell must not change the server under test.
    if (key.startsWith('CARECERT_') && key !== 'CARECERT_LOG') delete env[key];
  }
  const child = spawn(BINARY, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let running = true;
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  exited.then(() => {
    running = false;
    process.off('exit', killOnExit);
  });

  const stop = async () => {
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Wait until /healthz answers (the demo data, with its password hashing, loads first).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running) {
      await stop();
      throw new Error(`carecert serve exited before it was ready:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`carecert serve did not answer ${url}/healthz within 60 s:\n${output}`);
    }
    await delay(100);
  }
  return { url, outbox, stop, output: () => output };
}

// ---------------------------------------------------------------------------------------
// Email

function decodeQuotedPrintable(text) {
  const soft = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Splits a raw .eml message into lower-cased, unfolded headers and a decoded body. */
export function parseEmail(raw) {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  let body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (encoding === 'quoted-printable') body = decodeQuotedPrintable(body);
  else if (encoding === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return { headers, body };
}

/**
 * Waits for an email to `address` and returns the newest one, written after `since`
 * (a Date.now() value), as { headers, body }.
 */
export async function waitForEmail(outbox, address, { since = 0, timeout = 15_000 } = {}) {
  const deadline = Date.now() + timeout;
  const wanted = address.toLowerCase();
  for (;;) {
    let newest = null;
    const names = existsSync(outbox) ? await readdir(outbox) : [];
    for (const name of names.filter((n) => n.endsWith('.eml'))) {
      const file = path.join(outbox, name);
      const { mtimeMs } = await stat(file);
      if (mtimeMs < since - 1000) continue;
      const message = parseEmail(await readFile(file, 'utf8'));
      if (!(message.headers.to ?? '').toLowerCase().includes(wanted)) continue;
      if (!newest || mtimeMs > newest.mtimeMs) newest = { mtimeMs, message };
    }
    if (newest) return newest.message;
    if (Date.now() > deadline) throw new Error(`No email to ${address} arrived in ${outbox} within ${timeout} ms`);
    await delay(100); // Polling the outbox: the worker sends queued email every 100 ms.
  }
}

/** The first link in an email body whose path starts with `pathPrefix`. */
export function linkIn(message, pathPrefix) {
  const match = message.body.match(new RegExp(`https?://[^\\s]+${pathPrefix}[^\\s]*`));
  assert.ok(match, `The email "${message.headers.subject}" has no ${pathPrefix} link:\n${message.body}`);
  return match[0];
}

// ---------------------------------------------------------------------------------------
// Two-step codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits)

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.toUpperCase().replace(/[\s=]/g, '')) {
    const index = alphabet.indexOf(ch);
    if (index < 0) throw new Error(`Not base32: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(secret, unixMs = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixMs / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

const lastStep = new Map();

/**
 * A two-step code the server has not yet accepted for `account`, as the person's app would
 * show it. Each code signs in once, so signing the same person in again uses the app's next
 * code, waiting for it as a person would when it is not showing yet (the server accepts a
 * code from the step before its own).
 */
export async function freshTotp(account, secret) {
  const now = Math.floor(Date.now() / 1000);
  const step = Math.max(Math.floor(now / 30), (lastStep.get(account) ?? -1) + 1);
  const usableFrom = (step - 1) * 30;
  if (usableFrom > now) await new Promise((done) => setTimeout(done, (usableFrom - now + 1) * 1000));
  lastStep.set(account, step);
  return totp(secret, step * 30 * 1000);
}

// ---------------------------------------------------------------------------------------
// The browser

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CARECERT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // The design system's stylesheet asks for fonts from assets.nhs.uk: with no network,
      // fail every host name at once rather than wait for DNS (the server is 127.0.0.1).
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

/** A fresh browser context (its own cookies) that can only reach the server under test. */
export async function newContext(browser, baseURL) {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: WIDTHS[0], height: HEIGHT },
    serviceWorkers: 'block',
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return context;
}

/**
 * Runs `action` (a click or key press that submits a form or follows a link) and waits
 * until the page it leads to has loaded. Returns the main document's response.
 */
export async function navigates(page, action) {
  const response = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame() && !(r.status() >= 300 && r.status() < 400),
  );
  const committed = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  await action();
  const [res] = await Promise.all([response, committed]);
  await page.waitForLoadState('load');
  return res;
}

/** The labels of the links in the header's main menu (including any moved under "More"). */
export async function menuLabels(page) {
  return page.locator('header nav[aria-label="Menu"] a').evaluateAll(
    (links) => links.map((a) => a.textContent.replace(/\s+/g, ' ').trim()),
  );
}

/**
 * Signs in as a demo account with password and, if asked for, a two-step code. The sign-in
 * pages are checked only if `check` is set (the journey test checks them already).
 */
export async function signIn(page, audit, email, { check = false } = {}) {
  await navigates(page, () => page.goto('/sign-in'));
  if (check) await audit.check(page, `Sign in (${email})`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await navigates(page, () => page.getByRole('button', { name: 'Sign in' }).click());
  if (new URL(page.url()).pathname === '/sign-in/two-step') {
    if (check) await audit.check(page, `Enter your security code (${email})`);
    await page.getByLabel('Security code').fill(await freshTotp(email, DEMO_TOTP_SECRET));
    await navigates(page, () => page.getByRole('button', { name: 'Continue' }).click());
  }
  assert.equal(new URL(page.url()).pathname, '/', `${email} should land on the home page after signing in`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Welcome to CareCERT');
}

// ---------------------------------------------------------------------------------------
// Checking pages

/** The page's path and query, without the CSRF token some forms put in their action. */
function shownUrl(page) {
  const url = new URL(page.url());
  url.searchParams.delete('csrf_token');
  return url.pathname + url.search;
}

function describeViolation(v) {
  const nodes = v.nodes.map((n) => {
    const summary = (n.failureSummary ?? '').split('\n').map((l) => `          ${l}`).join('\n');
    return `        - ${n.target.join(' >> ')}\n          html: ${n.html.slice(0, 200)}\n${summary}`;
  });
  return `    [${v.impact}] ${v.id}: ${v.help}\n      ${v.helpUrl}\n${nodes.join('\n')}`;
}

/**
 * Collects every problem found on the pages a test visits, so one run lists them all; the
 * test calls `assertClean()` at the end. A problem on one page does not stop the journey.
 */
export class PageAudit {
  constructor() {
    this.problems = [];
    this.pages = [];
    this.pageErrors = new WeakMap();
  }

  /** Records uncaught script errors and CSP violations on `page`, reported with the next check. */
  watch(page) {
    const errors = [];
    this.pageErrors.set(page, errors);
    page.on('pageerror', (e) => errors.push(`script error: ${e.message}`));
    // A style or script the Content Security Policy blocks can break a page's layout or
    // its components without any other sign.
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(`blocked: ${m.text()}`);
    });
    return page;
  }

  problem(label, url, text) {
    this.problems.push(`${label} (${url})\n  ${text}`);
  }

  /**
   * Checks the page as it is now, at each width: axe-core finds no WCAG 2.2 A/AA
   * violation, nothing scrolls sideways, and the first Tab reaches the skip link, whose
   * Enter moves focus to the main content. Leaves the page at 1280 px with focus reset.
   */
  async check(page, label) {
    const url = shownUrl(page);
    this.pages.push(`${label} (${url})`);
    const errors = this.pageErrors.get(page) ?? [];
    for (const message of errors.splice(0)) this.problem(label, url, message);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: HEIGHT });
      await settle(page);
      const at = `${label} at ${width} px`;

      const results = await axe(page);
      for (const v of results.violations) this.problem(at, url, `axe:\n${describeViolation(v)}`);

      const reflow = await page.evaluate(overflowReport);
      if (reflow) this.problem(at, url, describeOverflow(reflow));
      // Content behind a closed "details" must fit too, once someone opens it.
      const opened = await page.evaluate(() => [...document.querySelectorAll('details:not([open])')].map((d) => {
        d.open = true;
        d.dataset.checkOpened = '';
        return d.querySelector('summary')?.textContent.replace(/\s+/g, ' ').trim() ?? 'details';
      }));
      if (opened.length) {
        await settle(page);
        const hidden = await page.evaluate(overflowReport);
        if (hidden && (!reflow || hidden.width > reflow.width)) {
          this.problem(at, url, `once ${opened.map((o) => `"${o}"`).join(' and ')} is opened, ${describeOverflow(hidden)}`);
        }
        await page.evaluate(() => {
          for (const d of document.querySelectorAll('details[data-check-opened]')) {
            d.open = false;
            delete d.dataset.checkOpened;
          }
        });
        await settle(page);
      }

      const skip = await checkSkipLink(page);
      if (skip) this.problem(at, url, skip);
    }
    await page.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
    await settle(page);
    await resetFocus(page);
  }

  /** Fails the test with every problem found, or passes if there were none. */
  assertClean() {
    if (this.problems.length) {
      assert.fail(
        `${this.problems.length} problem(s) on the ${this.pages.length} page states checked:\n\n${this.problems.join('\n\n')}\n`,
      );
    }
  }
}

/**
 * Runs axe-core on the page for WCAG 2.0, 2.1 and 2.2 A and AA. Legacy mode runs axe in
 * the page itself (our pages have no frames) instead of in an extra blank page, and axe is
 * injected only once per document: both save seconds on every check.
 */
export async function axe(page) {
  const injected = await page.evaluate(() => typeof window.axe?.run === 'function');
  const builder = new AxeBuilder(injected ? { page, axeSource: ';' } : { page });
  return builder.withTags(AXE_TAGS).setLegacyMode(true).analyze();
}

function describeOverflow({ width, limit, culprits }) {
  return `the page scrolls sideways: it is ${width} px wide in a ${limit} px window. Sticking out:\n    ${culprits.join('\n    ') || '(no single element found)'}`;
}

/**
 * Runs in the page: null if nothing scrolls sideways, otherwise the document width and the
 * innermost elements that stick out past the window (ignoring any inside a box that clips
 * or scrolls its content), named by a short CSS path, for the developer to fix.
 */
function overflowReport() {
  const limit = window.innerWidth;
  const width = document.documentElement.scrollWidth;
  if (width <= limit) return null;
  const sticksOut = (el) => el.getBoundingClientRect().right > limit + 0.5;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX !== 'visible' || style.clipPath !== 'none' || style.clip !== 'auto') return true;
    }
    return false;
  };
  const name = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '') + [...e.classList].slice(0, 2).map((c) => `.${c}`).join(''));
    }
    return parts.join(' > ');
  };
  const seen = new Map();
  for (const el of document.querySelectorAll('body *')) {
    if (!sticksOut(el) || [...el.children].some(sticksOut) || el.getBoundingClientRect().width <= 1) continue;
    if (el.checkVisibility?.() === false || clipped(el)) continue;
    const key = name(el);
    const right = Math.round(el.getBoundingClientRect().right);
    if (!seen.has(key) || seen.get(key).right < right) {
      seen.set(key, { right, text: el.textContent.replace(/\s+/g, ' ').trim().slice(0, 40) });
    }
  }
  const culprits = [...seen].sort((a, b) => b[1].right - a[1].right).slice(0, 6)
    .map(([key, { right, text }]) => `${key} (to ${right} px${text ? `: "${text}"` : ''})`);
  return { limit, width, culprits };
}

/** Waits two animation frames so layout and resize handlers have run. */
async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * Puts keyboard focus back at the start of the document, as on a fresh page load (a page
 * may have moved focus itself, like the error summary does, or an earlier check may have).
 */
export async function resetFocus(page) {
  await page.evaluate(() => {
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    const body = document.body;
    const had = body.getAttribute('tabindex');
    body.setAttribute('tabindex', '-1');
    body.focus({ preventScroll: true });
    if (had === null) body.removeAttribute('tabindex');
    else body.setAttribute('tabindex', had);
    window.scrollTo(0, 0);
  });
}

/** Returns null if the skip link works from the keyboard, or what went wrong. */
async function checkSkipLink(page) {
  await resetFocus(page);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { none: true };
    const box = el.getBoundingClientRect();
    return {
      text: el.textContent.replace(/\s+/g, ' ').trim(),
      href: el.getAttribute('href'),
      html: el.outerHTML.replace(/\s+/g, ' ').slice(0, 120),
      visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
    };
  });
  if (first.none) return 'the first Tab press focused nothing';
  if (first.text !== 'Skip to main content') return `the first Tab press focused ${first.html}, not the "Skip to main content" link`;
  if (!first.visible) return 'the focused "Skip to main content" link is not visible on screen';
  await page.keyboard.press('Enter');
  const target = (first.href ?? '').replace(/^#/, '');
  try {
    await page.waitForFunction(
      (id) => { const el = document.activeElement; return !!el && (el.id === id || (el.closest('main') && el.closest('main').id === id)); },
      target,
      { timeout: 2000 },
    );
  } catch {
    const now = await page.evaluate(() => document.activeElement?.outerHTML.replace(/\s+/g, ' ').slice(0, 120) ?? 'nothing');
    return `Enter on "Skip to main content" did not move focus to #${target}; focus is on ${now}`;
  }
  const main = await page.evaluate((id) => document.getElementById(id)?.tagName.toLowerCase(), target);
  if (main !== 'main') return `the skip link points at #${target}, which is a <${main}>, not the <main> element`;
  await resetFocus(page);
  return null;
}

/** Clicks each link in the error summary and checks it moves focus to the field it names. */
export async function checkErrorSummaryLinks(page, audit, label) {
  const url = shownUrl(page);
  const summary = page.locator('.nhsuk-error-summary');
  await summary.waitFor();
  const focusedOnLoad = await page.evaluate(
    () => !!document.activeElement?.closest('.nhsuk-error-summary'),
  );
  if (!focusedOnLoad) audit.problem(label, url, 'the error summary did not receive focus when the page loaded');
  const links = summary.locator('a');
  const count = await links.count();
  assert.ok(count > 0, `${label}: the error summary lists no errors`);
  for (let i = 0; i < count; i++) {
    const link = links.nth(i);
    const id = (await link.getAttribute('href')).replace(/^#/, '');
    await link.click();
    const focused = await page.evaluate(() => document.activeElement?.id ?? '');
    if (focused !== id) {
      audit.problem(label, url, `the error summary link "${await link.textContent()}" did not move focus to #${id} (focus is on #${focused})`);
    }
  }
  await resetFocus(page);
  return count;
}
