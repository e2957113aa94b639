'use strict';
// Thin event notifications (object "v2.core.event") through createWebhookHandler, in both
// implementations: dedup by notification id, routing by type (a v1.* thin type and a v2 type),
// retries and dead letters as for snapshot events, and ctx.fetchRelatedObject() / ctx.fetchEvent()
// through a real stripe-node client against a local server playing Stripe's endpoints
// (test/js/support/stripe-api-server.js), cross-checked with stripe-node's own notification objects.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const Stripe = require('stripe');
const { ENGINES } = require('./support/engines');
const { startStripeApi } = require('./support/stripe-api-server');

const secret = 'whsec_thin_events_test';
let api;
let stripe;

before(async () => {
  api = await startStripeApi();
  stripe = new Stripe('sk_test_thin', { ...api.clientOptions, maxNetworkRetries: 0 });
  api.subscriptions.set('sub_thin_1', { id: 'sub_thin_1', object: 'subscription', status: 'active', customer: 'cus_thin', created: 1_760_000_000 });
  api.v2Events.set('evt_thin_v2', {
    id: 'evt_thin_v2',
    object: 'v2.core.event',
    type: 'v2.core.account.updated',
    created: '2026-01-02T03:04:05.000Z',
    data: { previous: 'x' },
    livemode: false,
  });
});
after(() => api?.close());

let n = 0;
function notification(fields = {}) {
  n += 1;
  return {
    id: `evt_thin_${process.pid}_${n}`,
    object: 'v2.core.event',
    type: 'v1.customer.subscription.created',
    livemode: false,
    created: '2026-01-02T03:04:05.000Z',
    context: null,
    related_object: { id: 'sub_thin_1', type: 'subscription', url: '/v1/subscriptions/sub_thin_1' },
    reason: null,
    ...fields,
  };
}

