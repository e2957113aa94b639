'use strict';
// createWebhookHandler({ scheme: 'standard' }) (API.md section 9) over both
// engines: the whole pipeline for Clerk's events (dedup by webhook-id, type
// from the body, retries, dead letters, the same answers), the secret checks
// at creation, the Fetch adapter, and one app serving a Stripe handler and a
// Clerk handler on ONE store over node:http. Then the CLI's --scheme standard.
const { describe, test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ENGINES } = require('./support/engines');
const { SECRET: STRIPE_SECRET, delivery, startServer, post, recordingLogger, makeEvent } = require('./support/deliveries');
const { buildClerkEvent, clerkId, CLERK_EVENT_TYPES } = require('../../lib/fixtures/clerk');

const CLERK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BIN = path.join(__dirname, '..', '..', 'bin', 'hookwise.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-standard-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const svixHeaders = (h) => ({ 'svix-id': h['webhook-id'], 'svix-timestamp': h['webhook-timestamp'], 'svix-signature': h['webhook-signature'] });

for (const { name, hookwise } of ENGINES) {
  describe(`${name}: createWebhookHandler({ scheme: 'standard' })`, () => {
    const { createWebhookHandler, MemoryStore, signStandardWebhook, WebhookConfigError } = hookwise;
    const clerkDelivery = (type, { id = clerkId('msg'), secret = CLERK_SECRET, ...options } = {}) => {
      const body = JSON.stringify(buildClerkEvent(type, options));
      return { id, body, headers: signStandardWebhook({ id, payload: body, secret }) };
    };

    function newHandler(options = {}) {
      const runs = [];
      const log = recordingLogger();
      const webhooks = createWebhookHandler({
        scheme: 'standard',
        secret: CLERK_SECRET,
        store: new MemoryStore(),
        logger: log.logger,
        retry: { attempts: 0 },
        on: {
          'user.created': async (event, ctx) => runs.push(['created', event.data.id, ctx.eventId, ctx.attempt]),
          'user.deleted': async (event) => runs.push(['deleted', event.data.id]),
        },
        ...options,
      });
      return { webhooks, runs, log };
    }

    test('processes once per webhook-id, routes by the body\'s type, ignores unhandled types', async () => {
      const { webhooks, runs } = newHandler();
      const d = clerkDelivery('user.created', { userId: 'user_1' });
      const first = await webhooks.handle(d.body, d.headers);
      assert.deepStrictEqual([first.status, first.outcome, first.eventId, first.type], [200, 'processed', d.id, 'user.created']);
      assert.deepStrictEqual(first.body, { received: true });
      // Svix's retry: the same message id, signed afresh, under the svix- names.
      const again = signStandardWebhook({ id: d.id, payload: d.body, secret: CLERK_SECRET });
      const second = await webhooks.handle(Buffer.from(d.body), svixHeaders(again));
      assert.deepStrictEqual([second.status, second.outcome], [200, 'duplicate']);
      assert.deepStrictEqual(second.body, { received: true, duplicate: true });
      assert.deepStrictEqual(runs, [['created', 'user_1', d.id, 1]]);
      const updated = clerkDelivery('user.updated');
      const ignored = await webhooks.handle(updated.body, new Headers(updated.headers));
      assert.deepStrictEqual([ignored.outcome, ignored.body], ['ignored', { received: true, ignored: true }]);
      const deleted = clerkDelivery('user.deleted', { userId: 'user_1' });
      assert.equal((await webhooks.handle(deleted.body, deleted.headers)).outcome, 'processed');
      assert.deepStrictEqual(runs[1], ['deleted', 'user_1']);
      await webhooks.close();
    });

    test('rejections: 400 with the StandardWebhookVerificationError code, or invalid_json', async () => {
      const { webhooks, runs, log } = newHandler();
      const d = clerkDelivery('user.created');
      const cases = [
        [`${d.body} `, d.headers, 'no_matching_signature'],
        [d.body, { ...d.headers, 'webhook-signature': '' }, 'missing_header'],
        [d.body, { 'webhook-id': d.id }, 'missing_header'],
        [d.body, { ...d.headers, 'webhook-timestamp': '12ab' }, 'bad_timestamp'],
        [d.body, signStandardWebhook({ id: d.id, payload: d.body, secret: CLERK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 400 }), 'timestamp_too_old'],
        [d.body, signStandardWebhook({ id: d.id, payload: d.body, secret: CLERK_SECRET, timestamp: Math.floor(Date.now() / 1000) + 400 }), 'timestamp_in_future'],
      ];
      for (const [body, headers, code] of cases) {
        const r = await webhooks.handle(body, headers);
        assert.deepStrictEqual([r.status, r.outcome, r.body.error], [400, 'rejected', code], code);
        assert.equal(typeof r.body.message, 'string');
        assert.equal(r.error.code, code);
      }
      const notJson = 'not json';
      const r = await webhooks.handle(notJson, signStandardWebhook({ id: 'msg_x', payload: notJson, secret: CLERK_SECRET }));
      assert.deepStrictEqual([r.status, r.body.error], [400, 'invalid_json']);
      const noType = '{"data":{}}';
      const r2 = await webhooks.handle(noType, signStandardWebhook({ id: 'msg_y', payload: noType, secret: CLERK_SECRET }));
      assert.deepStrictEqual([r2.status, r2.body.error], [400, 'invalid_json']);
      assert.match(r2.body.message, /Standard Webhooks event/);
      assert.deepStrictEqual(runs, []);
      assert.ok(!log.text().includes(CLERK_SECRET.slice(6)));
      assert.ok(!log.text().includes(d.body));
    });

    test('a failing handler: 500 and a retry by the next delivery, then the dead letter', async () => {
      let calls = 0;
      const { webhooks } = newHandler({
        maxAttempts: 2,
        on: { 'user.updated': async () => { calls += 1; throw new Error('database down'); } },
      });
      const d = clerkDelivery('user.updated');
      const first = await webhooks.handle(d.body, d.headers);
      assert.deepStrictEqual([first.status, first.outcome, first.body], [500, 'failed', { error: 'handler_failed' }]);
      const second = await webhooks.handle(d.body, d.headers);
      assert.deepStrictEqual([second.status, second.outcome, second.attempt], [200, 'dead_lettered', 2]);
      const third = await webhooks.handle(d.body, d.headers);
      assert.deepStrictEqual([third.outcome, third.body], ['dead_lettered', { received: true, dead_lettered: true }]);
      assert.equal(calls, 2);
      assert.equal(third.eventId, d.id);
    });

    test('several keys (rotation, v1a), and the store records the webhook-id', async () => {
      const { publicKey, privateKey } = require('node:crypto').generateKeyPairSync('ed25519');
      const jwk = privateKey.export({ format: 'jwk' });
      const whsk = `whsk_${Buffer.concat([Buffer.from(jwk.d, 'base64url'), Buffer.from(jwk.x, 'base64url')]).toString('base64')}`;
      const whpk = `whpk_${Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('base64')}`;
      const store = new MemoryStore();
      const { webhooks, runs } = newHandler({ secret: ['whsec_b2xkIHNlY3JldCBvbGQgc2VjcmV0', whpk], store });
      const d = clerkDelivery('user.created', { secret: whsk, userId: 'user_v1a' });
      assert.equal((await webhooks.handle(d.body, d.headers)).outcome, 'processed');
      assert.deepStrictEqual(runs, [['created', 'user_v1a', d.id, 1]]);
      const record = await store.get(d.id);
      assert.deepStrictEqual([record.id, record.type, record.status], [d.id, 'user.created', 'completed']);
      assert.equal(record.created, Number(d.headers['webhook-timestamp']));
      const hmac = clerkDelivery('user.created', { secret: CLERK_SECRET });
      assert.equal((await webhooks.handle(hmac.body, hmac.headers)).body.error, 'no_matching_signature');
    });

    test('the secret is checked at creation', () => {
      const make = (secret, extra = {}) => () => createWebhookHandler({ scheme: 'standard', secret, ...extra });
      for (const missing of [undefined, null, '', '  ', []]) {
        assert.throws(make(missing), (err) => err instanceof WebhookConfigError && err.code === 'missing_secret' && /CLERK_WEBHOOK_SIGNING_SECRET/.test(err.message));
      }
      for (const bad of ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_%%', `${CLERK_SECRET}\n`, 'whsk_AAAA', [CLERK_SECRET, 'sk_test_x']]) {
        assert.throws(make(bad), (err) => err instanceof WebhookConfigError && err.code === 'bad_secret' && !err.message.includes('LaLaSw'));
      }
      assert.throws(make(42), TypeError);
      assert.throws(() => createWebhookHandler({ scheme: 'svix', secret: CLERK_SECRET }), TypeError);
      // A Stripe secret is a valid whsec_ string only by accident; the Stripe scheme stays the default.
      assert.doesNotThrow(() => createWebhookHandler({ secret: STRIPE_SECRET }));
      // `next build`: reported at the first request instead.
      const { normalizeOptions } = require('../../lib/handler-options');
      const config = normalizeOptions({ scheme: 'standard' }, { NEXT_PHASE: 'phase-production-build' });
      assert.equal(config.deferredError.code, 'missing_secret');
    });

    test('webhooks.fetch reads the three headers from the Request', async () => {
      const { webhooks, runs } = newHandler();
      const d = clerkDelivery('user.created', { userId: 'user_fetch' });
      const request = (headers) => new Request('https://example.com/api/webhooks/clerk', { method: 'POST', body: d.body, headers: { 'content-type': 'application/json', ...headers } });
      const res = await webhooks.fetch(request(svixHeaders(d.headers)));
      assert.deepStrictEqual([res.status, await res.json()], [200, { received: true }]);
      const dup = await webhooks.fetch(request(d.headers));
      assert.deepStrictEqual(await dup.json(), { received: true, duplicate: true });
      const bad = await webhooks.fetch(request({ ...d.headers, 'webhook-signature': 'v1,AAAA' }));
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).error, 'no_matching_signature');
      assert.deepStrictEqual(runs, [['created', 'user_fetch', d.id, 1]]);
    });
  });

  describe(`${name}: a Stripe handler and a Clerk handler on one store, over node:http`, () => {
    const { createWebhookHandler, MemoryStore, signStandardWebhook } = hookwise;

    test('each scheme verifies its own deliveries; both record into the one store', async () => {
      const store = new MemoryStore();
      const log = [];
      const stripe = createWebhookHandler({ secret: STRIPE_SECRET, store, logger: recordingLogger().logger, on: { 'invoice.paid': async (e) => log.push(['stripe', e.id]) } });
      const clerk = createWebhookHandler({
        scheme: 'standard',
        secret: CLERK_SECRET,
        store,
        logger: recordingLogger().logger,
        on: { 'user.created': async (e, ctx) => log.push(['clerk', e.data.id, ctx.eventId]) },
      });
      const server = await startServer((req, res) => {
        if (req.url === '/api/webhooks/stripe') return stripe.node(req, res);
        if (req.url === '/api/webhooks/clerk') return clerk.node(req, res);
        res.statusCode = 404;
        return res.end('{}');
      });
      const base = server.url.replace(/\/webhooks$/, '');
      try {
        const s = delivery(makeEvent({ id: 'evt_http_1' }));
        const c = JSON.stringify(buildClerkEvent('user.created', { userId: 'user_http' }));
        const msgId = clerkId('msg');
        const clerkPost = (headers, body = c) => post(`${base}/api/webhooks/clerk`, body, undefined, headers);
        const signed = () => svixHeaders(signStandardWebhook({ id: msgId, payload: c, secret: CLERK_SECRET }));

        assert.deepStrictEqual((await post(`${base}/api/webhooks/stripe`, s.body, s.header)).body, { received: true });
        assert.deepStrictEqual((await clerkPost(signed())).body, { received: true });
        // Duplicates of each, and each route refusing the other's deliveries.
        assert.deepStrictEqual((await post(`${base}/api/webhooks/stripe`, s.body, s.header)).body, { received: true, duplicate: true });
        assert.deepStrictEqual((await clerkPost(signed())).body, { received: true, duplicate: true });
        const crossed = await post(`${base}/api/webhooks/clerk`, s.body, s.header);
        assert.deepStrictEqual([crossed.status, crossed.body.error], [400, 'missing_header']);
        const crossed2 = await post(`${base}/api/webhooks/stripe`, c, undefined, signed());
        assert.deepStrictEqual([crossed2.status, crossed2.body.error], [400, 'missing_header']);
        const forged = await clerkPost({ ...signed(), 'svix-signature': 'v1,Zm9yZ2Vk' });
        assert.deepStrictEqual([forged.status, forged.body.error], [400, 'no_matching_signature']);
        assert.equal(forged.headers.get('content-type'), 'application/json');

        assert.deepStrictEqual(log, [['stripe', 'evt_http_1'], ['clerk', 'user_http', msgId]]);
        const records = await store.list();
        assert.deepStrictEqual(records.map((r) => [r.id, r.type, r.status]).sort(), [['evt_http_1', 'invoice.paid', 'completed'], [msgId, 'user.created', 'completed']].sort());
      } finally {
        await server.close();
        await store.close();
      }
    });
  });
}

