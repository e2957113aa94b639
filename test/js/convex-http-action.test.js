'use strict';
// Convex without the "use node" hop: a Stripe delivery through an httpAction
// that calls webhooks.fetch with ConvexStore (test/js/support/convex/http.mjs).
//
// What Convex's default runtime gets is what `npx convex deploy` bundles:
// esbuild, platform browser, conditions `convex` and `module`. The http module
// is bundled that way here, with hookwise installed as a package (its npm pack
// tarball, so the `exports` conditions apply), and the bundle must resolve to
// the portable build, with no addon and no node: import. That same bundle
// (with `convex` itself left external, so it shares convex-test's copy) is the
// module convex-test runs, under node:test with an explicit module map, with
// the globals swapped for edge-runtime's — what convex-test's recommended
// `edge-runtime` environment does: processed, duplicate, forged and expired.
// The exactly-once path (defineWebhookMutation + webhookHttpAction,
// support/convex/http-mutation.mjs) is bundled and run the same way.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const esbuild = require('esbuild');
const Stripe = require('stripe');
const { withEdgeGlobals } = require('./support/edge-globals');
const { root, makeAppDir } = require('../runtimes/harness');

const SECRET = 'whsec_convex_http_action_test';
const support = path.join(__dirname, 'support', 'convex');

let app;
let deployBundle; // { code, metafile } as npx convex deploy would build it
let runnableUrl; // the same bundle with convex/* external, for convex-test
let mutationBundle; // the same two builds of support/convex/http-mutation.mjs (defineWebhookMutation + webhookHttpAction)

before(async () => {
  app = makeAppDir();
  const convexDir = path.join(app.dir, 'convex');
  fs.mkdirSync(convexDir);
  fs.copyFileSync(path.join(support, 'http.mjs'), path.join(convexDir, 'http.mjs'));
  // The app's own dependency on convex, the same copy convex-test uses.
  fs.symlinkSync(path.join(root, 'node_modules', 'convex'), path.join(app.dir, 'node_modules', 'convex'), 'dir');
  const options = {
    entryPoints: [path.join(convexDir, 'http.mjs')],
    absWorkingDir: app.dir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    conditions: ['convex', 'module'],
    target: 'esnext',
    metafile: true,
    write: false,
    logLevel: 'silent',
  };
  const deployed = await esbuild.build(options);
  deployBundle = { code: deployed.outputFiles[0].text, metafile: deployed.metafile };
  const runnable = await esbuild.build({ ...options, external: ['convex', 'convex/*'] });
  const file = path.join(convexDir, 'http.bundle.mjs');
  fs.writeFileSync(file, runnable.outputFiles[0].text);
  runnableUrl = pathToFileURL(file).href;

  fs.copyFileSync(path.join(support, 'http-mutation.mjs'), path.join(convexDir, 'httpMutation.mjs'));
  const mutationOptions = { ...options, entryPoints: [path.join(convexDir, 'httpMutation.mjs')] };
  const mutationDeployed = await esbuild.build(mutationOptions);
  const mutationRunnable = await esbuild.build({ ...mutationOptions, external: ['convex', 'convex/*'] });
  const mutationFile = path.join(convexDir, 'httpMutation.bundle.mjs');
  fs.writeFileSync(mutationFile, mutationRunnable.outputFiles[0].text);
  mutationBundle = { metafile: mutationDeployed.metafile, code: mutationDeployed.outputFiles[0].text, url: pathToFileURL(mutationFile).href };
});
after(() => app?.cleanup());

test('npx convex deploy\'s bundle of the http module resolves hookwise to the portable build: no addon, no node: import', () => {
  const inputs = Object.keys(deployBundle.metafile.inputs);
  const ours = inputs.filter((f) => f.includes('node_modules/hookwise/')).map((f) => f.split('node_modules/hookwise/')[1]);
  assert.ok(ours.includes('lib/portable.mjs'), `the portable entry: ${ours.join(', ')}`);
  assert.ok(ours.includes('lib/convex/index.mjs'), 'hookwise/convex');
  for (const file of ours) {
    assert.ok(!file.endsWith('.node'), file);
    assert.ok(!['lib/index.js', 'lib/index.mjs', 'lib/native.js'].includes(file) && !file.startsWith('lib/engine/native/'), `no native code: ${file}`);
  }
  const imports = Object.values(deployBundle.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  assert.deepEqual(imports.filter((p) => p.startsWith('node:')), [], 'no node: import left for the runtime');
  assert.doesNotMatch(deployBundle.code, /\bfrom\s*["']node:|\bimport\(\s*["']node:|\brequire\(\s*["']node:/);
  assert.ok(inputs.some((f) => f.includes('node_modules/convex/')), 'convex itself is bundled too, as deploy does');
});

function invoicePaid(id) {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2025-03-31.basil',
    created: Math.floor(Date.now() / 1000),
    type: 'invoice.paid',
    livemode: false,
    data: { object: { id: 'in_convex_1', object: 'invoice', amount_paid: 4200, currency: 'usd' } },
  });
}

