'use strict';
// constructEvent on realistic Stripe events (fixtures and generated ~90 KB and
// ~1 MB bodies): equal to JSON.parse and to stripe-node's result, lazy `data`
// as API.md allows it, the internal envelope, and the snapshot of bytes; once
// per implementation (the portable one builds plain JSON.parse objects).
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const Stripe = require('stripe');
const { prepareVerification } = require('../../lib/verify');
const fixtures = require('../fixtures/events/generate');
const { ENGINES } = require('./support/engines');

const secret = 'whsec_events_test';
const stripe = new Stripe('sk_test_events');

function bodies() {
  const list = fixtures.NAMES.map((name) => [name, fixtures.text(fixtures.fixture(name))]);
  list.push(['invoice.paid ~90 KB', fixtures.text(fixtures.invoicePaidEventOfSize(90_000))]);
  list.push(['invoice.paid ~1 MB', fixtures.text(fixtures.invoicePaidEventOfSize(1_000_000))]);
  return list;
}

for (const { name: implementation, hookwise, engine, entry } of ENGINES) describe(implementation, () => {
  const isNative = implementation === 'native';
  const sign = (text) => hookwise.generateTestHeaderString({ payload: text, secret });
  // The handler's call: the event and its envelope, from this implementation's engine.
  const verifyAndParse = (payload, header, key) => engine.parse(prepareVerification(payload, header, key), true);
  const verifyAndParseAsync = async (payload, header, key) => engine.parseAsync(prepareVerification(payload, header, key), true);

  test('fixtures: sizes are what the bench and the issue name', () => {
    const all = Object.fromEntries(bodies());
    assert.ok(Buffer.byteLength(all['invoice.paid ~90 KB']) >= 90_000 && Buffer.byteLength(all['invoice.paid ~90 KB']) < 95_000);
    assert.ok(Buffer.byteLength(all['invoice.paid ~1 MB']) >= 1_000_000 && Buffer.byteLength(all['invoice.paid ~1 MB']) < 1_010_000);
  });

  for (const [name, text] of bodies()) {
    test(`${name}: equal to JSON.parse and to stripe-node, sync and async, string and bytes`, async () => {
      const header = sign(text);
      const expected = JSON.parse(text);
      const reference = stripe.webhooks.constructEvent(text, header, secret);
      for (const payload of [text, Buffer.from(text), new Uint8Array(Buffer.from(text))]) {
        for (const construct of [hookwise.constructEvent, hookwise.constructEventAsync]) {
          const event = await construct(payload, header, secret);
          assert.deepStrictEqual(event, expected);
          assert.deepStrictEqual(event, reference);
          assert.deepStrictEqual(Object.keys(event), Object.keys(expected));
          assert.equal(JSON.stringify(event), text.trimEnd().length ? JSON.stringify(expected) : '');
        }
      }
      const { envelope } = verifyAndParse(text, header, secret);
      assert.equal(envelope.native, isNative);
      assert.equal(envelope.id, expected.id);
      assert.equal(envelope.type, expected.type);
      assert.equal(envelope.created, expected.created);
      assert.equal(envelope.livemode, expected.livemode);
      assert.equal(envelope.apiVersion, expected.api_version);
      assert.equal(envelope.objectId, expected.data.object.id);
      assert.equal(envelope.objectType, expected.data.object.object);
    });
  }

  test('data is a lazy accessor until first read (native), then a plain data property', () => {
    const text = fixtures.text(fixtures.fixture('checkout.session.completed'));
    const event = hookwise.constructEvent(Buffer.from(text), sign(text), secret);
    if (!isNative) {
      // The portable engine's event is JSON.parse's own result: no accessor at all.
      assert.deepStrictEqual(Object.getOwnPropertyDescriptor(event, 'data'), {
        value: JSON.parse(text).data, writable: true, enumerable: true, configurable: true,
      });
      assert.deepStrictEqual(Object.getOwnPropertySymbols(event), []);
      return;
    }
    const before = Object.getOwnPropertyDescriptor(event, 'data');
    assert.equal(typeof before.get, 'function');
    assert.equal(before.enumerable, true);
    assert.equal(before.configurable, true);
    assert.equal(Object.getPrototypeOf(event), Object.prototype);
    // Scalars are plain data properties from the start.
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(event, 'id'), {
      value: JSON.parse(text).id, writable: true, enumerable: true, configurable: true,
    });
    const data = event.data;
    assert.equal(event.data, data, 'the same object on every read');
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(event, 'data'), {
      value: data, writable: true, enumerable: true, configurable: true,
    });
  });

  test('assigning to a lazy member before reading it replaces it', () => {
    const text = fixtures.text(fixtures.fixture('invoice.paid'));
    const event = hookwise.constructEvent(text, sign(text), secret);
    event.data = 42;
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(event, 'data'), {
      value: 42, writable: true, enumerable: true, configurable: true,
    });
    assert.deepStrictEqual(Object.keys(event), Object.keys(JSON.parse(text)));
  });

  test('events built one after another keep their own lazy members', () => {
    const texts = ['invoice.paid', 'customer.subscription.updated', 'checkout.session.completed'].map((type) => fixtures.text(fixtures.fixture(type)));
    const events = texts.map((text, i) => hookwise.constructEvent(i % 2 ? text : Buffer.from(text), sign(text), secret));
    for (const i of [2, 0, 1]) assert.deepStrictEqual(events[i].data, JSON.parse(texts[i]).data);
    // An unread copy made with Object.assign reads through the accessor into a plain value.
    const unread = hookwise.constructEvent(texts[1], sign(texts[1]), secret);
    assert.deepStrictEqual({ ...unread }, JSON.parse(texts[1]));
    assert.deepStrictEqual(structuredClone(hookwise.constructEvent(texts[0], sign(texts[0]), secret)), JSON.parse(texts[0]));
  });

  test('console.log(event) prints what it prints for JSON.parse, before any read', () => {
    const text = fixtures.text(fixtures.fixture('customer.subscription.updated'));
    for (const options of [{}, { depth: null }, { depth: 0 }, { colors: true, compact: false }]) {
      const event = hookwise.constructEvent(text, sign(text), secret);
      assert.equal(util.inspect(event, options), util.inspect(JSON.parse(text), options));
      assert.equal(util.format('%o', hookwise.constructEvent(text, sign(text), secret)), util.format('%o', JSON.parse(text)));
    }
    const event = hookwise.constructEvent(text, sign(text), secret);
    // The native event's hook and lazy state are symbols no enumeration sees (none at all when portable).
    const symbols = Object.getOwnPropertySymbols(event);
    assert.equal(symbols.length, isNative ? 2 : 0);
    assert.ok(symbols.every((s) => !Object.getOwnPropertyDescriptor(event, s).enumerable));
    void event.data;
    util.inspect(event);
    assert.deepStrictEqual(Object.getOwnPropertySymbols(event), [], 'once inspected, nothing is left but what JSON.parse builds');
  });

  test('changing the Buffer after constructEvent does not change the event', () => {
    const ascii = JSON.stringify({ id: 'evt_a', object: 'event', data: { object: { id: 'x', pad: 'p'.repeat(400) } }, type: 't' });
    const texts = [
      fixtures.text(fixtures.fixture('invoice.paid')), // small, not ASCII: copied
      ascii, // small, ASCII: decoded into one string
      fixtures.text(fixtures.invoicePaidEventOfSize(40_000)), // large: snapshot
    ];
    for (const text of texts) {
      const bytes = Buffer.from(text);
      const event = hookwise.constructEvent(bytes, sign(text), secret);
      bytes.fill(0x20);
      assert.deepStrictEqual(event, JSON.parse(text));
    }
  });

  test('non-ASCII string payloads: offsets are UTF-16 indices, not byte offsets', () => {
    const event = {
      id: 'evt_ü😀',
      object: 'event',
      note: '€'.repeat(50),
      data: { object: { id: 'cus_é', object: 'customer', name: '😀'.repeat(200) } },
      'clé': 'valeur ✓',
      type: 'customer.updated',
    };
    for (const text of [JSON.stringify(event), JSON.stringify(event, null, 2)]) {
      assert.deepStrictEqual(hookwise.constructEvent(text, sign(text), secret), JSON.parse(text));
      const { envelope } = verifyAndParse(text, sign(text), secret);
      assert.equal(envelope.native, isNative);
      assert.equal(envelope.objectId, 'cus_é'); // not ASCII: read from the materialised data
      assert.equal(envelope.objectType, 'customer');
    }
  });

  test('the envelope of a fallback parse comes from JSON.parse', async () => {
    const text = '{"id":"evt_1","type":"a.b","big":1e400,"data":{"object":{"id":"x","object":"y"}}}';
    for (const parse of [verifyAndParse, verifyAndParseAsync]) {
      const { event, envelope } = await parse(text, sign(text), secret);
      assert.deepStrictEqual(event, JSON.parse(text));
      assert.equal(envelope.native, false);
      assert.equal(envelope.id, 'evt_1');
      assert.equal(envelope.objectId, 'x');
      assert.equal(envelope.objectType, 'y');
    }
  });

  test('signature failures are reported before any parsing', () => {
    const text = '{"id":"evt_1",';
    assert.throws(() => hookwise.constructEvent(text, sign('{}'), secret), { code: 'signature_mismatch' });
    assert.throws(() => hookwise.constructEvent(text, sign(text), secret), SyntaxError);
    assert.throws(() => hookwise.constructEvent({ id: 'evt_1' }, sign(text), secret), { code: 'payload_not_raw' });
  });

  test('thin events: constructEvent refuses them, naming parseEventNotification', () => {
    const text = JSON.stringify({ id: 'evt_thin', object: 'v2.core.event', type: 'v1.billing.meter.error_report_triggered' });
    assert.throws(() => hookwise.constructEvent(text, sign(text), secret), /parseEventNotification/);
  });

  // Bodies of 512 KiB and more are parsed on a helper thread during the HMAC.
  test('large bodies (parsed during the HMAC) from several threads at once', async () => {
    const { Worker } = require('node:worker_threads');
    const text = fixtures.text(fixtures.invoicePaidEventOfSize(600_000));
    const expected = JSON.parse(text);
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      const assert = require('node:assert/strict');
      const hookwise = require(${JSON.stringify(entry)});
      const { text, header, secret } = workerData;
      const expected = JSON.parse(text);
      for (let i = 0; i < 8; i++) {
        assert.deepStrictEqual(hookwise.constructEvent(i % 2 ? text : Buffer.from(text), header, secret), expected);
      }
      parentPort.postMessage('ok');`;
    const header = sign(text);
    const workers = Array.from({ length: 3 }, () => new Worker(script, { eval: true, workerData: { text, header, secret } }));
    const done = workers.map((w) => new Promise((resolve, reject) => {
      w.on('message', resolve);
      w.on('error', reject);
    }));
    for (let i = 0; i < 8; i++) {
      assert.deepStrictEqual(hookwise.constructEvent(i % 2 ? text : Buffer.from(text), header, secret), expected);
      assert.deepStrictEqual(await hookwise.constructEventAsync(Buffer.from(text), header, secret), expected);
    }
    assert.deepStrictEqual(await Promise.all(done), ['ok', 'ok', 'ok']);
  });

  test('a large body with a bad signature is rejected (the parallel parse is discarded)', () => {
    const text = fixtures.text(fixtures.invoicePaidEventOfSize(600_000));
    assert.throws(() => hookwise.constructEvent(text, sign(`${text} `), secret), { code: 'signature_mismatch' });
    assert.throws(() => hookwise.constructEvent(Buffer.from(`${text.slice(0, -10)}`), sign(text.slice(0, -10)), secret), SyntaxError);
    assert.deepStrictEqual(hookwise.constructEvent(text, sign(text), secret), JSON.parse(text));
  });

  test('a 16 MiB body, as a string and as bytes, sync and async', async () => {
    const line = `"${'x'.repeat(1000)} é ☕"`;
    const count = Math.ceil((16 * 1024 * 1024) / line.length) + 1;
    const text = `{"id":"evt_16mib","object":"event","data":{"object":{"id":"file_1","object":"file","blob":[${Array(count).fill(line).join(',')}]}},"type":"file.created"}`;
    assert.ok(Buffer.byteLength(text) > 16 * 1024 * 1024);
    const expected = JSON.parse(text);
    const header = sign(text);
    for (const payload of [text, Buffer.from(text)]) {
      assert.deepStrictEqual(hookwise.constructEvent(payload, header, secret), expected);
      assert.deepStrictEqual(await hookwise.constructEventAsync(payload, header, secret), expected);
    }
    const { envelope } = verifyAndParse(text, header, secret);
    assert.equal(envelope.native, isNative);
    assert.equal(envelope.objectId, 'file_1');
  });

  test('an event frozen before data is read still yields the same data', () => {
    const text = fixtures.text(fixtures.fixture('invoice.paid'));
    const event = Object.freeze(hookwise.constructEvent(Buffer.from(text), sign(text), secret));
    assert.equal(util.inspect(event, { depth: null }), util.inspect(JSON.parse(text), { depth: null }));
    assert.deepStrictEqual(event.data, JSON.parse(text).data);
    assert.equal(event.data, event.data);
    assert.deepStrictEqual(event, JSON.parse(text));
  });
});