describe('hookwise trigger / verify --scheme standard', () => {
  function cli(args, env = {}) {
    return new Promise((resolve, reject) => {
      const childEnv = { ...process.env, STRIPE_WEBHOOK_SECRET: '', CLERK_WEBHOOK_SIGNING_SECRET: '', NO_COLOR: '1', ...env };
      delete childEnv.FORCE_COLOR;
      const child = spawn(process.execPath, [BIN, ...args], { env: childEnv });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
  const { createWebhookHandler, MemoryStore, signStandardWebhook } = require('../../lib');

  test('trigger sends each Clerk fixture, signed; --times repeats one message id (duplicates)', async () => {
    const seen = [];
    const webhooks = createWebhookHandler({ scheme: 'standard', secret: CLERK_SECRET, store: new MemoryStore(), logger: recordingLogger().logger, on: { '*': async (e, ctx) => seen.push([e.type, ctx.eventId, e.object, e.data.object]) } });
    const server = await startServer((req, res) => webhooks.node(req, res));
    try {
      for (const type of CLERK_EVENT_TYPES) {
        const r = await cli(['trigger', '--scheme', 'standard', type, '--to', server.url, '--secret', CLERK_SECRET, '--times', '2', '--json']);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const { deliveries } = JSON.parse(r.stdout);
        assert.deepStrictEqual(deliveries.map((d) => d.outcome), ['processed', 'duplicate']);
        assert.equal(deliveries[0].messageId, deliveries[1].messageId);
        assert.match(deliveries[0].messageId, /^msg_[0-9A-Za-z]{27}$/);
      }
      assert.deepStrictEqual(seen.map((s) => [s[0], s[2], s[3]]), [['user.created', 'event', 'user'], ['user.updated', 'event', 'user'], ['user.deleted', 'event', 'user']]);
      const webhookPrefix = await cli(['trigger', '--scheme', 'standard', 'user.created', '--to', server.url, '--prefix', 'webhook'], { CLERK_WEBHOOK_SIGNING_SECRET: CLERK_SECRET });
      assert.equal(webhookPrefix.code, 0, webhookPrefix.stderr);
      assert.match(webhookPrefix.stdout, /processed/);
      const wrong = await cli(['trigger', '--scheme', 'standard', 'user.created', '--to', server.url, '--secret', 'whsec_d3Jvbmcgc2VjcmV0IGhlcmU=']);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stdout, /no_matching_signature/);
      const usage = await cli(['trigger', '--scheme', 'standard', 'session.created', '--to', server.url, '--secret', CLERK_SECRET]);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /user\.created/);
      const badScheme = await cli(['trigger', '--scheme', 'svix', 'user.created', '--to', server.url]);
      assert.equal(badScheme.code, 2);
    } finally {
      await server.close();
    }
  });

  test('verify explains valid and invalid captured deliveries', async () => {
    const body = JSON.stringify(buildClerkEvent('user.created'));
    const file = path.join(tmp, 'clerk.json');
    fs.writeFileSync(file, body);
    const h = signStandardWebhook({ id: 'msg_cli', payload: body, secret: CLERK_SECRET });
    const args = ['verify', '--scheme', 'standard', '--payload', file, '--id', 'msg_cli', '--timestamp', h['webhook-timestamp'], '--signature', h['webhook-signature']];
    const ok = await cli([...args, '--secret', CLERK_SECRET, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepStrictEqual(JSON.parse(ok.stdout), { valid: true, id: 'msg_cli', type: 'user.created', signedAt: Number(h['webhook-timestamp']) });
    const text = await cli(args, { CLERK_WEBHOOK_SIGNING_SECRET: CLERK_SECRET });
    assert.match(text.stdout, /^valid {2}user\.created msg_cli/);

    fs.writeFileSync(path.join(tmp, 'clerk-nl.json'), `${body}\n`);
    const nl = await cli(['verify', '--scheme', 'standard', '--payload', path.join(tmp, 'clerk-nl.json'), '--id', 'msg_cli', '--timestamp', h['webhook-timestamp'], '--signature', h['webhook-signature'], '--secret', CLERK_SECRET, '--json']);
    assert.equal(nl.code, 1);
    const out = JSON.parse(nl.stdout);
    assert.equal(out.code, 'no_matching_signature');
    assert.ok(out.hints.some((hint) => /trailing newline/.test(hint)));
    assert.ok(!nl.stdout.includes(CLERK_SECRET.slice(6)));

    const old = signStandardWebhook({ id: 'msg_cli', payload: body, secret: CLERK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 1000 });
    const stale = await cli(['verify', '--scheme', 'standard', '--payload', file, '--id', 'msg_cli', '--timestamp', old['webhook-timestamp'], '--signature', old['webhook-signature'], '--secret', CLERK_SECRET, '--json']);
    assert.equal(JSON.parse(stale.stdout).code, 'timestamp_too_old');
    const signatureOnly = await cli(['verify', '--scheme', 'standard', '--payload', file, '--id', 'msg_cli', '--timestamp', old['webhook-timestamp'], '--signature', old['webhook-signature'], '--secret', CLERK_SECRET, '--tolerance', '0']);
    assert.equal(signatureOnly.code, 0);
    const missing = await cli(['verify', '--scheme', 'standard', '--payload', file, '--secret', CLERK_SECRET, '--json']);
    assert.equal(JSON.parse(missing.stdout).code, 'missing_header');
    const noSecret = await cli(args);
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /CLERK_WEBHOOK_SIGNING_SECRET/);
    const badSecret = await cli([...args, '--secret', 'sk_test_123', '--json']);
    assert.equal(JSON.parse(badSecret.stdout).code, 'bad_secret');
  });
});

test('README\'s Clerk route runs as written (its store moved to a temporary file)', async () => {
  const { pathToFileURL } = require('node:url');
  const { signStandardWebhook } = require('../../lib');
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /```js\n(\/\/ app\/api\/webhooks\/clerk\/route\.js[\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has the Clerk route');
  const dbFile = path.join(tmp, 'readme-clerk.db');
  const source = block[1]
    .replace("from 'hookwise'", `from ${JSON.stringify(pathToFileURL(path.join(__dirname, '..', '..', 'lib', 'index.mjs')).href)}`)
    .replace('new SqliteStore()', `new SqliteStore({ path: ${JSON.stringify(dbFile)} })`);
  assert.notEqual(source, block[1]);
  const file = path.join(tmp, 'clerk-route.mjs');
  fs.writeFileSync(file, `${source}\nexport { users };\n`);
  process.env.CLERK_WEBHOOK_SIGNING_SECRET = CLERK_SECRET;
  const route = await import(pathToFileURL(file).href);
  const send = async (type, options, id = clerkId('msg')) => {
    const body = JSON.stringify(buildClerkEvent(type, options));
    const headers = svixHeaders(signStandardWebhook({ id, payload: body, secret: CLERK_SECRET }));
    const res = await route.POST(new Request('https://example.com/api/webhooks/clerk', { method: 'POST', body, headers }));
    return [res.status, await res.json()];
  };
  assert.deepStrictEqual(await send('user.created', { userId: 'user_r', email: 'r@example.com' }, 'msg_readme_1'), [200, { received: true }]);
  assert.deepStrictEqual(await send('user.created', { userId: 'user_r', email: 'r@example.com' }, 'msg_readme_1'), [200, { received: true, duplicate: true }]);
  assert.deepStrictEqual([...route.users], [['user_r', { email: 'r@example.com' }]]);
  await send('user.updated', { userId: 'user_r', email: 'r2@example.com' });
  assert.deepStrictEqual(route.users.get('user_r'), { email: 'r2@example.com' });
  await send('user.deleted', { userId: 'user_r' });
  assert.equal(route.users.size, 0);
  delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
});
