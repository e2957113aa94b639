'use strict';
// The portable implementation as a package (API.md section 7): which entry
// each import gets, HOOKWISE_IMPLEMENTATION and the fallback warning, the
// `exports` conditions, a bundle without Node built-ins (esbuild for the
// browser and neutral platforms, run with no process/Buffer/require and with
// random values refused at global scope, as workerd does), the sync functions
// where no synchronous HMAC exists, and the WebCrypto key cache.
// (The real runtimes — workerd, edge-runtime, Bun, Deno — have their own tests.)
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const esbuild = require('esbuild');
const portable = require('../../lib/portable');
const { _keyCache, MAX_KEYS } = require('../../lib/engine/portable/hmac');

const root = path.join(__dirname, '..', '..');
// Node 18 has no global WebCrypto; hookwise uses node:crypto's there.
const webcrypto = globalThis.crypto ?? require('node:crypto').webcrypto;
const SECRET = 'whsec_portable_test';

function node(args, env = {}, cwd = root) {
  return spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HOOKWISE_IMPLEMENTATION: '', ...env },
  });
}

describe('choosing the implementation', () => {
  test('require("hookwise") is native here; hookwise/portable is portable with the same exports', () => {
    const native = require('../..');
    assert.equal(native.implementation, 'native');
    assert.equal(portable.implementation, 'portable');
    assert.deepStrictEqual(Object.keys(portable).sort(), Object.keys(native).sort());
    for (const key of Object.keys(native)) assert.equal(typeof portable[key], typeof native[key], key);
    assert.equal(portable.SignatureVerificationError, native.SignatureVerificationError, 'one error class for both');
  });

  test('hookwise/portable never loads the addon or lib/native.js', () => {
    const r = node(['-e', `
      const h = require('hookwise/portable');
      const loaded = Object.keys(require.cache).filter((f) => f.endsWith('.node') || f.endsWith('native.js') || f.includes('engine/native'));
      console.log(JSON.stringify({ implementation: h.implementation, loaded }));`]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(r.stdout), { implementation: 'portable', loaded: [] });
    assert.equal(r.stderr, '');
  });

  test('HOOKWISE_IMPLEMENTATION=portable forces the portable one without loading the addon; =native is the addon', () => {
    const code = `
      const h = require('hookwise');
      const addon = Object.keys(require.cache).some((f) => f.endsWith('.node'));
      console.log(h.implementation, addon);`;
    const forced = node(['-e', code], { HOOKWISE_IMPLEMENTATION: 'portable' });
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(forced.stdout.trim(), 'portable false');
    assert.equal(forced.stderr, '', 'forcing is not a fallback: no warning');
    const nat = node(['-e', code], { HOOKWISE_IMPLEMENTATION: 'native' });
    assert.equal(nat.stdout.trim(), 'native true', nat.stderr);
    const bad = node(['-e', code], { HOOKWISE_IMPLEMENTATION: 'fast' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /HOOKWISE_IMPLEMENTATION must be "native" or "portable", got "fast"/);
  });

  describe('without the addon', () => {
    let dir;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-fallback-'));
      fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
      fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('falls back to portable with exactly one warning naming the cause, and works', () => {
      const code = `
        const h = require('./lib/index.js');
        const body = JSON.stringify({ id: 'evt_fb', object: 'event', type: 't' });
        const event = h.constructEvent(body, h.generateTestHeaderString({ payload: body, secret: 'whsec_x' }), 'whsec_x');
        console.log(h.implementation, event.id);`;
      const r = spawnSync(process.execPath, ['-e', `
        const warnings = [];
        console.warn = (...args) => warnings.push(args.join(' '));
        ${code}
        process.stderr.write(JSON.stringify(warnings));`], { cwd: dir, encoding: 'utf8', env: { ...process.env, HOOKWISE_IMPLEMENTATION: '' } });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'portable evt_fb');
      const warnings = JSON.parse(r.stderr);
      assert.equal(warnings.length, 1, `one console.warn: ${r.stderr}`);
      assert.match(warnings[0], /^hookwise: the native addon could not be loaded: neither a prebuilt binary \(.*hookwise\.glibc\.node\) nor a local build \(.*hookwise\.node\) exists/);
      assert.match(warnings[0], /portable implementation/);
      assert.doesNotMatch(warnings[0], /Possible solutions/, 'the cause, not the whole help text');
      assert.match(warnings[0], /to load the addon: Build it for this machine: npm rebuild hookwise/, 'and the likeliest fix');
    });

    test('the ESM entry falls back the same way; HOOKWISE_IMPLEMENTATION=native throws at import', () => {
      const esm = spawnSync(process.execPath, ['--input-type=module', '-e',
        "import { implementation, constructEventAsync } from './lib/index.mjs'; console.log(implementation, typeof constructEventAsync);"],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, HOOKWISE_IMPLEMENTATION: '' } });
      assert.equal(esm.status, 0, esm.stderr);
      assert.equal(esm.stdout.trim(), 'portable function');
      assert.equal(esm.stderr.split('\n').filter((l) => l.startsWith('hookwise: the native addon')).length, 1);
      const strict = spawnSync(process.execPath, ['-e', "require('./lib/index.js')"],
        { cwd: dir, encoding: 'utf8', env: { ...process.env, HOOKWISE_IMPLEMENTATION: 'native' } });
      assert.notEqual(strict.status, 0);
      assert.match(strict.stderr, /HOOKWISE_NATIVE_UNAVAILABLE/);
    });
  });

  test('package exports: workerd, edge-light, worker, browser and deno resolve hookwise to the portable entry; bun and node to the native one', () => {
    for (const [condition, expected] of [
      ['workerd', 'portable'], ['edge-light', 'portable'], ['worker', 'portable'], ['browser', 'portable'],
      ['deno', 'portable'], ['bun', 'native'], [null, 'native'],
    ]) {
      const args = condition ? [`--conditions=${condition}`] : [];
      const r = node([...args, '--input-type=module', '-e',
        "import { implementation } from 'hookwise'; import * as all from 'hookwise'; console.log(implementation, Object.keys(all).length);"]);
      assert.equal(r.status, 0, `${condition}: ${r.stderr}`);
      const [implementation, count] = r.stdout.trim().split(' ');
      assert.equal(implementation, expected, `condition ${condition}`);
      assert.equal(Number(count), Object.keys(portable).length + 1, `${condition}: every name, and default`);
    }
    const sub = node(['--input-type=module', '-e',
      "import * as m from 'hookwise/portable'; import c from 'hookwise/portable'; console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()), c.implementation);"]);
    assert.equal(sub.status, 0, sub.stderr);
    const [names, impl] = sub.stdout.trim().split(' ');
    assert.deepStrictEqual(JSON.parse(names), Object.keys(portable).sort());
    assert.equal(impl, 'portable');
  });
});

