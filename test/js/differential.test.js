'use strict';
// The differential test of the two implementations (API.md section 7: "same
// results, same errors and codes, same HTTP answers"). Generated bodies,
// headers, secrets, tolerances and clocks go through the native and the
// portable API side by side; each call must give both the same event (deep
// and key order) or the same error: class, name, code and message. Then the
// same delivery sequences go through a handler of each, which must answer
// with the same outcome, status, body and attempt.
//
// HOOKWISE_DIFF_SEED=<n> reruns one seed (a failure prints its seed and case);
// HOOKWISE_DIFF_CASES=<n> sets the number of cases per seed.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { rng, randomDocument } = require('./support/random-json');
const { native, portable } = require('./support/engines');

const CASES = Number(process.env.HOOKWISE_DIFF_CASES) || 3000;
const FIXED_SEED = 0xd1ff;
const seeds = process.env.HOOKWISE_DIFF_SEED
  ? [Number(process.env.HOOKWISE_DIFF_SEED)]
  : [FIXED_SEED, crypto.randomInt(2 ** 31)];

const NOW = 1_760_000_000;
const SECRETS = ['whsec_diff_0123456789', 'whsec_other', 'whsec_ünïcode_☃', ' whsec_padded ', 'whsec_x\n', ''];

// A value as text that tells apart everything JSON.parse can build (key order,
// -0, own "__proto__" keys), without recursion: generated documents nest
// deeper than assert's and JSON.stringify's recursion reaches.
function canonical(value) {
  const out = [];
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'symbol') out.push(v.description);
    else if (v === null || typeof v !== 'object') out.push(Object.is(v, -0) ? '-0' : `${typeof v}:${String(v)}`);
    else if (Array.isArray(v)) {
      out.push(`[${v.length}`);
      stack.push(Symbol(']'));
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else {
      const keys = Object.keys(v);
      out.push(`{${Object.getPrototypeOf(v) === Object.prototype ? '' : 'proto!'}`);
      stack.push(Symbol('}'));
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push(v[keys[i]]);
        stack.push(Symbol(JSON.stringify(keys[i])));
      }
    }
  }
  return out.join(' ');
}

// What one call did, in a form assert.deepStrictEqual compares meaningfully.
function outcome(fn) {
  const settle = (value) => ({ ok: true, value: canonical(value) });
  const fail = (error) => ({
    ok: false,
    class: error?.constructor?.name,
    name: error?.name,
    code: error?.code,
    message: error?.message,
    type: error?.type,
  });
  try {
    const value = fn();
    if (value && typeof value.then === 'function') return value.then(settle, fail);
    return settle(value);
  } catch (error) {
    return fail(error);
  }
}

function hmac(secret, t, bytes) {
  return crypto.createHmac('sha256', secret).update(`${t}.`).update(bytes).digest('hex');
}

function randomBody(r) {
  switch (r.int(8)) {
    case 0:
      return randomDocument(r);
    case 1: {
      const type = r.pick(['invoice.paid', 'customer.subscription.updated', 'checkout.session.completed']);
      const object = r.pick(['event', 'event', 'v2.core.event', 'something']);
      return JSON.stringify({ id: `evt_${r.int(1e6)}`, object, type, created: NOW - r.int(100), data: { object: { id: `in_${r.int(99)}`, note: 'é😀' } } });
    }
    case 2:
      return Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256)));
    case 3:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(randomDocument(r))]);
    case 4:
      return `{"id":"evt_1","bad":"\ud800","data":{"object":{"id":"x${'y'.repeat(r.int(400))}"}}}`;
    case 5:
      return r.pick(['', '{', 'null', '[]', '"str"', '1e400', '{"__proto__":{"a":1},"a":1,"a":2}']);
    case 6:
      return `{"id":"evt_big","object":"event","type":"t","data":{"object":{"id":"o","pad":"${'p'.repeat(1000 + r.int(70_000))}"}}}`;
    default:
      return Buffer.from(randomDocument(r), 'utf8');
  }
}

function payloadForm(r, body) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  switch (r.int(10)) {
    case 0:
      return new Uint8Array(bytes);
    case 1:
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    case 2:
      return bytes;
    case 3:
      return r.chance(0.5) ? { id: 'evt_parsed' } : r.pick([null, undefined, 42]);
    default:
      return body;
  }
}

