'use strict';
// What the real-runtime tests share: an app directory where `hookwise` is an
// installed package — the tarball `npm pack` makes of this checkout, unpacked
// into node_modules/hookwise, so the runtime or bundler applies the package's
// `exports` conditions and sees only the published files, as for a user — the
// deliveries (signed in this process with stripe-node), and the answers every
// runtime must give to them. The addon this checkout built is copied beside
// the unpacked package (build/Release), where `npm install` would have built it.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const assert = require('node:assert/strict');
const Stripe = require('stripe');

const root = path.join(__dirname, '..', '..');
const SECRET = 'whsec_runtime_test_secret'; // the same constant as app.mjs
const FIXTURES = ['app.mjs', 'worker.mjs', 'edge.mjs', 'driver.mjs', 'store-smoke.mjs'];

// A fresh app directory with the fixtures and hookwise installed; `cleanup` removes it.
function makeAppDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-runtime-'));
  for (const name of FIXTURES) fs.copyFileSync(path.join(__dirname, name), path.join(dir, name));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'hookwise-runtime-app', private: true, type: 'module', dependencies: { hookwise: '0.1.0' },
  }));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
  const tarball = path.join(dir, JSON.parse(out)[0].filename);
  const pkg = path.join(dir, 'node_modules', 'hookwise');
  fs.mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1']);
  fs.rmSync(tarball);
  const release = path.join(root, 'build', 'Release');
  fs.mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
  for (const name of ['hookwise.node', 'hookwise.build.json']) {
    if (fs.existsSync(path.join(release, name))) fs.copyFileSync(path.join(release, name), path.join(pkg, 'build', 'Release', name));
  }
  return { dir, pkg, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function invoicePaid(id) {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2025-03-31.basil',
    created: Math.floor(Date.now() / 1000),
    type: 'invoice.paid',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: { id: `in_${id.slice(4)}`, object: 'invoice', amount_paid: 2500, currency: 'eur' } },
  });
}

const sign = (payload, secret, timestamp) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp === undefined ? {} : { timestamp }) });

const post = (body, signature) => ({
  method: 'POST',
  path: '/webhooks/stripe',
  headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  body,
});

// The deliveries, in order: a signed one, the same again, a forged signature,
// an expired timestamp, then GET /state.
function deliveries() {
  const id = `evt_${randomBytes(8).toString('hex')}`;
  const body = invoicePaid(id);
  const header = sign(body, SECRET);
  const forged = `evt_${randomBytes(8).toString('hex')}`;
  const expired = `evt_${randomBytes(8).toString('hex')}`;
  const expiredBody = invoicePaid(expired);
  return {
    id,
    requests: [
      post(body, header),
      post(body, header),
      post(invoicePaid(forged), sign(invoicePaid(forged), 'whsec_not_the_endpoint_secret')),
      post(expiredBody, sign(expiredBody, SECRET, Math.floor(Date.now() / 1000) - 3600)),
      { method: 'GET', path: '/state', headers: {} },
    ],
  };
}

// answers: [{ status, body }] for the requests above; sqliteStore: what
// `new SqliteStore()` gives in that runtime (see app.mjs).
function checkAnswers(answers, { id }, implementation, sqliteStore) {
  assert.equal(answers.length, 5);
  const [first, again, forged, expired, state] = answers;
  assert.deepEqual(first, { status: 200, body: { received: true } }, 'a signed delivery is processed');
  assert.deepEqual(again, { status: 200, body: { received: true, duplicate: true } }, 'its redelivery is a duplicate');
  assert.equal(forged.status, 400);
  assert.equal(forged.body.error, 'signature_mismatch');
  assert.equal(expired.status, 400);
  assert.equal(expired.body.error, 'timestamp_too_old');
  for (const rejected of [forged, expired]) {
    const text = JSON.stringify(rejected.body);
    assert.ok(!text.includes('whsec_'), 'no secret in a response');
    assert.ok(!text.includes('invoice.paid'), 'no payload echoed');
  }
  assert.deepEqual(state, {
    status: 200,
    body: { implementation, handled: [{ id, attempt: 1, amount: 2500 }], sqliteStore },
  }, 'the handler ran once, in the expected implementation; SqliteStore as this runtime allows');
}

module.exports = { root, SECRET, makeAppDir, deliveries, checkAnswers };
