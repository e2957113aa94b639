'use strict';
// hookwise/convex's exactly-once path in convex-test's Convex backend: the
// handlers run inside one mutation with the claim and the completion
// (defineWebhookMutation), deliveries come in through webhookHttpAction. The
// app's effect is a row in its own `payments` table: counting those rows shows
// any effect applied twice, or left behind by a run that failed.
const { test, before, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const Stripe = require('stripe');
const { loadConvexApp } = require('./support/convex-app');

let convex;
before(async () => {
  convex = await loadConvexApp('webhook-app.mjs');
});

let t;
let sequence = 0;
beforeEach(() => {
  const { convexTest, server, v, hookwiseConvex, app } = convex;
  const schema = server.defineSchema({
    ...hookwiseConvex.hookwiseTables,
    payments: server.defineTable({ eventId: v.string(), invoiceId: v.string(), amount: v.number() }),
  });
  t = convexTest(schema, {
    './convex/_generated/api.js': async () => ({}),
    './convex/hookwise.js': async () => hookwiseConvex,
    './convex/webhookApp.js': async () => app,
    './convex/http.js': async () => app,
  });
  Object.assign(app.control, { throwRuns: 0, runs: 0, attempts: [], lastEvent: null });
});

function invoicePaid({ id = `evt_convex_tx_${process.pid}_${++sequence}`, created = 1_760_000_000, invoiceId = `in_${sequence}` } = {}) {
  const body = JSON.stringify({
    id,
    object: 'event',
    api_version: '2025-03-31.basil',
    created,
    type: 'invoice.paid',
    livemode: false,
    data: { object: { id: invoiceId, object: 'invoice', amount_paid: 4200, currency: 'usd', metadata: { $odd: 'key', _x: 1 } } },
  });
  return { id, body, header: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: convex.app.SECRET }) };
}

async function send({ body, header }, path = '/stripe/webhook') {
  const response = await t.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body });
  return { status: response.status, body: await response.json() };
}

const state = () =>
  t.run(async (ctx) => ({
    events: (await ctx.db.query('hookwise_events').collect()).map((e) => ({ id: e.eventId, status: e.status, attempts: e.attempts, lastError: e.lastError })),
    payments: (await ctx.db.query('payments').collect()).map((p) => p.eventId),
  }));

test('processed, then duplicate: the payment and the completion are one mutation', async () => {
  const d = invoicePaid();
  assert.deepEqual(await send(d), { status: 200, body: { received: true } });
  assert.deepEqual(await send(d), { status: 200, body: { received: true, duplicate: true } });
  const { events, payments } = await state();
  assert.deepEqual(events, [{ id: d.id, status: 'completed', attempts: 1, lastError: null }]);
  assert.deepEqual(payments, [d.id]);
  assert.deepEqual(convex.app.control.attempts, [1]);
});

test('the mutation gets the event exactly as constructEvent returns it (even keys Convex values could not carry)', async () => {
  const d = invoicePaid();
  assert.equal((await send(d)).status, 200);
  const expected = require('../../lib/portable').constructEvent(d.body, d.header, convex.app.SECRET);
  assert.deepEqual(convex.app.control.lastEvent, expected);
  assert.deepEqual(convex.app.control.lastEvent.data.object.metadata, { $odd: 'key', _x: 1 });
});

test('forged and expired deliveries are rejected before any mutation; an unhandled type is ignored and writes nothing', async () => {
  const d = invoicePaid();
  const forged = await send({ body: d.body, header: Stripe.webhooks.generateTestHeaderString({ payload: d.body, secret: 'whsec_other' }) });
  assert.equal(forged.status, 400);
  assert.equal(forged.body.error, 'signature_mismatch');
  const old = await send({ body: d.body, header: Stripe.webhooks.generateTestHeaderString({ payload: d.body, secret: convex.app.SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 }) });
  assert.equal(old.status, 400);
  assert.equal(old.body.error, 'timestamp_too_old');
  const body = JSON.stringify({ id: 'evt_convex_tx_other', object: 'event', type: 'customer.created', created: 1, data: { object: { id: 'cus_1' } } });
  const ignored = await send({ body, header: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: convex.app.SECRET }) });
  assert.deepEqual(ignored, { status: 200, body: { received: true, ignored: true } });
  assert.deepEqual(await state(), { events: [], payments: [] });
});

test('concurrent duplicate deliveries: one processed, the rest duplicates, one payment', async () => {
  const d = invoicePaid();
  const answers = await Promise.all(Array.from({ length: 8 }, () => send(d)));
  assert.equal(answers.filter((a) => a.status === 200 && a.body.duplicate === undefined).length, 1, JSON.stringify(answers));
  assert.equal(answers.filter((a) => a.body.duplicate === true).length, 7);
  assert.deepEqual((await state()).payments, [d.id]);
  assert.equal(convex.app.control.runs, 1);
});

test('re-running the mutation (what Convex does after a write conflict) cannot apply twice', async () => {
  const d = invoicePaid();
  const { anyApi } = convex.server;
  const first = await t.mutation(anyApi.webhookApp.apply, { payload: d.body });
  const rerun = await t.mutation(anyApi.webhookApp.apply, { payload: d.body });
  assert.deepEqual([first, rerun], [{ outcome: 'processed', attempt: 1 }, { outcome: 'duplicate', attempt: 1 }]);
  assert.deepEqual((await state()).payments, [d.id]);
});