for (const { name: implementation, hookwise } of ENGINES) describe(implementation, () => {
  const deliver = (webhooks, body) => webhooks.handle(body, hookwise.generateTestHeaderString({ payload: body, secret }));
  const quiet = { logger: {} };

  test('a v1.* thin event runs its handler once: fetchRelatedObject reads the object through the stripe client', async () => {
    const seen = [];
    const webhooks = hookwise.createWebhookHandler({ secret, stripe, ...quiet }).on('v1.customer.subscription.created', async (event, ctx) => {
      seen.push({ event, object: await ctx.fetchRelatedObject(), attempt: ctx.attempt, eventId: ctx.eventId });
    });
    const thin = notification();
    const body = JSON.stringify(thin);
    const first = await deliver(webhooks, body);
    assert.equal(first.outcome, 'processed');
    assert.equal(first.status, 200);
    assert.equal(first.eventId, thin.id);
    assert.equal(first.type, 'v1.customer.subscription.created');
    assert.equal(seen.length, 1);
    assert.deepStrictEqual(seen[0].event, thin);
    assert.equal(seen[0].eventId, thin.id);
    assert.equal(seen[0].object.id, 'sub_thin_1');
    assert.equal(seen[0].object.status, 'active');
    // The same request stripe-node's own notification object sends for fetchRelatedObject().
    const ours = api.requests.at(-1);
    const reference = stripe.parseEventNotification(body, hookwise.generateTestHeaderString({ payload: body, secret }), secret);
    const expected = await reference.fetchRelatedObject();
    const theirs = api.requests.at(-1);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(seen[0].object)), JSON.parse(JSON.stringify(expected)));
    for (const key of ['method', 'path', 'requestTrigger', 'stripeContext', 'authorization']) assert.equal(ours[key], theirs[key], key);
    assert.equal(ours.requestTrigger, `event=${thin.id}`);
    // Dedup by notification id.
    const again = await deliver(webhooks, body);
    assert.equal(again.outcome, 'duplicate');
    assert.equal(seen.length, 1);
    await webhooks.close();
  });

  test('a v2 event type routes by its type; fetchEvent reads /v2/core/events/:id with the context header', async () => {
    let fetched;
    const webhooks = hookwise.createWebhookHandler({ secret, stripe, ...quiet }).on('v2.core.account.updated', async (event, ctx) => {
      fetched = await ctx.fetchEvent();
      assert.equal(await ctx.fetchRelatedObject(), null); // no related_object: null, no request
    });
    const thin = notification({ id: 'evt_thin_v2', type: 'v2.core.account.updated', related_object: null, context: 'acct_123' });
    const requestsBefore = api.requests.length;
    const res = await deliver(webhooks, JSON.stringify(thin));
    assert.equal(res.outcome, 'processed');
    assert.equal(fetched.id, 'evt_thin_v2');
    assert.deepEqual(fetched.data, { previous: 'x' });
    assert.equal(api.requests.length, requestsBefore + 1);
    const sent = api.requests.at(-1);
    assert.equal(sent.path, '/v2/core/events/evt_thin_v2');
    assert.equal(sent.stripeContext, 'acct_123');
    // stripe-node's notification object sends the same.
    const body = JSON.stringify(thin);
    await stripe.parseEventNotification(body, hookwise.generateTestHeaderString({ payload: body, secret }), secret).fetchEvent();
    assert.equal(api.requests.at(-1).path, sent.path);
    assert.equal(api.requests.at(-1).stripeContext, sent.stripeContext);
    await webhooks.close();
  });

  test("no handler for a thin type: ignored (200); neither '*' nor a snapshot handler of the same name matches", async () => {
    const webhooks = hookwise.createWebhookHandler({ secret, ...quiet })
      .on('customer.subscription.created', () => assert.fail('snapshot handler ran'))
      .on('*', () => assert.fail("'*' ran for a thin event"));
    const res = await deliver(webhooks, JSON.stringify(notification()));
    assert.equal(res.outcome, 'ignored');
    assert.equal(res.status, 200);
  });

  test('failures are retried and dead-lettered at maxAttempts, as for snapshot events', async () => {
    let runs = 0;
    const webhooks = hookwise.createWebhookHandler({ secret, stripe, maxAttempts: 2, retry: false, ...quiet }).on('v1.customer.subscription.created', async () => {
      runs += 1;
      throw new Error('not yet');
    });
    const body = JSON.stringify(notification());
    assert.equal((await deliver(webhooks, body)).outcome, 'failed');
    assert.equal((await deliver(webhooks, body)).outcome, 'dead_lettered');
    assert.equal((await deliver(webhooks, body)).outcome, 'dead_lettered');
    assert.equal(runs, 2);
  });

  test('without a stripe client, ctx.fetchRelatedObject rejects naming the option; the failure is recorded', async () => {
    let message;
    const webhooks = hookwise.createWebhookHandler({ secret, retry: false, ...quiet }).on('v1.customer.subscription.created', async (event, ctx) => {
      try {
        await ctx.fetchRelatedObject();
      } catch (err) {
        message = err.message;
        throw err;
      }
    });
    const res = await deliver(webhooks, JSON.stringify(notification()));
    assert.equal(res.outcome, 'failed');
    assert.match(message, /createWebhookHandler\(\{ stripe: new Stripe/);
  });

  test('the stripe option must be a stripe-node client', () => {
    assert.throws(() => hookwise.createWebhookHandler({ secret, stripe: {} }), { name: 'TypeError', message: /stripe/ });
  });

  test('ordering keys a thin event by related_object.id and its ISO created', async () => {
    const store = new hookwise.MemoryStore();
    const webhooks = hookwise.createWebhookHandler({ secret, store, ...quiet }).on('v1.customer.subscription.created', () => {});
    const thin = notification({ created: '2026-01-02T03:04:05.678Z' });
    await deliver(webhooks, JSON.stringify(thin));
    const record = await store.get(thin.id);
    assert.equal(record.objectId, 'sub_thin_1');
    assert.equal(record.created, Math.floor(Date.parse(thin.created) / 1000));
    assert.equal(record.status, 'completed');
  });
});
