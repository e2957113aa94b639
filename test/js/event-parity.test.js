'use strict';
// Parity with JSON.parse: for generated and hand-made bodies, signed and
// passed to constructEvent(Async) as strings and as bytes, hookwise's event
// must equal JSON.parse's result (deepStrictEqual, key order, JSON.stringify,
// structuredClone, spread, util.inspect), or both must throw SyntaxError.
//
// HOOKWISE_PARITY_SEED=<n> reruns one seed; HOOKWISE_PARITY_CASES=<n> sets
// how many documents each seed generates. Runs once per implementation.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const util = require('node:util');
const { prepareVerification } = require('../../lib/verify');
const { rng, randomDocument } = require('./support/random-json');
const { ENGINES } = require('./support/engines');

const secret = 'whsec_parity_0123456789';
const CASES = Number(process.env.HOOKWISE_PARITY_CASES) || 2500;
const FIXED_SEED = 0x5eed;
const seeds = process.env.HOOKWISE_PARITY_SEED
  ? [Number(process.env.HOOKWISE_PARITY_SEED)]
  : [FIXED_SEED, crypto.randomInt(2 ** 31)];

const decoder = new TextDecoder();

function expectedFor(payload) {
  try {
    return { value: JSON.parse(typeof payload === 'string' ? payload : decoder.decode(payload)) };
  } catch (error) {
    return { error };
  }
}

