// The Alerts service's machine formats, read as a security tool would read them: the CSAF 2.0
// provider metadata, the ROLIE feeds it names and every CSAF document those feeds list, each
// document checked with the BSI's csaf-validator-lib "basic" preset (the strict schema and
// every mandatory test); then the Atom feed for people's feed readers. No browser is needed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as basic from '@secvisogram/csaf-validator-lib/basic.js';
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js';

import { startServer } from './support.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

/** Fetches `url` and checks it answered 200 with a JSON media type; returns the parsed body. */
async function getJson(url) {
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 200, `GET ${url} answered ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  assert.match(type, /^application\/json\b/, `GET ${url} is served as "${type}", not JSON`);
  return res.json();
}

/** The CSAF 2.0 file name rule (section 5.1). */
const csafFilename = (trackingId) => `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;

const isDate = (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value));

test('the CSAF provider metadata, its ROLIE feeds and every document they list are valid', async () => {
  const metadataUrl = `${server.url}/.well-known/csaf/provider-metadata.json`;
  const metadata = await getJson(metadataUrl);
  assert.equal(metadata.canonical_url, metadataUrl);
  assert.ok(isDate(metadata.last_updated), `last_updated is not a date: ${metadata.last_updated}`);
  assert.equal(typeof metadata.list_on_CSAF_aggregators, 'boolean');
  assert.equal(typeof metadata.mirror_on_CSAF_aggregators, 'boolean');
  assert.equal(metadata.metadata_version, '2.0');
  assert.ok(['csaf_publisher', 'csaf_provider', 'csaf_trusted_provider'].includes(metadata.role), `role is ${metadata.role}`);
  for (const member of ['category', 'name', 'namespace']) {
    assert.ok(metadata.publisher?.[member], `publisher.${member} is missing`);
  }

  const feeds = (metadata.distributions ?? []).flatMap((d) => d.rolie?.feeds ?? []);
  assert.ok(feeds.length > 0, 'the provider metadata names no ROLIE feed');

  const problems = [];
  const categories = new Set();
  let documents = 0;
  for (const { tlp_label: label, url: feedUrl } of feeds) {
    assert.ok(label, `the feed ${feedUrl} has no tlp_label`);
    const { feed } = await getJson(feedUrl);
    assert.ok(feed, `${feedUrl} has no "feed" member`);
    for (const member of ['id', 'title', 'updated']) assert.ok(feed[member], `${feedUrl}: feed.${member} is missing`);
    assert.ok(isDate(feed.updated), `${feedUrl}: feed.updated is not a date`);
    assert.equal(feed.link?.find((l) => l.rel === 'self')?.href, feedUrl, `${feedUrl}: no self link to itself`);
    assert.ok(
      feed.category?.some((c) => c.scheme === 'urn:ietf:params:rolie:category:information-type' && c.term === 'csaf'),
      `${feedUrl}: not categorised as a CSAF feed`,
    );
    assert.ok(Array.isArray(feed.entry), `${feedUrl}: feed.entry is not a list`);

    for (const entry of feed.entry) {
      const docUrl = entry.link?.find((l) => l.rel === 'self')?.href;
      assert.ok(docUrl, `${feedUrl}: entry ${entry.id} has no self link`);
      assert.equal(entry.content?.src, docUrl, `${feedUrl}: entry ${entry.id} links two different documents`);
      assert.equal(entry.content?.type, 'application/json');
      assert.equal(entry.format?.version, '2.0');
      for (const member of ['id', 'title', 'published', 'updated']) {
        assert.ok(entry[member], `${feedUrl}: entry ${entry.id} has no ${member}`);
      }

      const doc = await getJson(docUrl);
      documents += 1;
      const tracking = doc.document?.tracking ?? {};
      categories.add(doc.document?.category);
      if (tracking.id !== entry.id) problems.push(`${docUrl}: tracking ID "${tracking.id}" is not the feed entry's "${entry.id}"`);
      const name = decodeURIComponent(new URL(docUrl).pathname.split('/').pop());
      if (name !== csafFilename(String(tracking.id))) {
        problems.push(`${docUrl}: the file name should be ${csafFilename(String(tracking.id))}`);
      }
      const year = String(tracking.initial_release_date).slice(0, 4);
      const folder = `/.well-known/csaf/${label.toLowerCase()}/${year}/`;
      if (!new URL(docUrl).pathname.includes(folder)) problems.push(`${docUrl}: should be in ${folder}`);
      if (doc.document?.distribution?.tlp?.label !== label) {
        problems.push(`${docUrl}: labelled TLP:${doc.document?.distribution?.tlp?.label} in the TLP:${label} feed`);
      }

      const result = await validateStrict(Object.values(basic), doc);
      for (const t of result.tests) {
        for (const e of t.errors) problems.push(`${docUrl}: ${t.name} ${e.instancePath || '/'}: ${e.message}`);
      }
      if (!result.isValid && !result.tests.some((t) => t.errors.length)) {
        problems.push(`${docUrl}: csaf-validator-lib says it is invalid`);
      }
    }
  }

  assert.deepEqual(problems, [], `${problems.length} problem(s) in ${documents} CSAF document(s):\n${problems.join('\n')}`);
  assert.ok(categories.has('csaf_security_advisory'), `no security advisory among ${[...categories].join(', ')}`);
  assert.ok(categories.has('csaf_informational_advisory'), `no informational advisory among ${[...categories].join(', ')}`);
});