test('a throwing handler: Convex rolls the mutation back, the in-request retry applies once', async () => {
  convex.app.control.throwRuns = 2;
  const d = invoicePaid();
  assert.deepEqual(await send(d), { status: 200, body: { received: true } });
  assert.equal(convex.app.control.runs, 3);
  assert.deepEqual(convex.app.control.attempts, [1, 1, 1], 'in-request runs are one attempt');
  const { events, payments } = await state();
  assert.deepEqual(payments, [d.id], 'the two failed runs left no payment');
  assert.deepEqual(events, [{ id: d.id, status: 'completed', attempts: 1, lastError: null }]);
});

test('failure recorded in a second mutation; dead letter at maxAttempts; no effect ever', async () => {
  convex.app.control.throwRuns = 100;
  const d = invoicePaid();
  assert.deepEqual(await send(d, '/stripe/no-retry'), { status: 500, body: { error: 'handler_failed' } });
  let { events, payments } = await state();
  assert.equal(events.length, 1);
  assert.deepEqual([events[0].status, events[0].attempts], ['failed', 1]);
  assert.match(events[0].lastError, /payment handler failed/);
  assert.deepEqual(payments, []);
  assert.deepEqual(await send(d, '/stripe/no-retry'), { status: 200, body: { received: true, dead_lettered: true } });
  assert.deepEqual(await send(d, '/stripe/no-retry'), { status: 200, body: { received: true, dead_lettered: true } });
  assert.equal(convex.app.control.runs, 2, 'no handler runs for a dead-lettered event');
  ({ events, payments } = await state());
  assert.deepEqual([events[0].status, events[0].attempts], ['dead_lettered', 2]);
  assert.deepEqual(payments, []);
  assert.deepEqual(convex.app.control.attempts, [1, 2]);
});

test('a failed attempt, then a good one: applied once, at attempt 2', async () => {
  convex.app.control.throwRuns = 1;
  const d = invoicePaid();
  assert.equal((await send(d, '/stripe/no-retry')).status, 500);
  assert.deepEqual(await send(d, '/stripe/no-retry'), { status: 200, body: { received: true } });
  const { events, payments } = await state();
  assert.deepEqual([events[0].status, events[0].attempts], ['completed', 2]);
  assert.deepEqual(payments, [d.id]);
});

test('a live lease of a non-transactional ConvexStore claim answers 409 in_progress', async () => {
  const d = invoicePaid();
  const { anyApi } = convex.server;
  const claim = await t.mutation(anyApi.hookwise.claim, { eventId: d.id, type: 'invoice.paid', created: 1, objectId: null, leaseMs: 60_000, token: 'tok' });
  assert.equal(claim.status, 'acquired');
  assert.deepEqual(await send(d), { status: 409, body: { error: 'in_progress' } });
  assert.deepEqual((await state()).payments, []);
});

test("ordering: 'skip-stale' inside the mutation: an older event for the same object is stale", async () => {
  const newer = invoicePaid({ created: 2_000, invoiceId: 'in_same' });
  const older = invoicePaid({ created: 1_000, invoiceId: 'in_same' });
  assert.deepEqual(await send(newer, '/stripe/ordered'), { status: 200, body: { received: true } });
  assert.deepEqual(await send(older, '/stripe/ordered'), { status: 200, body: { received: true, stale: true } });
  const { events, payments } = await state();
  assert.deepEqual(payments, [newer.id]);
  assert.deepEqual(events.map((e) => e.status), ['completed', 'completed']);
});

test('defineWebhookMutation and webhookHttpAction check their options', () => {
  const { defineWebhookMutation, webhookHttpAction } = convex.hookwiseConvex;
  assert.throws(() => defineWebhookMutation({ on: {} }), /at least one handler/);
  assert.throws(() => defineWebhookMutation({ on: { 'invoice.paid': 'nope' } }), /handler for "invoice.paid" must be a function/);
  assert.throws(() => defineWebhookMutation({ on: { x() {} }, ordering: 'sometimes' }), /ordering/);
  assert.throws(() => defineWebhookMutation({ handlers: {} }), /unknown defineWebhookMutation option "handlers"/);
  assert.throws(() => webhookHttpAction({ secret: 'whsec_x', functions: {} }), /needs \{ mutation \}/);
  assert.throws(() => webhookHttpAction({ secret: 'whsec_x', mutation: {} }), /needs \{ functions \}/);
  assert.throws(() => webhookHttpAction({ secret: 'whsec_x', mutation: {}, functions: {}, retry: { tries: 1 } }), /unknown retry option "tries"/);
  // A missing secret is answered at each request (Convex evaluates modules at deploy, maybe before the env var is set).
  webhookHttpAction({ mutation: {}, functions: {} });
});

test('a deployment without the secret answers 500 missing_secret, naming STRIPE_WEBHOOK_SECRET', async () => {
  const d = invoicePaid();
  const answer = await send(d, '/stripe/no-secret');
  assert.equal(answer.status, 500);
  assert.equal(answer.body.error, 'missing_secret');
  assert.match(answer.body.message, /STRIPE_WEBHOOK_SECRET/);
  assert.deepEqual(await state(), { events: [], payments: [] });
});
