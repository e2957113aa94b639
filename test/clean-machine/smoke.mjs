// The smoke test run on the clean machine (test/clean-machine/run.sh copies it
// into a project where hookwise was installed from the packed tarball, inside
// the Debian root, and runs it with each Node.js there). It uses only what a
// user's project has: the installed `hookwise` and `stripe` packages.
//
//   node smoke.mjs FIXTURE.json
//   env: SMOKE_EXPECT_PREBUILD=linux-x64   the addon must come from prebuilds/linux-x64/
//
// Prints one line per check and a final `smoke-result {json}` line; exits 1 on
// the first failed check.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const result = { node: process.version, arch: process.arch, passed: 0 };

async function check(name, fn) {
  try {
    const note = await fn();
    result.passed += 1;
    console.log(`ok - ${name}${note ? ` (${note})` : ''}`);
  } catch (err) {
    console.log(`not ok - ${name}\n${String(err && err.stack ? err.stack : err).replace(/^/gm, '    ')}`);
    result.failed = name;
    console.log(`smoke-result ${JSON.stringify(result)}`);
    process.exit(1);
  }
}

const SECRET = 'whsec_clean_machine_0123456789abcdefghij';
const FORGER = 'whsec_someone_else_00000000000000000000';
const fixture = fs.readFileSync(process.argv[2], 'utf8');
// Stripe-shaped, plus what JSON.parse parity is about: rounding, big and
// negative numbers, unicode, escapes, a "__proto__" key, a duplicate key.
const tricky = JSON.stringify({ id: 'evt_smoke_tricky', object: 'event', type: 'test.tricky', created: 1740787260 })
  .slice(0, -1) +
  ',"data":{"object":{"id":"obj_1","object":"thing","n":[0.1,1e21,-0,123456789012345678901,5e-324,-1.5e300],' +
  '"s":"Jörg \\u00fc \\ud83d\\ude00 \\"q\\" \\n","__proto__":{"x":1},"dup":1,"dup":2,"nested":[[[]],{}]}}}';

let hookwise;
let esm;
await check('require("hookwise") and import("hookwise") load, with no warning', async () => {
  // A fallback to the portable implementation says so once with console.warn.
  const warned = [];
  const { warn } = console;
  console.warn = (...args) => warned.push(args.join(' '));
  try {
    hookwise = require('hookwise');
    esm = await import('hookwise');
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warned, [], 'loading hookwise warned');
  assert.equal(typeof hookwise.constructEvent, 'function');
  assert.equal(typeof esm.constructEvent, 'function', 'ESM named export');
});

await check('the native addon is what loaded', () => {
  if ('implementation' in hookwise) assert.equal(hookwise.implementation, 'native');
  const maps = fs.readFileSync('/proc/self/maps', 'utf8');
  const loaded = [...new Set(maps.split('\n').map((l) => l.split(/\s+/)[5]).filter((p) => p && /hookwise.*\.node$/.test(p)))];
  assert.equal(loaded.length, 1, `one hookwise .node mapped, got ${JSON.stringify(loaded)}`);
  result.addon = path.relative(process.cwd(), loaded[0]);
  const expect = process.env.SMOKE_EXPECT_PREBUILD;
  if (expect) assert.ok(result.addon.includes(`/prebuilds/${expect}/`), `expected prebuilds/${expect}/, loaded ${result.addon}`);
  const glibc = process.report?.getReport().header.glibcVersionRuntime;
  result.glibc = glibc;
  return `${'implementation' in hookwise ? `implementation ${hookwise.implementation}, ` : 'no implementation export, '}${result.addon}, glibc ${glibc}`;
});

const Stripe = require('stripe');
const stripe = new Stripe('sk_test_clean_machine');
result.stripe = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'node_modules/stripe/package.json'), 'utf8')).version;

await check("verifies stripe-node's test header", () => {
  for (const payload of [fixture, tricky]) {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    assert.equal(hookwise.verifyHeader(payload, header, SECRET), true);
    assert.equal(hookwise.webhooks.verifyHeader(Buffer.from(payload), header, [FORGER, SECRET]), true);
    const timestamp = Math.floor(Date.now() / 1000) - 10;
    assert.equal(
      hookwise.generateTestHeaderString({ payload, secret: SECRET, timestamp }),
      stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp }),
    );
    const forged = stripe.webhooks.generateTestHeaderString({ payload, secret: FORGER });
    assert.throws(() => hookwise.verifyHeader(payload, forged, SECRET), (err) =>
      err instanceof hookwise.SignatureVerificationError && err.code === 'signature_mismatch');
  }
});

await check('constructEvent is deep-equal to JSON.parse (and to stripe-node)', async () => {
  for (const payload of [fixture, tricky]) {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    const expected = JSON.parse(payload);
    assert.deepStrictEqual(hookwise.constructEvent(payload, header, SECRET), expected);
    assert.deepStrictEqual(hookwise.constructEvent(Buffer.from(payload), header, SECRET), expected);
    assert.deepStrictEqual(await hookwise.constructEventAsync(payload, header, SECRET), expected);
    assert.deepStrictEqual(esm.constructEvent(payload, header, SECRET), expected);
    assert.deepStrictEqual(hookwise.constructEvent(payload, header, SECRET), stripe.webhooks.constructEvent(payload, header, SECRET));
  }
});

function post(port, body, signature) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

await check('a handler on SqliteStore through webhooks.node over HTTP', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-smoke-'));
  const dbPath = path.join(dir, 'events.db');
  const store = new hookwise.SqliteStore({ path: dbPath });
  const seen = [];
  const webhooks = hookwise.createWebhookHandler({
    secret: SECRET,
    store,
    on: { 'checkout.session.completed': async (event, ctx) => { seen.push([event.id, ctx.attempt, event.data.object.customer_details.name]); } },
  });
  const server = http.createServer((req, res) => webhooks.node(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  try {
    const event = JSON.parse(fixture);
    const header = stripe.webhooks.generateTestHeaderString({ payload: fixture, secret: SECRET });
    assert.deepStrictEqual(await post(port, fixture, header), { status: 200, body: { received: true } });
    assert.deepStrictEqual(seen, [[event.id, 1, 'Jörg Müller']]);
    assert.deepStrictEqual(await post(port, fixture, header), { status: 200, body: { received: true, duplicate: true } });
    assert.equal(seen.length, 1, 'the handler ran once');
    const forged = stripe.webhooks.generateTestHeaderString({ payload: fixture.replace('1999', '1'), secret: FORGER });
    const answer = await post(port, fixture.replace('1999', '1'), forged);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'signature_mismatch');
    assert.equal(seen.length, 1);
    const record = await store.get(event.id);
    assert.equal(record.status, 'completed');
    assert.equal(record.attempts, 1);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await webhooks.close();
    await store.close();
  }
  assert.ok(fs.statSync(dbPath).size > 0, 'the SQLite file exists');
  fs.rmSync(dir, { recursive: true, force: true });
  return '200 processed, 200 duplicate, 400 forged';
});

await check('npx hookwise demo exits 0', () => {
  const run = spawnSync('npx', ['--no-install', 'hookwise', 'demo'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
  assert.equal(run.status, 0, `exit ${run.status} ${run.signal ?? ''}\n${run.stdout}\n${run.stderr}`);
  const verdict = run.stdout.split('\n').find((line) => /^(ok|FAIL)\b/.test(line.trim()));
  assert.ok(verdict && verdict.trim().startsWith('ok'), `the demo's verdict: ${verdict}`);
  return verdict.trim().slice(0, 70);
});

result.ok = true;
console.log(`smoke-result ${JSON.stringify(result)}`);
