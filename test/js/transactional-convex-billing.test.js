'use strict';
// defineWebhookMutation({ billing }): the billing projection applied inside the
// webhook mutation (convex-test's Convex backend), its documents the ones
// ConvexStore's billingGet/billingPut use, committed — or rolled back — with
// the app's writes. The expected state comes from running the same lifecycle
// through createWebhookHandler({ billing: true }) on a MemoryStore (the
// non-transactional path), not from hand-copied values.
const { test, before, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const Stripe = require('stripe');
const { loadConvexApp } = require('./support/convex-app');
const { createWebhookHandler, MemoryStore } = require('../../lib/portable');
const { renewalRecovered } = require('./support/billing-lifecycles');

let convex;
before(async () => {
  convex = await loadConvexApp('billing-mutation.mjs');
});

let t;
beforeEach(() => {
  const { convexTest, server, v, hookwiseConvex, app } = convex;
  const schema = server.defineSchema({
    ...hookwiseConvex.hookwiseTables,
    grants: server.defineTable({ eventId: v.string(), hasAccess: v.boolean() }),
  });
  t = convexTest(schema, {
    './convex/_generated/api.js': async () => ({}),
    './convex/hookwise.js': async () => hookwiseConvex,
    './convex/billingMutation.js': async () => app,
    './convex/http.js': async () => app,
  });
  Object.assign(app.control, { seen: [], throwOn: null });
});

const quiet = { info() {}, warn() {}, error() {} };
const signed = (event) => {
  const body = JSON.stringify(event);
  return { body, header: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: convex.app.SECRET }) };
};

async function send(event, path = '/stripe/webhook') {
  const { body, header } = signed(event);
  const response = await t.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body });
  return { status: response.status, body: await response.json() };
}

// The same events through the non-transactional path: the state after each, and at the end.
async function referenceRun(events, billing = true) {
  const webhooks = createWebhookHandler({ secret: convex.app.SECRET, store: new MemoryStore(), billing, logger: quiet });
  const after = new Map();
  webhooks.on('*', (event, ctx) => {
    after.set(event.id, ctx.billing);
  });
  for (const event of events) {
    const { body, header } = signed(event);
    assert.equal((await webhooks.handle(body, header)).outcome, 'processed');
  }
  return { after, final: await webhooks.billing.get({ customerId: events[0].data.object.customer ?? events[0].data.object.id }) };
}

// updatedAt is the time of the write (Date.now()), different in every run.
const timeless = (state) => (state === null ? null : { ...state, updatedAt: typeof state.updatedAt });

const stored = () => t.run(async (ctx) => ctx.db.query('hookwise_billing').collect());
const customerState = (query, graceDays) =>
  t.run((ctx) => convex.hookwiseConvex.getCustomerState(ctx, query, { graceDays }));

test('a lifecycle through the mutation: the same state as the non-transactional path, handlers see it', async () => {
  const { events, customer } = renewalRecovered();
  for (const event of events) assert.deepEqual(await send(event), { status: 200, body: { received: true } });
  const reference = await referenceRun(events);
  assert.notEqual(reference.final, null);
  assert.deepEqual(timeless(await customerState({ customerId: customer })), timeless(reference.final));
  assert.deepEqual(timeless(await customerState({ userId: 'user_42' })), timeless(reference.final));
  // The documents are ConvexStore's: its billingGet reads them.
  const doc = await t.query(convex.server.anyApi.hookwise.billingGet, { customerId: customer });
  assert.equal(doc.customerId, customer);
  assert.equal((await stored()).length, 1);
  // Each handler got the state after its own event, as ctx.billing is on the other path.
  const seen = convex.app.control.seen;
  assert.deepEqual(seen.map((s) => s.type), ['invoice.paid', 'invoice.payment_failed', 'invoice.paid']);
  for (const s of seen) assert.deepEqual(timeless(s.billing), timeless(reference.after.get(s.eventId)), s.eventId);
  const grants = await t.run((ctx) => ctx.db.query('grants').collect());
  assert.deepEqual(grants.map((g) => g.hasAccess), seen.map((s) => reference.after.get(s.eventId).hasAccess));
});

test('billing event types are processed without a handler of the app\'s; a duplicate changes nothing', async () => {
  const { events, customer } = renewalRecovered();
  for (const event of events) assert.deepEqual(await send(event, '/stripe/billing-only'), { status: 200, body: { received: true } });
  const before = await stored();
  assert.deepEqual(await send(events[3], '/stripe/billing-only'), { status: 200, body: { received: true, duplicate: true } });
  assert.deepEqual(await stored(), before);
  const reference = await referenceRun(events, { graceDays: 3 });
  assert.deepEqual(timeless(await customerState({ customerId: customer }, 3)), timeless(reference.final));
  const other = { id: 'evt_not_billing', object: 'event', type: 'charge.refunded', created: 1, data: { object: { id: 'ch_1' } } };
  assert.deepEqual(await send(other, '/stripe/billing-only'), { status: 200, body: { received: true, ignored: true } });
});

test('a throwing handler rolls the billing write back with the app\'s writes and the claim', async () => {
  const { events, customer } = renewalRecovered();
  const paid = events.find((e) => e.type === 'invoice.paid');
  convex.app.control.throwOn = paid.id;
  const answer = await send(paid);
  assert.equal(answer.status, 500);
  assert.deepEqual(await stored(), [], 'no billing document survives the rolled-back mutation');
  assert.equal(await customerState({ customerId: customer }), null);
  assert.deepEqual(await t.run((ctx) => ctx.db.query('grants').collect()), []);
  // The handler saw the state it would have committed.
  assert.equal(convex.app.control.seen.length, 1);
  assert.equal(convex.app.control.seen[0].billing.customerId, customer);
  convex.app.control.throwOn = null;
  assert.deepEqual(await send(paid), { status: 200, body: { received: true } });
  assert.equal((await stored()).length, 1);
});

test('defineWebhookMutation checks billing as createWebhookHandler does, and refuses refetch', () => {
  const { defineWebhookMutation } = convex.hookwiseConvex;
  assert.throws(() => defineWebhookMutation({ billing: { refetch: {} } }), /cannot call the Stripe API/);
  assert.throws(() => defineWebhookMutation({ billing: { userid: () => null } }), /unknown billing option "userid"/);
  assert.throws(() => defineWebhookMutation({ billing: { graceDays: -1 } }), /graceDays/);
  assert.throws(() => defineWebhookMutation({ billing: 'yes' }), /billing/);
  assert.throws(() => defineWebhookMutation({}), /on/);
  assert.doesNotThrow(() => defineWebhookMutation({ billing: { userId: (o) => o.metadata?.uid ?? null, graceDays: 2 } }));
});
