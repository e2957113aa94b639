'use strict';
// Standard Webhooks (API.md section 9) over both engines: verification held to
// the `standardwebhooks` and `svix` packages on a generated matrix (same
// accept/reject wherever they define behaviour; the same failure where only
// one failure is possible), svix also run under the official Node 22 it asks
// for; v1a (ed25519) against RFC 8032 key pairs and node:crypto; the headers'
// forms; the returned event; the error codes; the deliberate differences.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Webhook } = require('standardwebhooks');
const { ENGINES } = require('./support/engines');
const { standardMatrix, standardwebhooksDefines, NOW_MS, NOW } = require('./support/standard-matrix');
const { STANDARD_CODES } = require('../../lib/errors');
const { decodeKey } = require('../../lib/standard/keys');

const root = path.join(__dirname, '..', '..');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CASES = standardMatrix();

// The references' messages, as codes (the order of their checks differs from
// ours only when the signature is wrong and the timestamp outside the window).
const REFERENCE_CODES = {
  'Missing required headers': 'missing_header',
  'Invalid Signature Headers': 'bad_timestamp',
  'Message timestamp too old': 'timestamp_too_old',
  'Message timestamp too new': 'timestamp_in_future',
  'No matching signature found': 'no_matching_signature',
};

// RFC 8032 section 7.1, tests 1-3 (seed, public key).
const RFC8032 = [
  ['9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'],
  ['4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'],
  ['c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025'],
].map(([seed, pk]) => ({
  whsk: `whsk_${Buffer.concat([Buffer.from(seed, 'hex'), Buffer.from(pk, 'hex')]).toString('base64')}`,
  whpk: `whpk_${Buffer.from(pk, 'hex').toString('base64')}`,
  nodeKey: crypto.createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(seed, 'hex').toString('base64url'), x: Buffer.from(pk, 'hex').toString('base64url') },
    format: 'jwk',
  }),
}));