// convex-test's backend with hookwise's tables and the app's `payments`, the app's
// modules (beyond _generated and hookwise) from `modules`, run as fn({ t, edge })
// under edge-runtime's globals with STRIPE_WEBHOOK_SECRET set.
async function withPaymentsBackend(modules, fn) {
  const [{ convexTest }, server, hookwiseConvex] = await Promise.all([
    import('convex-test'),
    import('convex/server'),
    import('../../lib/convex/index.mjs'),
  ]);
  const { v } = await import('convex/values');
  const schema = server.defineSchema({
    ...hookwiseConvex.hookwiseTables,
    payments: server.defineTable({ eventId: v.string(), invoiceId: v.string(), amount: v.number() }),
  });
  process.env.STRIPE_WEBHOOK_SECRET = SECRET;
  try {
    await withEdgeGlobals(async (edge) => {
      const t = convexTest(schema, {
        './convex/_generated/api.js': async () => ({}),
        './convex/hookwise.js': async () => hookwiseConvex,
        ...modules,
      });
      await fn({ t, edge });
    });
  } finally {
    delete process.env.STRIPE_WEBHOOK_SECRET;
  }
}

test('convex-test drives Stripe deliveries through the httpAction with ConvexStore: processed, duplicate, forged, expired', async () => {
  await withPaymentsBackend({
    './convex/payments.js': () => import('./support/convex/payments.mjs'),
    './convex/http.js': () => import(runnableUrl),
  }, async ({ t, edge }) => {
    const send = (body, header) => t.fetch('/stripe/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body,
    });
    const answer = async (response) => {
      assert.ok(response instanceof edge.Response, 'the answer is the edge runtime\'s Response');
      return { status: response.status, body: await response.json() };
    };

    assert.equal(await (await t.fetch('/implementation', { method: 'GET' })).text(), 'portable');
    const body = invoicePaid('evt_convex_http_1');
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET });
    assert.deepEqual(await answer(await send(body, header)), { status: 200, body: { received: true } });
    assert.deepEqual(await answer(await send(body, header)), { status: 200, body: { received: true, duplicate: true } });

    const forgedBody = invoicePaid('evt_convex_http_forged');
    const forged = await answer(await send(forgedBody, Stripe.webhooks.generateTestHeaderString({ payload: forgedBody, secret: 'whsec_someone_else' })));
    assert.equal(forged.status, 400);
    assert.equal(forged.body.error, 'signature_mismatch');
    const oldBody = invoicePaid('evt_convex_http_old');
    const old = await answer(await send(oldBody, Stripe.webhooks.generateTestHeaderString({
      payload: oldBody, secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600,
    })));
    assert.equal(old.status, 400);
    assert.equal(old.body.error, 'timestamp_too_old');

    const { events, payments } = await t.run(async (ctx) => ({
      events: await ctx.db.query('hookwise_events').collect(),
      payments: await ctx.db.query('payments').collect(),
    }));
    assert.deepEqual(events.map((e) => [e.eventId, e.status, e.attempts]), [['evt_convex_http_1', 'completed', 1]]);
    assert.deepEqual(payments.map(({ eventId, invoiceId, amount }) => ({ eventId, invoiceId, amount })), [
      { eventId: 'evt_convex_http_1', invoiceId: 'in_convex_1', amount: 4200 },
    ], 'the handler ran once; the rejected deliveries wrote nothing');
  });
});

test('defineWebhookMutation + webhookHttpAction: the deploy bundle is portable, and under edge globals a delivery is applied once in one mutation', async () => {
  const inputs = Object.keys(mutationBundle.metafile.inputs);
  const ours = inputs.filter((f) => f.includes('node_modules/hookwise/')).map((f) => f.split('node_modules/hookwise/')[1]);
  assert.ok(ours.includes('lib/convex/webhook-mutation.mjs') && ours.includes('lib/portable.js'), ours.join(', '));
  for (const file of ours) assert.ok(!file.endsWith('.node') && !file.startsWith('lib/engine/native/') && file !== 'lib/native.js', `no native code: ${file}`);
  const imports = Object.values(mutationBundle.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  assert.deepEqual(imports.filter((p) => p.startsWith('node:')), []);

  const app = () => import(mutationBundle.url);
  await withPaymentsBackend({ './convex/httpMutation.js': app, './convex/http.js': app }, async ({ t, edge }) => {
    const body = invoicePaid('evt_convex_mutation_1');
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET });
    const send = async () => {
      const response = await t.fetch('/stripe/webhook', { method: 'POST', headers: { 'stripe-signature': header }, body });
      assert.ok(response instanceof edge.Response, 'the answer is the edge runtime\'s Response');
      return { status: response.status, body: await response.json() };
    };
    assert.deepEqual(await send(), { status: 200, body: { received: true } });
    assert.deepEqual(await send(), { status: 200, body: { received: true, duplicate: true } });
    const payments = await t.run(async (ctx) => ctx.db.query('payments').collect());
    assert.deepEqual(payments.map((p) => p.eventId), ['evt_convex_mutation_1']);
  });
});