for (const { name: implementation, hookwise, engine } of ENGINES) describe(implementation, () => {
  const verifyAndParse = (payload, h, key) => engine.parse(prepareVerification(payload, h, key), true);

  // The Stripe-Signature header for the exact bytes: hookwise's own test
  // helper (which signs a string's UTF-8), and node:crypto for bytes that are
  // not valid UTF-8 (no string stands for them).
  function header(payload) {
    if (typeof payload === 'string') return hookwise.generateTestHeaderString({ payload, secret });
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const text = bytes.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(bytes)) return hookwise.generateTestHeaderString({ payload: text, secret });
    const t = Math.floor(Date.now() / 1000);
    const mac = crypto.createHmac('sha256', secret).update(`${t}.`).update(bytes).digest('hex');
    return `t=${t},v1=${mac}`;
  }

  function isThin(value) {
    return value !== null && typeof value === 'object' && value.object === 'v2.core.event';
  }

  // Everything API.md promises about the returned event.
  // assert's, util's and JSON.stringify's recursion cannot follow thousands of
  // nesting levels; for such documents this loop, which can, decides.
  function iterativeEqual(a, b, where) {
    const stack = [[a, b, '$']];
    while (stack.length) {
      const [x, y, path] = stack.pop();
      if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') {
        assert.ok(Object.is(x, y), `${where} at ${path}`);
        continue;
      }
      assert.equal(Array.isArray(x), Array.isArray(y), `${where} at ${path}`);
      assert.equal(Object.getPrototypeOf(x), Object.getPrototypeOf(y), `${where} at ${path}`);
      const kx = Object.keys(x);
      assert.deepStrictEqual(kx, Object.keys(y), `${where} at ${path}`);
      for (const k of kx) stack.push([x[k], y[k], `${path}.${k}`]);
    }
  }

  function deepCompare(compare) {
    try {
      compare();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }

  function assertSame(actual, expected, where) {
    iterativeEqual(actual, expected, where);
    deepCompare(() => assert.equal(JSON.stringify(actual), JSON.stringify(expected), where));
    deepCompare(() => assert.deepStrictEqual(actual, expected, where));
    if (expected !== null && typeof expected === 'object') {
      assert.equal(Object.getPrototypeOf(actual), Object.getPrototypeOf(expected), where);
      assert.deepStrictEqual(Object.keys(actual), Object.keys(expected), where);
      deepCompare(() => assert.deepStrictEqual({ ...actual }, { ...expected }, where));
    }
    deepCompare(() => assert.deepStrictEqual(structuredClone(actual), structuredClone(expected), where));
    // A fixed depth: how deep util.inspect gets with depth: null depends on the
    // stack space left, even for two identical objects.
    assert.equal(util.inspect(actual, { depth: 64 }), util.inspect(expected, { depth: 64 }), where);
  }

  function checkOne(payload, where) {
    const expected = expectedFor(payload);
    const h = header(payload);
    let actual;
    try {
      actual = { value: hookwise.constructEvent(payload, h, secret) };
    } catch (error) {
      actual = { error };
    }
    if (payload === '') {
      assert.equal(actual.error?.code, 'missing_payload', where); // stripe-node's check, before parsing
      return false;
    }
    if (expected.error) {
      assert.ok(actual.error instanceof SyntaxError, `${where}: expected SyntaxError, got ${actual.error ?? 'a value'}`);
      return false;
    }
    if (isThin(expected.value)) {
      assert.match(String(actual.error?.message), /parseEventNotification/, where);
      return false;
    }
    if (actual.error) throw new Error(`${where}: threw ${actual.error.stack}`);
    // Before anything reads it, a lazy member is an own enumerable configurable
    // accessor; once read, a plain writable data property.
    const isObject = actual.value !== null && typeof actual.value === 'object';
    for (const key of isObject ? Object.keys(actual.value) : []) {
      const d = Object.getOwnPropertyDescriptor(actual.value, key);
      assert.ok(d.enumerable && d.configurable, where);
    }
    assertSame(actual.value, expected.value, where);
    for (const key of isObject ? Object.keys(actual.value) : []) {
      const d = Object.getOwnPropertyDescriptor(actual.value, key);
      assert.ok('value' in d && d.writable, `${where}: ${key} is still an accessor after reading`);
    }
    return true;
  }

  function payloadsOf(text, r) {
    const bytes = Buffer.from(text, 'utf8');
    const forms = [text, bytes];
    if (r.chance(0.2)) forms.push(new Uint8Array(bytes));
    if (r.chance(0.05)) forms.push(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]));
    return forms;
  }

  for (const seed of seeds) {
    test(`generated documents, seed ${seed} (rerun: HOOKWISE_PARITY_SEED=${seed})`, () => {
      const r = rng(seed);
      let native = 0;
      let valid = 0;
      for (let i = 0; i < CASES; i++) {
        const text = randomDocument(r);
        for (const payload of payloadsOf(text, r)) {
          const form = typeof payload === 'string' ? 'string' : payload.constructor.name;
          const where = `seed ${seed} case ${i} (${form}): ${JSON.stringify(text.slice(0, 200))}`;
          if (checkOne(payload, where)) {
            valid++;
            if (typeof payload === 'string' && verifyAndParse(payload, header(payload), secret).envelope.native) native++;
          }
        }
      }
      // The generator must exercise the native path, not only the fallback.
      assert.ok(valid > CASES, `only ${valid} valid documents`);
      if (implementation === 'native') assert.ok(native > CASES / 5, `only ${native} documents took the native path`);
      else assert.equal(native, 0, 'the portable engine has no native path');
    });
  }

  const VALID_FIXTURE = '{\n  "id": "evt_1",\n  "object": "event",\n  "data": {\n    "object": {"id": "in_1", "amount": 1999, "note": "café 😀"}\n  },\n  "type": "invoice.paid"\n}\n';

  // Hand-made invalid (and almost-invalid) bodies.
  function invalidCorpus() {
    const texts = [
      '', ' ', '\n', '{', '}', '[', '{"a":1,}', '[1,2,]', '{"a":1,,"b":2}', '{,}', '[,1]', '{"a" 1}',
      '{"a":}', '{:1}', '{a:1}', "{'a':1}", '{"a":NaN}', '{"a":Infinity}', '{"a":-Infinity}',
      '{"a":undefined}', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":+1}', '{"a":0x10}', '{"a":1e}',
      '{"a":-}', '{"a":tru}', '{"a":nul}', '{"a":True}', '{"a":"\\x41"}', '{"a":"\\u12"}',
      '{"a":"\\u12G4"}', '{"a":"\\"}', '{"a":"abc}', '{"a":"\t"}', '{"a":"\n"}', '{"a":"\u0000"}',
      '{"a":"\u001f"}', '{} x', '{}{}', '{} {}', '{}]', '[]]', '{"a":1}\u0000', '// c\n{}', '{/*c*/}',
      '\ufeff{}', '\ufeff\ufeff{}', '{"a":1}\ufeff', '{"a":[1,2}', '{"a":{"b":1]}', '\u00a0{}',
      '{"a":"\u2028"}', '{"a":1}\n', '"\\ud800"', '1e400', '-0', '{"__proto__":{"x":1}}',
      '{"a":1,"a":2}', '{"\\u0069d":1,"id":2}',
    ];
    for (let cut = 1; cut < VALID_FIXTURE.length; cut += 3) texts.push(VALID_FIXTURE.slice(0, cut));
    for (let i = 0; i < 32; i++) texts.push(`{"a":"x${String.fromCharCode(i)}y"}`);
    const buffers = [
      Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), // BOM + {} (TextDecoder drops it)
      Buffer.from('{"a":"\xff"}', 'latin1'), // invalid UTF-8 inside a string: U+FFFD
      Buffer.from('{"a":"\xc0\x80"}', 'latin1'), // overlong
      Buffer.from('{"a":"\xed\xa0\x80"}', 'latin1'), // an encoded surrogate
      Buffer.from('{"a":"\xe2\x82"}', 'latin1'), // truncated sequence
      Buffer.from('{"a":"\x80"}', 'latin1'), // lone continuation byte
      Buffer.from('{"a":"\xf4\x90\x80\x80"}', 'latin1'), // above U+10FFFF
      Buffer.from('{"a":1}\xff', 'latin1'), // invalid byte outside strings
      Buffer.from('\xff{"a":1}', 'latin1'),
      Buffer.from('{"\xff":1}', 'latin1'), // invalid UTF-8 in a top-level key
      Buffer.from('{"id":"\xff","data":{"object":{"id":"\xfe"}}}', 'latin1'),
    ];
    return { texts, buffers };
  }

  test('hand-made invalid corpus: the same SyntaxError or the same value as JSON.parse', () => {
    const { texts, buffers } = invalidCorpus();
    let rejected = 0;
    for (const [i, text] of texts.entries()) {
      const where = `invalid text ${i}: ${JSON.stringify(text)}`;
      if (!checkOne(text, `${where} (string)`)) rejected++;
      checkOne(Buffer.from(text, 'utf8'), `${where} (Buffer)`);
    }
    for (const [i, bytes] of buffers.entries()) checkOne(bytes, `invalid bytes ${i}: ${bytes.toString('hex')}`);
    assert.ok(rejected > texts.length / 2);
  });

  test('strings whose UTF-16 is not well formed (lone surrogates) match JSON.parse', () => {
    const texts = [
      '{"id":"\ud800","data":{"object":{"id":"x\udc00y"}},"note":"' + 'é'.repeat(300) + '"}',
      '{"a":"\udfff\ud800","data":{"pad":"' + 'x'.repeat(300) + '","s":"\ud83d"}}',
    ];
    for (const text of texts) checkOne(text, JSON.stringify(text));
  });

  test('constructEventAsync agrees with JSON.parse, inline and on the thread pool', async () => {
    const r = rng(FIXED_SEED + 1);
    const bodies = [];
    for (let i = 0; i < 200; i++) bodies.push(randomDocument(r));
    // Bodies above the async offload threshold (64 KiB) go to the thread pool.
    const big = `{"id":"evt_big","object":"event","data":{"object":{"id":"in_1","lines":[${Array.from({ length: 1500 }, (_, i) => `{"id":"il_${i}","amount":${i},"d":"é😀\\u00e9"}`).join(',')}]}},"type":"invoice.paid"}`;
    bodies.push(big, `${big.slice(0, -1)},}`);
    for (const [i, text] of bodies.entries()) {
      for (const payload of [text, Buffer.from(text)]) {
        const expected = expectedFor(payload);
        let actual;
        try {
          actual = { value: await hookwise.constructEventAsync(payload, header(payload), secret) };
        } catch (error) {
          actual = { error };
        }
        const where = `async case ${i}`;
        if (expected.error) assert.ok(actual.error instanceof SyntaxError, where);
        else if (!isThin(expected.value)) assertSame(actual.value, expected.value, where);
      }
    }
  });
});