function withNow(fn) {
  const real = Date.now;
  Date.now = () => NOW_MS;
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

async function withNowAsync(fn) {
  const real = Date.now;
  Date.now = () => NOW_MS;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

const payloadOf = (c) => (c.bytes ? Buffer.from(c.payload, 'utf8') : c.payload);

function referenceVerdict(c) {
  try {
    new Webhook(c.secret).verify(payloadOf(c), c.headers);
    return { ok: true };
  } catch (err) {
    return { ok: false, code: REFERENCE_CODES[err.message] ?? err.message };
  }
}

function outcome(run) {
  try {
    const delivery = run();
    if (delivery && typeof delivery.then === 'function') {
      return delivery.then((d) => ({ ok: true, delivery: d }), (err) => ({ ok: false, code: err.code ?? err.name, err }));
    }
    return { ok: true, delivery };
  } catch (err) {
    return { ok: false, code: err.code ?? err.name, err };
  }
}

function checkAgainst(reference, ours, c, label) {
  const where = `case ${c.n} (${label}, form ${c.form}, seed ${process.env.HOOKWISE_SEED ?? 18})`;
  assert.equal(ours.ok, reference.ok, `${where}: hookwise ${ours.ok ? 'accepted' : `rejected (${ours.code})`}, the reference ${reference.ok ? 'accepted' : `rejected (${reference.code})`}`);
  if (ours.ok) {
    assert.deepStrictEqual(ours.delivery.event, JSON.parse(c.payload), `${where}: event`);
  } else if (c.signatureValid || c.inWindow || c.missing) {
    // Only one failure is possible here, whatever the order of checks.
    assert.equal(ours.code, reference.code, `${where}: code`);
  }
}

// Headers forms hookwise takes beside the reference's plain record.
const asHeaders = (record) => new Headers(record);

for (const { name, hookwise } of ENGINES) {
  describe(`${name}: cross-checked with standardwebhooks`, () => {
    const defined = CASES.filter(standardwebhooksDefines);
    const references = withNow(() => defined.map(referenceVerdict));

    test(`the matrix has both verdicts and every failure kind (${defined.length} cases)`, () => {
      const codes = new Set(references.map((r) => (r.ok ? 'ok' : r.code)));
      for (const code of ['ok', 'missing_header', 'timestamp_too_old', 'timestamp_in_future', 'no_matching_signature']) {
        assert.ok(codes.has(code), `the matrix produces ${code}`);
      }
    });

    test('verifyStandardWebhook: same accept/reject (plain records and Headers)', () => {
      withNow(() => {
        defined.forEach((c, i) => {
          checkAgainst(references[i], outcome(() => hookwise.verifyStandardWebhook(payloadOf(c), c.headers, c.secret)), c, 'record');
          checkAgainst(references[i], outcome(() => hookwise.verifyStandardWebhook(payloadOf(c), asHeaders(c.headers), [c.secret])), c, 'Headers');
        });
      });
    });

    test('verifyStandardWebhookAsync: same accept/reject', async () => {
      await withNowAsync(async () => {
        for (let i = 0; i < defined.length; i++) {
          const c = defined[i];
          checkAgainst(references[i], await outcome(() => hookwise.verifyStandardWebhookAsync(payloadOf(c), c.headers, c.secret)), c, 'async');
        }
      });
    });

    test('signStandardWebhook output verifies with standardwebhooks, and theirs with ours', () => {
      withNow(() => {
        for (const c of CASES.slice(0, 60)) {
          const headers = hookwise.signStandardWebhook({ id: `msg_${c.n}`, payload: payloadOf(c), secret: c.secret });
          assert.equal(headers['webhook-timestamp'], String(NOW));
          assert.deepStrictEqual(new Webhook(c.secret).verify(c.payload, headers), JSON.parse(c.payload));
          const theirs = new Webhook(c.secret).sign(`msg_${c.n}`, new Date(NOW_MS), c.payload);
          assert.equal(headers['webhook-signature'], theirs);
        }
      });
    });
  });
}

describe('cross-checked with svix 2.5', () => {
  const script = path.join(__dirname, 'support', 'svix-verdicts.mjs');

  function svixVerdicts(node) {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(node, ['--no-warnings', script], {
      cwd: root, env, input: JSON.stringify({ nowMs: NOW_MS, cases: CASES }), encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  function compareAll(result) {
    const verdicts = result.verdicts.map((v) => (v.ok ? v : { ok: false, code: REFERENCE_CODES[v.message] ?? v.message }));
    // svix 2.x's verify returns undefined: the snippet `wh.verify(...) as WebhookEvent` gets nothing.
    assert.ok(result.verdicts.some((v) => v.ok && v.returned === 'undefined'));
    for (const { name, hookwise } of ENGINES) {
      withNow(() => {
        CASES.forEach((c, i) => {
          checkAgainst(verdicts[i], outcome(() => hookwise.verifyStandardWebhook(payloadOf(c), c.headers, c.secret)), c, `${name} vs svix on ${result.node}`);
        });
      });
    }
  }

  test('under this Node (svix asks for >= 22, its verification runs here too)', () => {
    compareAll(svixVerdicts(process.execPath));
  });

  test('under the official Node 22', (t) => {
    const found = spawnSync('bash', [path.join(root, 'scripts', 'registry-node.sh'), '22'], { encoding: 'utf8' });
    const node22 = found.stdout.trim();
    if (found.status !== 0 || !node22) {
      t.skip(`no official Node 22 binary here (scripts/registry-node.sh 22: ${found.stderr.trim() || 'failed'})`);
      return;
    }
    const result = svixVerdicts(node22);
    assert.match(result.node, /^v22\./);
    compareAll(result);
  });
});

for (const { name, hookwise } of ENGINES) {
  describe(`${name}: verifyStandardWebhook`, () => {
    const payload = '{"type":"user.created","object":"event","data":{"id":"user_1"}}';
    const signed = (opts = {}) => hookwise.signStandardWebhook({ id: 'msg_1', timestamp: NOW, payload, secret: SECRET, ...opts });
    const verify = (p, h, s = SECRET, o = { receivedAt: NOW_MS }) => hookwise.verifyStandardWebhook(p, h, s, o);
    const codeOf = (fn) => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof hookwise.StandardWebhookVerificationError, `${err.name}: ${err.message}`);
        assert.equal(err.name, 'StandardWebhookVerificationError');
        return err.code;
      }
      return 'accepted';
    };

    test('returns { id, timestamp, event } with the event as JSON.parse builds it', () => {
      const body = '\uFEFF{"type":"x","__proto__":{"a":1},"n":1.0000000000000002,"d":[{"k":"\\u00e9"}],"d":"last","data":{"object":{"id":"o"}}}';
      const bytes = Buffer.from(body, 'utf8');
      const headers = hookwise.signStandardWebhook({ id: 'msg_x', timestamp: NOW, payload: bytes, secret: SECRET });
      const result = verify(bytes, headers);
      assert.deepStrictEqual(Object.keys(result), ['id', 'timestamp', 'event']);
      assert.equal(result.id, 'msg_x');
      assert.equal(result.timestamp, NOW);
      assert.deepStrictEqual(result.event, JSON.parse(new TextDecoder().decode(bytes)));
      assert.equal(Object.getPrototypeOf(result.event), Object.prototype);
      assert.ok(Object.hasOwn(result.event, '__proto__'));
      // A string is parsed as it is (JSON.parse refuses a BOM in a string, and so do we).
      const text = body.slice(1);
      const fromString = verify(text, hookwise.signStandardWebhook({ id: 'msg_x', timestamp: NOW, payload: text, secret: SECRET }));
      assert.deepStrictEqual(fromString.event, JSON.parse(text));
      assert.throws(() => verify(body, hookwise.signStandardWebhook({ id: 'msg_x', timestamp: NOW, payload: body, secret: SECRET })), SyntaxError);
      // A big body, whose members are materialised lazily on the native engine.
      const big = JSON.stringify({ type: 'big', data: { rows: Array.from({ length: 3000 }, (_, i) => ({ i })) } });
      const bigHeaders = hookwise.signStandardWebhook({ id: 'msg_b', timestamp: NOW, payload: Buffer.from(big), secret: SECRET });
      assert.deepStrictEqual(verify(Buffer.from(big), bigHeaders).event, JSON.parse(big));
      assert.deepStrictEqual(verify(new Uint8Array(Buffer.from(big)), bigHeaders).event, JSON.parse(big));
    });

    test('headers: Headers, IncomingHttpHeaders and records, case-insensitive; webhook-* first, else svix-*', () => {
      const h = signed();
      const svix = { 'svix-id': h['webhook-id'], 'svix-timestamp': h['webhook-timestamp'], 'svix-signature': h['webhook-signature'] };
      for (const form of [h, new Headers(h), svix, new Headers(svix), { 'Webhook-Id': 'msg_1', 'WEBHOOK-TIMESTAMP': String(NOW), 'webhook-Signature': h['webhook-signature'] }, { 'Svix-Id': 'msg_1', 'Svix-Timestamp': String(NOW), 'Svix-Signature': h['webhook-signature'] }]) {
        assert.equal(verify(payload, form).id, 'msg_1');
      }
      // webhook-id present: the webhook-* names, even if svix-* ones are there too (svix prefers svix-*).
      assert.equal(codeOf(() => verify(payload, { ...svix, 'webhook-id': 'msg_1' })), 'missing_header');
      assert.equal(codeOf(() => verify(payload, { ...h, 'svix-signature': 'v1,bogus' })), 'accepted');
      assert.throws(() => verify(payload, null), TypeError);
      assert.throws(() => verify(payload, { ...h, 'webhook-signature': [h['webhook-signature']] }), TypeError);
    });

    test('error codes', () => {
      const h = signed();
      assert.equal(codeOf(() => verify(payload, { ...h, 'webhook-signature': '' })), 'missing_header');
      assert.equal(codeOf(() => verify(payload, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW) })), 'missing_header');
      assert.equal(codeOf(() => verify(payload, {})), 'missing_header');
      for (const ts of [`${NOW}abc`, '-1', '1.5', ` ${NOW}`, '1e9', '9007199254740992']) {
        assert.equal(codeOf(() => verify(payload, { ...h, 'webhook-timestamp': ts })), 'bad_timestamp', ts);
      }
      assert.equal(codeOf(() => verify(`${payload} `, h)), 'no_matching_signature');
      assert.equal(codeOf(() => verify(payload, { ...h, 'webhook-signature': 'v2,abc' })), 'no_matching_signature');
      // The signature before the window: a forged old delivery is a signature failure.
      assert.equal(codeOf(() => verify(payload, { ...h, 'webhook-timestamp': '1' })), 'no_matching_signature');
      const old = signed({ timestamp: NOW - 301 });
      assert.equal(codeOf(() => verify(payload, old)), 'timestamp_too_old');
      const future = signed({ timestamp: NOW + 301 });
      assert.equal(codeOf(() => verify(payload, future)), 'timestamp_in_future');
      for (const bad of [undefined, null, '', '  ', [], 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_', 'whsec_%%%', 'sk_test_1', RFC8032[0].whsk, [SECRET, 'nope']]) {
        assert.equal(codeOf(() => hookwise.verifyStandardWebhook(payload, h, bad, { receivedAt: NOW_MS })), 'bad_secret', String(bad));
      }
      assert.throws(() => verify(payload, h, 42), TypeError);
      assert.throws(() => verify({ type: 'x' }, h), TypeError);
      assert.throws(() => verify(payload, h, SECRET, { tolerance: 'x' }), TypeError);
      assert.throws(() => verify(payload, h, SECRET, { toleranse: 1 }), TypeError);
    });

    test('the window: exactly tolerance away is accepted both ways; tolerance 0 turns it off', () => {
      for (const [offset, code] of [[0, 'accepted'], [300, 'accepted'], [-300, 'accepted'], [301, 'timestamp_in_future'], [-301, 'timestamp_too_old']]) {
        assert.equal(codeOf(() => verify(payload, signed({ timestamp: NOW + offset }))), code, String(offset));
      }
      assert.equal(codeOf(() => verify(payload, signed({ timestamp: NOW - 10 }), SECRET, { receivedAt: NOW_MS, tolerance: 10 })), 'accepted');
      assert.equal(codeOf(() => verify(payload, signed({ timestamp: NOW - 11 }), SECRET, { receivedAt: NOW_MS, tolerance: 10 })), 'timestamp_too_old');
      assert.equal(codeOf(() => verify(payload, signed({ timestamp: 1 }), SECRET, { receivedAt: NOW_MS, tolerance: 0 })), 'accepted');
    });

    test('stricter than the references, on purpose', () => {
      const h = signed();
      withNow(() => {
        // parseInt("1700000000abc") is 1700000000 for them; not an integer for us.
        const loose = { ...h, 'webhook-timestamp': `${NOW}abc` };
        assert.ok(new Webhook(SECRET).verify(payload, loose));
        assert.equal(codeOf(() => verify(payload, loose)), 'bad_timestamp');
        // split(",") drops what follows a second comma for them; it stays in the value for us.
        const trailing = { ...h, 'webhook-signature': `${h['webhook-signature']},junk` };
        assert.ok(new Webhook(SECRET).verify(payload, trailing));
        assert.equal(codeOf(() => verify(payload, trailing)), 'no_matching_signature');
      });
    });

    test('the error never carries the payload enumerably', () => {
      let err;
      try {
        verify('{"type":"secret-body"}', signed());
      } catch (e) {
        err = e;
      }
      assert.equal(err.code, 'no_matching_signature');
      assert.equal(err.payload, '{"type":"secret-body"}');
      assert.deepStrictEqual(Object.keys(err), ['code']);
      assert.ok(!JSON.stringify(err).includes('secret-body'));
      assert.ok(!require('node:util').inspect(err).includes('secret-body'));
      assert.ok(!err.message.includes(SECRET.slice(6)));
    });

    test('async: the same answers, large bodies too', async () => {
      const big = JSON.stringify({ type: 'big', data: { s: 'y'.repeat(200_000) } });
      const h = hookwise.signStandardWebhook({ id: 'msg_big', timestamp: NOW, payload: big, secret: SECRET });
      const result = await hookwise.verifyStandardWebhookAsync(Buffer.from(big), h, SECRET, { receivedAt: NOW_MS });
      assert.deepStrictEqual(result.event, JSON.parse(big));
      await assert.rejects(hookwise.verifyStandardWebhookAsync(Buffer.from(`${big} `), h, SECRET, { receivedAt: NOW_MS }), { code: 'no_matching_signature' });
      await assert.rejects(hookwise.verifyStandardWebhookAsync(big, h, 'nope'), { code: 'bad_secret' });
      // The caller's buffer may change as soon as the call returns.
      const buf = Buffer.from(big);
      const pending = hookwise.verifyStandardWebhookAsync(buf, h, SECRET, { receivedAt: NOW_MS });
      buf.fill(0x20);
      assert.equal((await pending).id, 'msg_big');
    });

    test('signStandardWebhook: options, several secrets, defaults', () => {
      const h = hookwise.signStandardWebhook({ id: 'm', payload, secret: [SECRET, RFC8032[0].whsk] });
      assert.deepStrictEqual(Object.keys(h), ['webhook-id', 'webhook-timestamp', 'webhook-signature']);
      const items = h['webhook-signature'].split(' ');
      assert.equal(items.length, 2);
      assert.match(items[0], /^v1,[A-Za-z0-9+/]{43}=$/);
      assert.match(items[1], /^v1a,[A-Za-z0-9+/]{86}==$/);
      assert.ok(Math.abs(Number(h['webhook-timestamp']) - Date.now() / 1000) < 5);
      assert.equal(hookwise.verifyStandardWebhook(payload, h, RFC8032[0].whpk).id, 'm');
      assert.throws(() => hookwise.signStandardWebhook({ id: 'm', payload, secret: RFC8032[0].whpk }), { code: 'bad_secret' });
      assert.throws(() => hookwise.signStandardWebhook({ id: '', payload, secret: SECRET }), TypeError);
      assert.throws(() => hookwise.signStandardWebhook({ id: 'm', payload, secret: SECRET, timestamp: 1.5 }), TypeError);
      assert.throws(() => hookwise.signStandardWebhook({ id: 'm', payload, secret: SECRET, extra: 1 }), TypeError);
    });
  });

  describe(`${name}: v1a (ed25519)`, () => {
    const payload = '{"type":"user.deleted","data":{"id":"user_1","deleted":true}}';

    test('signatures from RFC 8032 key pairs are what node:crypto makes, and verify with the whpk_ key', async () => {
      for (const key of RFC8032) {
        const h = hookwise.signStandardWebhook({ id: 'msg_9', timestamp: NOW, payload, secret: key.whsk });
        const expected = crypto.sign(null, Buffer.from(`msg_9.${NOW}.${payload}`), key.nodeKey).toString('base64');
        assert.equal(h['webhook-signature'], `v1a,${expected}`);
        assert.equal(hookwise.verifyStandardWebhook(payload, h, key.whpk, { receivedAt: NOW_MS }).id, 'msg_9');
        assert.equal((await hookwise.verifyStandardWebhookAsync(Buffer.from(payload), h, [SECRET, key.whpk], { receivedAt: NOW_MS })).id, 'msg_9');
      }
    });

    test('a v1a signature by an independent signer verifies; altered ones, other keys and other content do not', async () => {
      for (const [k, key] of RFC8032.entries()) {
        const sig = crypto.sign(null, Buffer.from(`msg_9.${NOW}.${payload}`), key.nodeKey).toString('base64');
        const h = { 'webhook-id': 'msg_9', 'webhook-timestamp': String(NOW), 'webhook-signature': `v1,AAAA v1a,${sig}` };
        const opts = { receivedAt: NOW_MS };
        assert.equal(hookwise.verifyStandardWebhook(payload, h, key.whpk, opts).id, 'msg_9');
        for (let i = 0; i < sig.length - 2; i += 5) {
          const altered = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
          const bad = { ...h, 'webhook-signature': `v1a,${altered}` };
          assert.throws(() => hookwise.verifyStandardWebhook(payload, bad, key.whpk, opts), { code: 'no_matching_signature' }, `position ${i}`);
        }
        await assert.rejects(hookwise.verifyStandardWebhookAsync(payload, { ...h, 'webhook-signature': `v1a,${sig.slice(0, 10)}B${sig.slice(11)}` }, key.whpk, opts), { code: 'no_matching_signature' });
        const other = RFC8032[(k + 1) % RFC8032.length];
        assert.throws(() => hookwise.verifyStandardWebhook(payload, h, other.whpk, opts), { code: 'no_matching_signature' });
        assert.throws(() => hookwise.verifyStandardWebhook(`${payload} `, h, key.whpk, opts), { code: 'no_matching_signature' });
        assert.throws(() => hookwise.verifyStandardWebhook(payload, { ...h, 'webhook-id': 'msg_8' }, key.whpk, opts), { code: 'no_matching_signature' });
        // A v1a item is never checked against an HMAC secret.
        assert.throws(() => hookwise.verifyStandardWebhook(payload, h, SECRET, opts), { code: 'no_matching_signature' });
      }
    });

    test('a whsk_ whose public half is not its seed\'s is refused', () => {
      const seed = RFC8032[0].whsk;
      const mixed = `whsk_${Buffer.concat([Buffer.from(seed.slice(5), 'base64').subarray(0, 32), Buffer.from(RFC8032[1].whpk.slice(5), 'base64')]).toString('base64')}`;
      assert.throws(() => hookwise.signStandardWebhook({ id: 'm', payload, secret: mixed }), (err) => err instanceof hookwise.StandardWebhookVerificationError && err.code === 'bad_secret');
    });
  });
}

describe('one definition for both languages', () => {
  const native = ENGINES.find((e) => e.name === 'native');

  test('the core\'s status names are the error codes', { skip: !native }, () => {
    const names = require('../../lib/native').standardStatusNames;
    assert.deepStrictEqual(names.slice(1, 1 + STANDARD_CODES.length), [...STANDARD_CODES]);
    assert.equal(names[0], 'ok');
  });

  test('lib/standard/keys.js accepts exactly the keys the core decodes', { skip: !native }, () => {
    const addon = require('../../lib/native');
    const samples = [RFC8032[0].whsk, RFC8032[0].whpk];
    for (let len = 0; len <= 70; len++) {
      const full = Buffer.alloc(len);
      for (let i = 0; i < len; i++) full[i] = (i * 37 + len * 11) & 0xff;
      const b64 = full.toString('base64');
      const lastFlipped = b64.length < 2 ? b64 : `${b64.slice(0, -2)}${b64.at(-2) === 'A' ? 'B' : 'A'}${b64.at(-1)}`;
      for (const text of [b64, b64.replace(/=+$/, ''), `${b64}=`, b64.slice(0, -1), lastFlipped, full.toString('base64url'), ` ${b64}`, `${b64}\n`]) {
        for (const prefix of ['whsec_', 'whsk_', 'whpk_', 'whsec', '']) samples.push(prefix + text);
      }
    }
    const BAD_SECRET = STANDARD_CODES.indexOf('bad_secret') + 1;
    const NO_MATCH = STANDARD_CODES.indexOf('no_matching_signature') + 1;
    let kinds = new Set();
    for (const text of samples) {
      const js = decodeKey(text);
      kinds.add(js === null ? 'refused' : js.kind);
      // The core verifying with it: refused keys and secret keys are bad_secret, the others decode.
      const verifying = addon.standardVerify('{}', 'm', '1', 'v1a,x v1,y', [text], 0, 0);
      const expected = js === null || js.kind === 'secretKey' ? BAD_SECRET : NO_MATCH;
      assert.equal(verifying, expected, `verify with ${JSON.stringify(text)}`);
      if (js !== null && js.kind === 'secret') assert.equal(typeof addon.standardSign('m', '1', '{}', text), 'string');
    }
    assert.deepStrictEqual([...kinds].sort(), ['publicKey', 'refused', 'secret', 'secretKey']);
  });
});

describe('portable: Ed25519 missing from WebCrypto', () => {
  const { hookwise } = ENGINES.find((e) => e.name === 'portable');
  // What the portable engine uses (Node 18 has no global one).
  const subtle = (globalThis.crypto ?? crypto.webcrypto).subtle;
  let real;
  before(() => {
    real = subtle.importKey;
    subtle.importKey = function importKey(format, key, algorithm, ...rest) {
      const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
      if (name === 'Ed25519') return Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError'));
      return real.call(this, format, key, algorithm, ...rest);
    };
  });
  after(() => {
    delete subtle.importKey;
    if (subtle.importKey !== real) subtle.importKey = real;
  });

  test('a v1a key gets an Error naming the missing capability; v1 still works', async () => {
    const payload = '{"type":"x"}';
    const h = hookwise.signStandardWebhook({ id: 'm', timestamp: NOW, payload, secret: [SECRET, RFC8032[0].whsk] });
    await assert.rejects(hookwise.verifyStandardWebhookAsync(payload, { ...h, 'webhook-signature': h['webhook-signature'].split(' ')[1] }, RFC8032[0].whpk, { receivedAt: NOW_MS }), (err) => {
      assert.equal(err.code, 'HOOKWISE_ED25519_UNAVAILABLE');
      assert.match(err.message, /Ed25519/);
      return true;
    });
    assert.equal((await hookwise.verifyStandardWebhookAsync(payload, h, SECRET, { receivedAt: NOW_MS })).id, 'm');
  });
});