describe('a bundle with no Node built-ins', () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-bundle-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const platform of ['browser', 'neutral']) {
    test(`esbuild (platform ${platform}) bundles hookwise/portable with no node: import left at module scope`, async () => {
      const common = {
        bundle: true,
        write: false,
        platform,
        logLevel: 'silent',
        absWorkingDir: root,
        // What Convex's and wrangler's bundlers ask for; 'neutral' has no defaults.
        conditions: platform === 'neutral' ? ['worker', 'module'] : ['worker', 'browser'],
        mainFields: platform === 'neutral' ? ['module', 'main'] : undefined,
      };
      const esm = await esbuild.build({ ...common, stdin: { contents: "export * from 'hookwise';", resolveDir: root }, format: 'esm' });
      assert.deepStrictEqual(esm.warnings.map((w) => w.text), [], 'no unresolved import, even a guarded one');
      const text = esm.outputFiles[0].text;
      assert.doesNotMatch(text, /^\s*import\b[^;]*from\s*["']node:/m, 'no static node: import');
      assert.doesNotMatch(text, /require\(\s*["'](node:)?(crypto|fs|path|util|buffer|http|timers|sqlite)/, 'no literal require of a built-in');
      assert.doesNotMatch(text, /hookwise\.node['"]|NativeMemoryStore|envelopeLayout|verifyAndParseAsync\(/, 'neither the addon nor the native engine is in the bundle');

      const iife = await esbuild.build({
        ...common,
        stdin: { contents: "module.exports = require('hookwise');", resolveDir: root },
        format: 'iife',
        globalName: 'hookwise',
      });
      const file = path.join(dir, `bundle-${platform}.js`);
      fs.writeFileSync(file, iife.outputFiles[0].text);
      const r = spawnSync(process.execPath, [path.join(__dirname, 'support', 'no-node-runtime.js'), file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const results = JSON.parse(r.stdout);
      assert.equal(results.implementation, 'portable');
      assert.deepStrictEqual(results.exports.filter((k) => k !== 'default'), Object.keys(portable).sort());
      assert.deepStrictEqual(results.refusals, [], 'no random value or timer at global scope (module, handler, store)');
      assert.deepStrictEqual(results.constructEventAsync, { ok: true, value: 'evt_nn' });
      assert.deepStrictEqual(results.bytes, { ok: true, value: 'evt_nn' });
      assert.equal(results.forgedAsync.code, 'signature_mismatch');
      // Without a synchronous HMAC the sync functions refuse, naming the async one.
      for (const [fn, asyncFn] of [
        ['constructEvent', 'constructEventAsync'],
        ['verifyHeader', 'verifyHeaderAsync'],
        ['parseEventNotification', 'parseEventNotificationAsync'],
        ['generateTestHeaderString', 'generateTestHeaderStringAsync'],
      ]) {
        const res = results[fn];
        assert.equal(res.ok, false, `${fn} must not answer without a synchronous HMAC`);
        assert.equal(res.name, 'Error', fn);
        assert.equal(res.code, 'HOOKWISE_SYNC_CRYPTO_UNAVAILABLE', fn);
        assert.ok(res.message.includes(`await ${asyncFn}(`), `${fn}: ${res.message}`);
        assert.ok(!res.message.includes(SECRET) && !res.message.includes('whsec_no_node'), 'no secret in the message');
      }
      assert.equal(results.generateTestHeaderStringAsync.ok, true);
      assert.match(results.generateTestHeaderStringAsync.value, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.deepStrictEqual(results.fetchSigned.value, { status: 200, body: { received: true } });
      assert.deepStrictEqual(results.fetchDuplicate.value, { status: 200, body: { received: true, duplicate: true } });
      assert.equal(results.fetchForged.value.status, 400);
      assert.equal(results.fetchForged.value.body.error, 'signature_mismatch');
      assert.equal(results.fetchExpired.value.status, 400);
      assert.equal(results.fetchExpired.value.body.error, 'timestamp_too_old');
      assert.deepStrictEqual(results.handled, ['evt_nn']);
      // Standard Webhooks: WebCrypto's HMAC and Ed25519; the sync functions refuse, naming what to use.
      assert.deepStrictEqual(results.standardAsync, { ok: true, value: 'user_nn' });
      assert.deepStrictEqual(results.standardV1aAsync, { ok: true, value: 'msg_nn' });
      assert.equal(results.standardForgedAsync.code, 'no_matching_signature');
      assert.equal(results.standardSync.code, 'HOOKWISE_SYNC_CRYPTO_UNAVAILABLE');
      assert.ok(results.standardSync.message.includes('await verifyStandardWebhookAsync('), results.standardSync.message);
      assert.equal(results.standardSign.code, 'HOOKWISE_SYNC_CRYPTO_UNAVAILABLE');
      assert.equal(results.sqliteStore.ok, false);
      assert.match(results.sqliteStore.message, /MemoryStore/, 'names the stores that work here');
    });
  }
});

describe('the portable engine in Node', () => {
  // WebCrypto for every body here (Node's node:crypto would otherwise verify small ones inline).
  const { settings } = require('../../lib/engine/portable/verifier');
  let savedInline;
  before(() => {
    savedInline = settings.inlineMaxBytes;
    settings.inlineMaxBytes = 0;
  });
  after(() => {
    settings.inlineMaxBytes = savedInline;
  });
  const now = 1_760_000_000;
  const body = JSON.stringify({ id: 'evt_k', object: 'event', type: 't' });
  const header = (secret) => portable.generateTestHeaderString({ payload: body, secret, timestamp: now });

  test('each secret\'s key is imported once, and the cache stays bounded', async () => {
    const proto = Object.getPrototypeOf(webcrypto.subtle);
    const original = proto.importKey;
    let imports = 0;
    proto.importKey = function countedImportKey(...args) {
      imports += 1;
      return original.apply(this, args);
    };
    try {
      const secret = `whsec_once_${process.pid}`;
      for (let i = 0; i < 5; i++) {
        assert.equal((await portable.constructEventAsync(body, header(secret), secret, 0)).id, 'evt_k');
      }
      assert.equal(imports, 1, 'one importKey for five verifications with one secret');
      for (let i = 0; i < MAX_KEYS * 3; i++) {
        const s = `whsec_many_${i}`;
        await portable.constructEventAsync(body, header(s), s, 0);
        assert.ok(_keyCache.size <= MAX_KEYS, `cache size ${_keyCache.size}`);
      }
      assert.equal(imports, 1 + MAX_KEYS * 3);
      // The most recently used stay: the last secret verifies without a new import.
      await portable.constructEventAsync(body, header('whsec_many_47'), 'whsec_many_47', 0);
      assert.equal(imports, 1 + MAX_KEYS * 3);
    } finally {
      proto.importKey = original;
    }
  });

  test('a key that fails to import is not cached', async () => {
    const proto = Object.getPrototypeOf(webcrypto.subtle);
    const original = proto.importKey;
    proto.importKey = () => Promise.reject(new Error('importKey failed'));
    const secret = `whsec_flaky_${process.pid}`;
    try {
      await assert.rejects(portable.constructEventAsync(body, header(secret), secret, 0), /importKey failed/);
    } finally {
      proto.importKey = original;
    }
    assert.equal((await portable.constructEventAsync(body, header(secret), secret, 0)).id, 'evt_k');
  });

  test('with node:crypto, small bodies are verified inline and large ones with WebCrypto', async () => {
    const proto = Object.getPrototypeOf(webcrypto.subtle);
    const original = proto.sign;
    let signs = 0;
    proto.sign = function countedSign(...args) {
      signs += 1;
      return original.apply(this, args);
    };
    settings.inlineMaxBytes = savedInline;
    try {
      const small = JSON.stringify({ id: 'evt_small', pad: 'x'.repeat(100) });
      const large = JSON.stringify({ id: 'evt_large', pad: 'x'.repeat(savedInline) });
      for (const [text, expected] of [[small, 0], [large, 1]]) {
        signs = 0;
        const h = portable.generateTestHeaderString({ payload: text, secret: SECRET });
        assert.equal((await portable.constructEventAsync(Buffer.from(text), h, SECRET)).id, JSON.parse(text).id);
        assert.equal(signs, expected, `${text.length} bytes: ${signs} WebCrypto signs`);
      }
    } finally {
      proto.sign = original;
      settings.inlineMaxBytes = 0;
    }
  });

  test('a forged large body is refused before its parse error or its event is seen', async () => {
    const text = `{"id":"evt_forged","pad":"${'x'.repeat(70_000)}"`; // not JSON
    const forged = portable.generateTestHeaderString({ payload: text, secret: 'whsec_other' });
    await assert.rejects(portable.constructEventAsync(text, forged, SECRET), { code: 'signature_mismatch' });
    const signed = portable.generateTestHeaderString({ payload: text, secret: SECRET });
    await assert.rejects(portable.constructEventAsync(text, signed, SECRET), SyntaxError);
    const expired = portable.generateTestHeaderString({ payload: `${text}}`, secret: SECRET, timestamp: 1 });
    await assert.rejects(portable.constructEventAsync(`${text}}`, expired, SECRET), { code: 'timestamp_too_old' });
  });

  test('the sync functions use node:crypto here, and agree with the async ones', async () => {
    const h = header(SECRET);
    assert.deepStrictEqual(portable.constructEvent(body, h, SECRET, 0), await portable.constructEventAsync(body, h, SECRET, 0));
    assert.equal(portable.verifyHeader(body, h, SECRET, 0), true);
    assert.equal(portable.generateTestHeaderString({ payload: body, secret: SECRET, timestamp: now }),
      await portable.generateTestHeaderStringAsync({ payload: body, secret: SECRET, timestamp: now }));
  });

  test('RFC 4231 HMAC-SHA256 vectors, sync and WebCrypto', async () => {
    const { hmacHex, hmacHexAsync } = require('../../lib/engine/portable/hmac');
    const vectors = [
      [Buffer.alloc(20, 0x0b), Buffer.from('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      [Buffer.alloc(131, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
      [new Uint8Array(0), Buffer.from(''), 'b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad'],
    ];
    for (const [key, data, expected] of vectors) {
      assert.equal(hmacHex(key, '', data, 'xAsync'), expected);
      assert.equal(await hmacHexAsync(key, '', data), expected);
    }
  });
});

describe('RedisStore and PostgresStore without node:crypto', () => {
  test('lib/stores/sha1.js equals node:crypto\'s SHA-1 (script ids, statement names, the schema lock)', () => {
    const { sha1Hex, sha1BigInt64 } = require('../../lib/stores/sha1');
    const nodeCrypto = require('node:crypto');
    const scripts = Object.values(require('../../lib/stores/redis-scripts'));
    const inputs = ['', 'abc', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'é€😀\ud800'.repeat(40), 'hookwise:hookwise_events', ...scripts];
    for (let n = 0; n < 200; n++) inputs.push(nodeCrypto.randomBytes(n).toString('latin1'));
    for (const text of inputs) {
      const digest = nodeCrypto.createHash('sha1').update(text).digest();
      assert.equal(sha1Hex(text), digest.toString('hex'), `${text.length} characters`);
      assert.equal(sha1BigInt64(text), digest.readBigInt64BE(0));
    }
    assert.equal(sha1Hex('abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d', 'FIPS 180 example');
  });
});