/**
 * A light well-formedness check: only XML 1.0 characters, every `&` starts an entity or
 * character reference, attribute values are quoted, and tags nest. Returns the element
 * names in document order.
 */
function xmlElements(xml) {
  assert.ok(!/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(xml), 'the feed holds characters XML 1.0 forbids');
  const checkText = (text) => {
    assert.ok(!text.includes('<'), `a stray < in ${JSON.stringify(text)}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text), `a bare & in ${JSON.stringify(text)}`);
  };
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const open = [];
  const names = [];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let last = 0;
  for (const m of body.matchAll(tag)) {
    checkText(body.slice(last, m.index));
    last = m.index + m[0].length;
    const [, closing, name, attributes, empty] = m;
    for (const a of attributes.matchAll(/=\s*(?:"([^"]*)"|'([^']*)')/g)) checkText(a[1] ?? a[2]);
    if (closing) {
      assert.equal(open.pop(), name, `</${name}> closes the wrong element`);
    } else {
      names.push(name);
      if (!empty) open.push(name);
    }
  }
  checkText(body.slice(last));
  assert.deepEqual(open, [], `elements left open: ${open.join(', ')}`);
  return names;
}

test('the Atom feed of advisories is well-formed Atom', async () => {
  const url = `${server.url}/alerts/feed.atom`;
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 200, `GET ${url} answered ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/(atom\+)?xml\b/);
  const xml = await res.text();
  assert.ok(xml.startsWith('<?xml'), 'the feed does not start with an XML declaration');
  assert.ok(xml.includes('<feed xmlns="http://www.w3.org/2005/Atom">'), 'no Atom <feed> element');
  const names = xmlElements(xml);
  assert.equal(names[0], 'feed');

  const head = xml.slice(0, xml.search(/<entry>|<\/feed>/));
  for (const member of ['id', 'title', 'updated']) {
    assert.match(head, new RegExp(`<${member}>[^<]+</${member}>`), `the feed has no <${member}>`);
  }
  assert.match(head, /<author>\s*<name>[^<]+<\/name>/, 'the feed has no <author>');
  assert.match(head, /<link rel="self"[^>]*href="[^"]+"/, 'the feed has no self link');

  const entries = [...xml.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => m[1]);
  assert.ok(entries.length > 0, 'the feed has no entries');
  const ids = new Set();
  for (const entry of entries) {
    for (const member of ['id', 'title', 'updated']) {
      assert.match(entry, new RegExp(`<${member}>[^<]+</${member}>`), `an entry has no <${member}>:\n${entry}`);
    }
    const updated = entry.match(/<updated>([^<]+)<\/updated>/)[1];
    assert.ok(isDate(updated), `an entry's <updated> is not a date: ${updated}`);
    const id = entry.match(/<id>([^<]+)<\/id>/)[1];
    assert.ok(!ids.has(id), `two entries share the id ${id}`);
    ids.add(id);
    assert.match(entry, /<link rel="alternate"[^>]*href="[^"]+\/alerts\/[^"]+"/, `an entry has no link to its page:\n${entry}`);
  }
});