function randomHeader(r, bodyBytes, secret) {
  let t = r.chance(0.8) ? NOW - r.int(700) + 350 : NOW - r.int(10_000_000);
  let tText = String(t);
  if (r.chance(0.05)) tText = `000${t}`;
  if (r.chance(0.03)) tText = '9'.repeat(30);
  if (r.chance(0.03)) tText = `${t}x`;
  if (r.chance(0.03)) tText = '';
  const signAs = r.chance(0.85) ? secret : r.pick(SECRETS);
  // stripe-node signs String(parseInt(t)); a header with leading zeros still verifies.
  const signed = /^[0-9]+$/.test(tText) ? String(parseInt(tText, 10)) : String(t);
  let v1 = typeof signAs === 'string' ? hmac(signAs, signed, bodyBytes) : 'ab'.repeat(32);
  if (r.chance(0.04)) v1 = v1.toUpperCase();
  if (r.chance(0.04)) v1 = v1.slice(0, 63);
  if (r.chance(0.03)) v1 = `${v1}0`;
  const items = [`t=${tText}`, `v1=${v1}`];
  if (r.chance(0.2)) items.push(`v0=${'0'.repeat(64)}`);
  if (r.chance(0.15)) items.push(`v1=${crypto.randomBytes(32).toString('hex')}`);
  if (r.chance(0.05)) items.push(`t=${t}`);
  if (r.chance(0.05)) items.push('v1=');
  if (r.chance(0.05)) items.push('');
  if (r.chance(0.05)) items.splice(1, 1);
  if (r.chance(0.05)) items.shift();
  if (r.chance(0.05)) items[0] = ` ${items[0]}`;
  for (let i = items.length - 1; i > 0; i--) {
    if (r.chance(0.3)) {
      const j = r.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
  }
  let header = items.join(r.chance(0.05) ? ', ' : ',');
  if (r.chance(0.03)) header = crypto.randomBytes(r.int(40)).toString('latin1');
  if (r.chance(0.03)) return r.pick(['', null, undefined, [header], 42, Buffer.alloc(0)]);
  if (r.chance(0.05)) return Buffer.from(header);
  return header;
}

function randomSecretArg(r, secret) {
  switch (r.int(12)) {
    case 0:
      return [r.pick(SECRETS), secret];
    case 1:
      return { secret, ...(r.chance(0.5) ? { tolerance: r.pick([0, 10, 300]) } : {}) };
    case 2:
      return r.pick([undefined, null, '', '  ', [], ['', ' '], { tolerance: 5 }]);
    case 3:
      return r.pick([42, Buffer.from(secret), [secret, 7], { secret, tolerence: 1 }]);
    default:
      return secret;
  }
}

function randomCase(r) {
  const body = randomBody(r);
  const bodyBytes = typeof body === 'string' ? Buffer.from(body) : body;
  const secret = r.pick(SECRETS.slice(0, 5));
  const header = randomHeader(r, bodyBytes, secret);
  const tolerance = r.pick([undefined, undefined, 300, 0, 10, -5, Infinity, '300', NaN]);
  const receivedAt = r.pick([NOW * 1000, NOW * 1000 + r.int(2_000_000) - 1_000_000, undefined, NOW * 1000 + 0.5]);
  return { args: [payloadForm(r, body), header, randomSecretArg(r, secret), tolerance, undefined, receivedAt] };
}

const describeCase = (seed, i, c) =>
  `seed ${seed} case ${i} (rerun: HOOKWISE_DIFF_SEED=${seed}): ${JSON.stringify(c.args.map((a) => (Buffer.isBuffer(a) ? `<Buffer ${a.length}>` : a)), (k, v) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…` : v))}`;

const FUNCTIONS = [
  ['constructEvent', (h) => h.constructEvent],
  ['constructEventAsync', (h) => h.constructEventAsync],
  ['verifyHeader', (h) => h.verifyHeader],
  ['webhooks.signature.verifyHeaderAsync', (h) => h.webhooks.signature.verifyHeaderAsync],
  ['parseEventNotification', (h) => h.parseEventNotification],
  ['parseEventNotificationAsync', (h) => h.parseEventNotificationAsync],
];

// The portable engine verifies small bodies inline with node:crypto where it
// can, and the rest with WebCrypto; 'WebCrypto only' turns the inline path off,
// which is what runtimes without node:crypto run.
const { settings } = require('../../lib/engine/portable/verifier');
const PATHS = [['inline where possible', settings.inlineMaxBytes], ['WebCrypto only', 0]];

describe('native and portable give the same answers', { skip: !native && 'the native addon is not loaded' }, () => {
  for (const seed of seeds) for (const [path, inlineMaxBytes] of PATHS) {
    test(`verification and parsing over generated inputs, seed ${seed}, portable ${path}`, async (t) => {
      const saved = settings.inlineMaxBytes;
      settings.inlineMaxBytes = inlineMaxBytes;
      t.after(() => { settings.inlineMaxBytes = saved; });
      const r = rng(seed);
      const seen = new Map();
      for (let i = 0; i < CASES; i++) {
        const c = randomCase(r);
        const [fnName, pick] = FUNCTIONS[i % FUNCTIONS.length];
        const ours = await outcome(() => pick(native.hookwise)(...c.args));
        const theirs = await outcome(() => pick(portable.hookwise)(...c.args));
        assert.deepStrictEqual(theirs, ours, `${fnName}: ${describeCase(seed, i, c)}`);
        const label = ours.ok ? 'ok' : ours.code ?? ours.class;
        seen.set(label, (seen.get(label) ?? 0) + 1);
      }
      // The generator must reach every answer, or the comparison proves little.
      for (const label of ['ok', 'missing_payload', 'missing_header', 'missing_secret', 'malformed_header', 'no_signatures',
        'signature_mismatch', 'payload_not_raw', 'timestamp_too_old', 'timestamp_in_future', 'TypeError', 'SyntaxError', 'Error']) {
        assert.ok(seen.get(label) > 0, `no case gave ${label} (seen: ${JSON.stringify([...seen])})`);
      }
    });
  }

  test('generateTestHeaderString(Async): the same header for generated options', async () => {
    const r = rng(seeds[0] + 1);
    for (let i = 0; i < 500; i++) {
      const opts = {
        payload: r.pick([randomDocument(r), Buffer.from(randomDocument(r)), 'x', '']),
        secret: r.pick([...SECRETS, Buffer.from('whsec_bytes'), undefined, 42]),
        timestamp: r.pick([NOW, NOW + 0.7, 0, undefined, NOW - 5]),
        ...(r.chance(0.1) ? { scheme: 'v0' } : {}),
        ...(r.chance(0.1) ? { signature: 'deadbeef' } : {}),
      };
      const fixed = opts.timestamp === undefined || opts.timestamp === 0 ? { ...opts, timestamp: NOW } : opts;
      for (const fn of ['generateTestHeaderString', 'generateTestHeaderStringAsync']) {
        const ours = await outcome(() => native.hookwise[fn](fixed));
        const theirs = await outcome(() => portable.hookwise[fn](fixed));
        assert.deepStrictEqual(theirs, ours, `${fn} case ${i}`);
      }
    }
  });

  test('constructEventWithoutVerification and the field helpers: the same results', () => {
    const r = rng(seeds[0] + 2);
    for (let i = 0; i < 500; i++) {
      const inner = JSON.parse(JSON.stringify({ id: 'evt_1', object: r.pick(['event', 'v2.core.event']), type: 't' }));
      const text = r.pick([
        JSON.stringify({ detail: inner }),
        JSON.stringify({ specversion: '1.0', data: inner }),
        JSON.stringify(inner),
        randomDocument(r),
      ]);
      const payload = r.chance(0.3) ? Buffer.from(text) : text;
      assert.deepStrictEqual(
        outcome(() => portable.hookwise.constructEventWithoutVerification(payload)),
        outcome(() => native.hookwise.constructEventWithoutVerification(payload)),
        `case ${i}`,
      );
      const sub = { items: { data: [{ current_period_end: r.int(10) }] }, current_period_end: r.pick([5, undefined]) };
      assert.deepStrictEqual(outcome(() => portable.hookwise.subscriptionPeriodEnd(sub)), outcome(() => native.hookwise.subscriptionPeriodEnd(sub)));
    }
  });
});

// The handler: the same deliveries, in the same order, through a handler of
// each implementation (each with its own MemoryStore) give the same answers.
function deliveries(r, count) {
  const secret = 'whsec_diff_handler';
  const now = Math.floor(Date.now() / 1000);
  // A redelivery is the same event: each id has one type, object and created.
  const types = ['invoice.paid', 'customer.subscription.updated', 'unhandled.type', 'fails.always'];
  const events = Array.from({ length: 16 }, (_, i) => ({
    id: `evt_h_${i}`,
    object: i === 15 ? 'v2.core.event' : 'event',
    type: types[i % types.length],
    created: now - r.int(1000),
    data: { object: { id: `obj_${r.int(3)}`, object: 'invoice' } },
  }));
  const list = [];
  for (let i = 0; i < count; i++) {
    const event = { ...r.pick(events) };
    if (r.chance(0.03)) event.id = '';
    let body = JSON.stringify(event);
    if (r.chance(0.04)) body = `${body.slice(0, -2)}`;
    if (r.chance(0.03)) body = `${body}${' '.repeat(5000)}`;
    const t = r.chance(0.9) ? now : now - 10_000;
    let header = `t=${t},v1=${hmac(r.chance(0.9) ? secret : 'whsec_wrong', t, Buffer.from(body))}`;
    if (r.chance(0.03)) header = r.pick([undefined, '', 'garbage']);
    list.push({ body: r.chance(0.5) ? Buffer.from(body) : body, header });
  }
  return { secret, list };
}

function handlerFor(hookwise, secret) {
  const options = {
    secret,
    store: new hookwise.MemoryStore(),
    maxAttempts: 3,
    maxBodyBytes: 4096,
    ordering: 'skip-stale',
    retry: false,
    logger: { info() {}, warn() {}, error() {} },
    on: {
      'invoice.paid': async () => {},
      'customer.subscription.updated': async (event) => {
        if (event.data.object.id === 'obj_0') throw new Error('handler failed on obj_0');
      },
      'fails.always': async () => {
        throw new Error('always');
      },
    },
  };
  return hookwise.createWebhookHandler(options);
}

const answer = (res) => ({
  status: res.status,
  body: res.body,
  outcome: res.outcome,
  eventId: res.eventId,
  type: res.type,
  attempt: res.attempt,
  errorCode: res.error?.code,
  errorClass: res.error?.constructor?.name,
  errorMessage: res.error?.message,
});

describe('native and portable handlers answer the same', { skip: !native && 'the native addon is not loaded' }, () => {
  for (const seed of seeds) for (const [path, inlineMaxBytes] of PATHS) {
    test(`handle() over a generated delivery sequence, seed ${seed}, portable ${path}`, async (t) => {
      const saved = settings.inlineMaxBytes;
      settings.inlineMaxBytes = inlineMaxBytes;
      t.after(() => { settings.inlineMaxBytes = saved; });
      const r = rng(seed + 7);
      const { secret, list } = deliveries(r, 600);
      const ours = handlerFor(native.hookwise, secret);
      const theirs = handlerFor(portable.hookwise, secret);
      const outcomes = new Set();
      for (const [i, d] of list.entries()) {
        const a = answer(await ours.handle(d.body, d.header));
        const b = answer(await theirs.handle(d.body, d.header));
        assert.deepStrictEqual(b, a, `delivery ${i} (rerun: HOOKWISE_DIFF_SEED=${seed})`);
        outcomes.add(a.outcome);
      }
      // The fixed seed's sequence is known to reach every outcome (so the comparison covers
      // them all); a random seed's may miss a rare one, which is no disagreement.
      if (seed === FIXED_SEED) {
        for (const o of ['processed', 'ignored', 'duplicate', 'stale', 'failed', 'dead_lettered', 'rejected', 'too_large']) {
          assert.ok(outcomes.has(o), `no delivery was ${o} (seen ${[...outcomes]})`);
        }
      }
      await ours.close();
      await theirs.close();
    });
  }

  test('fetch(): the same status, headers and body text', async () => {
    const r = rng(seeds[0] + 11);
    const { secret, list } = deliveries(r, 150);
    const ours = handlerFor(native.hookwise, secret);
    const theirs = handlerFor(portable.hookwise, secret);
    const request = (d) =>
      new Request('http://localhost/webhooks', {
        method: 'POST',
        body: d.body,
        headers: d.header === undefined ? {} : { 'stripe-signature': d.header },
      });
    const view = async (res) => ({ status: res.status, headers: [...res.headers], text: await res.text() });
    for (const [i, d] of list.entries()) {
      assert.deepStrictEqual(await view(await theirs.fetch(request(d))), await view(await ours.fetch(request(d))), `delivery ${i}`);
    }
    await ours.close();
    await theirs.close();
  });
});
