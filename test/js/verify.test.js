'use strict';
// The verification contract of API.md section 1, run over the sync and the
// async functions alike (stripe-node's makeConstructEventTests habit), once
// per implementation (native, portable).
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const native = require('../../lib/native');
const { ASYNC_OFFLOAD_BYTES } = require('../../lib/engine/native/status');
const { seededRandom } = require('./support/random');
const { ENGINES } = require('./support/engines');

const { SignatureVerificationError, generateTestHeaderString } = require('../..');

const SECRET = 'whsec_test_secret_0123456789';
const NOW = 1_760_000_000;
const AT = NOW * 1000;
const BODY = JSON.stringify({ id: 'evt_123', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1' } } });
const header = (payload = BODY, secret = SECRET, timestamp = NOW) =>
  generateTestHeaderString({ payload, secret, timestamp });

function makeVerificationTests(name, construct) {
  const rejects = async (fn, code) => {
    await assert.rejects(async () => fn(), (err) => {
      assert.ok(err instanceof SignatureVerificationError, `expected SignatureVerificationError, got ${err}`);
      assert.equal(err.code, code);
      return true;
    });
  };
  const typeError = async (fn, argName) => {
    await assert.rejects(async () => fn(), (err) => {
      assert.ok(err instanceof TypeError, `expected TypeError, got ${err}`);
      assert.match(err.message, new RegExp(argName));
      return true;
    });
  };

  describe(name, () => {
    test('returns the parsed event for string, Buffer, Uint8Array and ArrayBuffer bodies', async () => {
      const expected = JSON.parse(BODY);
      const buf = Buffer.from(BODY);
      for (const payload of [BODY, buf, new Uint8Array(buf), buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)]) {
        assert.deepStrictEqual(await construct(payload, header(), SECRET, 300, undefined, AT), expected);
      }
    });

    test('a Buffer that is a slice of a larger allocation is read at its offset', async () => {
      const big = Buffer.from(`xxxx${BODY}yyyy`);
      const slice = big.subarray(4, 4 + Buffer.byteLength(BODY));
      assert.deepStrictEqual(await construct(slice, header(), SECRET, 300, undefined, AT), JSON.parse(BODY));
    });

    test('a secret array verifies if any secret matches (rotation)', async () => {
      const h = header(BODY, 'whsec_new');
      assert.ok(await construct(BODY, h, ['whsec_old', 'whsec_new'], 300, undefined, AT));
      await rejects(() => construct(BODY, h, ['whsec_old', 'whsec_older'], 300, undefined, AT), 'signature_mismatch');
    });

    test('blank entries of a secret array are skipped, never used as a key', async () => {
      const forged = generateTestHeaderString({ payload: BODY, secret: '', timestamp: NOW });
      await rejects(() => construct(BODY, forged, ['', 'whsec_real'], 300, undefined, AT), 'signature_mismatch');
      await rejects(() => construct(BODY, forged, ['', '  '], 300, undefined, AT), 'missing_secret');
      await rejects(() => construct(BODY, forged, [], 300, undefined, AT), 'missing_secret');
    });

    test('the options object form', async () => {
      assert.ok(await construct(BODY, header(), { secret: SECRET, receivedAt: AT }));
      assert.ok(await construct(BODY, header(), { secret: [SECRET], tolerance: 10, receivedAt: AT + 9000 }));
      await rejects(() => construct(BODY, header(), { secret: SECRET, tolerance: 10, receivedAt: AT + 11000 }), 'timestamp_too_old');
      // Positional arguments win over the options object.
      assert.ok(await construct(BODY, header(), { secret: SECRET, tolerance: 1, receivedAt: AT + 5000 }, 10));
      await rejects(() => construct(BODY, header(), { tolerance: 10 }), 'missing_secret');
      await typeError(() => construct(BODY, header(), { secret: SECRET, tolerence: 10 }), 'tolerence');
    });

    test('missing values give stripe-node\'s codes', async () => {
      for (const payload of ['', null, undefined]) {
        await rejects(() => construct(payload, header(), SECRET), 'missing_payload');
      }
      for (const h of ['', null, undefined, Buffer.alloc(0)]) {
        await rejects(() => construct(BODY, h, SECRET), 'missing_header');
      }
      for (const secret of [undefined, null, '', '   ', '\n\t', []]) {
        await rejects(() => construct(BODY, header(), secret, 300, undefined, AT), 'missing_secret');
      }
      await rejects(() => construct(BODY, 'garbage', SECRET), 'malformed_header');
      await rejects(() => construct(BODY, `t=${NOW}`, SECRET), 'no_signatures');
      await rejects(() => construct({ id: 'evt_1' }, header(), SECRET, 300, undefined, AT), 'payload_not_raw');
    });

    test('stricter than stripe-node: t must be digits, once; empty v1 never matches', async () => {
      const sig = header().split(',v1=')[1];
      await rejects(() => construct(BODY, `t=${NOW}x,v1=${sig}`, SECRET, 0), 'malformed_header');
      await rejects(() => construct(BODY, `t=${NOW},t=${NOW},v1=${sig}`, SECRET, 0), 'malformed_header');
      await rejects(() => construct(BODY, `t=${NOW},v1=`, SECRET, 0), 'signature_mismatch');
      await rejects(() => construct(BODY, `t=${NOW},v1`, SECRET, 0), 'signature_mismatch');
    });

    test('timestamp window both ways; 0 turns it off; the signature is checked first', async () => {
      await rejects(() => construct(BODY, header(BODY, SECRET, NOW - 301), SECRET, 300, undefined, AT), 'timestamp_too_old');
      await rejects(() => construct(BODY, header(BODY, SECRET, NOW + 301), SECRET, 300, undefined, AT), 'timestamp_in_future');
      assert.ok(await construct(BODY, header(BODY, SECRET, NOW + 300), SECRET, 300, undefined, AT));
      assert.ok(await construct(BODY, header(BODY, SECRET, NOW - 300), SECRET, 300, undefined, AT));
      assert.ok(await construct(BODY, header(BODY, SECRET, NOW - 1e6), SECRET, 0, undefined, AT));
      assert.ok(await construct(BODY, header(BODY, SECRET, NOW + 1e6), SECRET, 0, undefined, AT));
      await rejects(() => construct(BODY, header(BODY, 'whsec_x', NOW - 1e6), SECRET, 300, undefined, AT), 'signature_mismatch');
      // receivedAt defaults to now.
      const fresh = header(BODY, SECRET, Math.floor(Date.now() / 1000));
      assert.ok(await construct(BODY, fresh, SECRET));
      await rejects(() => construct(BODY, header(), SECRET), 'timestamp_too_old');
    });

    test('wrong argument types are TypeErrors naming the argument', async () => {
      await typeError(() => construct(BODY, [header()], SECRET), 'header');
      await typeError(() => construct(BODY, 42, SECRET), 'header');
      await typeError(() => construct(BODY, { t: 1 }, SECRET), 'header');
      await typeError(() => construct(BODY, header(), 42), 'secret');
      await typeError(() => construct(BODY, header(), Buffer.from(SECRET)), 'secret');
      await typeError(() => construct(BODY, header(), [SECRET, 42]), 'secret\\[1\\]');
      await typeError(() => construct(BODY, header(), SECRET, '300'), 'tolerance');
      await typeError(() => construct(BODY, header(), SECRET, NaN), 'tolerance');
      await typeError(() => construct(BODY, header(), SECRET, 300, undefined, '1700000000000'), 'receivedAt');
      await typeError(() => construct(BODY, header(), SECRET, 300, undefined, new Date()), 'receivedAt');
    });

    test('the error carries header and payload without printing them', async () => {
      const body = '{"id":"evt_secret_customer_data","email":"someone@example.com"}';
      const err = await Promise.resolve()
        .then(() => construct(body, header(body, 'whsec_other'), SECRET, 300, undefined, AT))
        .then(() => assert.fail('should reject'), (e) => e);
      assert.equal(err.name, 'StripeSignatureVerificationError');
      assert.equal(err.type, 'StripeSignatureVerificationError');
      assert.equal(err.code, 'signature_mismatch');
      assert.equal(err.payload, body);
      assert.equal(err.header, header(body, 'whsec_other'));
      assert.ok(!Object.keys(err).includes('payload'));
      assert.ok(!Object.keys(err).includes('header'));
      for (const printed of [JSON.stringify(err), util.inspect(err), String(err), err.stack]) {
        assert.ok(!printed.includes('someone@example.com'), printed);
        assert.ok(!printed.includes(SECRET), printed);
        assert.ok(!printed.includes('whsec_other'), printed);
      }
    });

    test('a secret with whitespace gets stripe-node\'s hint', async () => {
      const err = await Promise.resolve()
        .then(() => construct(BODY, header(), `${SECRET}\n`, 300, undefined, AT))
        .catch((e) => e);
      assert.equal(err.code, 'signature_mismatch');
      assert.match(err.message, /signing secret contains whitespace/);
      assert.ok(!err.message.includes(SECRET));
    });

    test('a body that is not JSON throws SyntaxError after the signature verifies', async () => {
      for (const body of ['{"id":', 'not json', Buffer.from('{"a":1,}'), Buffer.from([0x20])]) {
        await assert.rejects(async () => construct(body, header(body), SECRET, 300, undefined, AT), SyntaxError);
      }
    });

    test('a thin event notification is refused, naming parseEventNotification', async () => {
      const body = '{"id":"evt_1","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered"}';
      await assert.rejects(async () => construct(body, header(body), SECRET, 300, undefined, AT), (err) => {
        assert.ok(!(err instanceof SignatureVerificationError));
        assert.match(err.message, /parseEventNotification/);
        return true;
      });
    });

    test('random bytes never crash, never verify, and fail with a specific code', async () => {
      const rnd = seededRandom(20261123);
      for (let i = 0; i < 1500; i += 1) {
        const payload = rnd.bytes(1 + rnd.int(300));
        const h = rnd.int(2) ? rnd.bytes(rnd.int(200)).toString('latin1') : `t=${NOW},v1=${rnd.bytes(32).toString('hex')}`;
        try {
          await construct(payload, h, SECRET, 300, undefined, AT);
          assert.fail(`verified random input (seed ${rnd.seed}, case ${i})`);
        } catch (err) {
          assert.ok(err instanceof SignatureVerificationError, `seed ${rnd.seed} case ${i}: ${err}`);
        }
      }
    });
  });
}

for (const { name, hookwise } of ENGINES) {
  describe(name, () => {
    makeVerificationTests('constructEvent', (...args) => hookwise.constructEvent(...args));
    makeVerificationTests('constructEventAsync', (...args) => hookwise.constructEventAsync(...args));
    makeVerificationTests('verifyHeader (+ JSON.parse)', (...args) => {
      assert.equal(hookwise.verifyHeader(...args), true);
      return hookwise.constructEvent(...args);
    });
    makeVerificationTests('webhooks.signature.verifyHeaderAsync (+ JSON.parse)', async (...args) => {
      assert.equal(await hookwise.webhooks.signature.verifyHeaderAsync(...args), true);
      return hookwise.constructEvent(...args);
    });

    test('the event loop keeps turning while a 32 MB body is verified', async () => {
      const body = Buffer.alloc(32 * 1024 * 1024, 0x20);
      body.write('{"id":"evt_big"}');
      const h = header(body);
      // Start from the timers phase: the immediate then runs in this loop
      // turn's check phase, right after a poll that cannot yet hold the pool's
      // completion. (Started from a check phase, as Node 18's runner may, the
      // immediate waits a whole turn, and a busy machine lets the pool win.)
      await new Promise((resolve) => setTimeout(resolve, 1));
      const order = [];
      setImmediate(() => order.push('immediate'));
      const pending = hookwise.constructEventAsync(body, h, SECRET, 0).then((e) => order.push(e.id));
      await pending;
      assert.deepStrictEqual(order, ['immediate', 'evt_big']);
    });

    test('concurrent async verifications all settle correctly', async () => {
      const bodies = Array.from({ length: 32 }, (_, i) =>
        Buffer.from(JSON.stringify({ id: `evt_${i}`, pad: 'y'.repeat(ASYNC_OFFLOAD_BYTES + i) })));
      const results = await Promise.allSettled(
        bodies.map((b, i) => hookwise.constructEventAsync(b, header(b, i % 2 ? SECRET : 'whsec_bad'), SECRET, 0)),
      );
      results.forEach((r, i) => {
        if (i % 2) assert.equal(r.value.id, `evt_${i}`);
        else assert.equal(r.reason.code, 'signature_mismatch');
      });
    });

    describe('webhooks object', () => {
      test('has stripe.webhooks\' shape', () => {
        const { webhooks } = hookwise;
        assert.equal(webhooks.DEFAULT_TOLERANCE, 300);
        for (const fn of ['constructEvent', 'constructEventAsync', 'verifyHeader', 'generateTestHeaderString', 'generateTestHeaderStringAsync']) {
          assert.equal(webhooks[fn], hookwise[fn], fn);
        }
        assert.equal(webhooks.signature.verifyHeader, hookwise.verifyHeader);
      });

      test('the cryptoProvider argument is accepted and ignored', () => {
        assert.ok(hookwise.constructEvent(BODY, header(), SECRET, 300, { computeHMACSignature: () => 'x' }, AT));
      });
    });
  });
}

describe('native: constructEventAsync on large bodies', { skip: require('../..').implementation !== 'native' && 'the native engine is not loaded' }, () => {
  const hookwise = require('../..');
  test('goes to the thread pool at the threshold and stays inline below it', async () => {
    const calls = [];
    // constructEventAsync verifies and parses in one native call
    // (verifyAndParseAsync); verifyHeaderAsync uses verifyAsync. Either counts.
    const original = native.verifyAsync;
    const originalParse = native.verifyAndParseAsync;
    native.verifyAsync = (...args) => {
      calls.push(args[0].length);
      return original(...args);
    };
    native.verifyAndParseAsync = (...args) => {
      calls.push(args[0].length);
      return originalParse(...args);
    };
    try {
      const small = JSON.stringify({ id: 'evt_s', pad: 'x'.repeat(1000) });
      const large = Buffer.from(JSON.stringify({ id: 'evt_l', pad: 'x'.repeat(ASYNC_OFFLOAD_BYTES) }));
      assert.equal((await hookwise.constructEventAsync(small, header(small), SECRET, 0)).id, 'evt_s');
      assert.equal((await hookwise.constructEventAsync(large, header(large), SECRET, 0)).id, 'evt_l');
      await assert.rejects(hookwise.constructEventAsync(large, header(large, 'whsec_x'), SECRET, 0), SignatureVerificationError);
      assert.deepStrictEqual(calls, [large.length, large.length]);
    } finally {
      native.verifyAsync = original;
      native.verifyAndParseAsync = originalParse;
    }
  });
});
