'use strict';
// `billing: { refetch: stripe }` against a local Stripe API on 127.0.0.1
// (test/js/support/stripe-api-server.js) through a real stripe-node client:
// the calls made, coalescing per customer, sharing a running fetch, 404
// fallbacks, and 429s (retried by stripe-node only with Stripe-Should-Retry).
const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const Stripe = require('stripe');
const { Refetcher, refetchNeeds, applyEvent, BillingRefetchError, DEFAULT_WINDOW_MS } = require('../../lib/billing');
const { subscription: subscriptionObject, customer: customerObject, API_VERSION } = require('../../lib/fixtures');
const { startStripeApi } = require('./support/stripe-api-server');
const { NOW } = require('./support/billing-replay');
const { T0, teller } = require('./support/billing-lifecycles');

const CUS = 'cus_Refetch000000001';
const SUB_A = 'sub_RefetchA00000001';
const SUB_B = 'sub_RefetchB00000001';

describe('refetch', () => {
  let api;
  const client = (options = {}) => new Stripe('sk_test_refetch', { ...api.clientOptions, maxNetworkRetries: 0, ...options });
  const { ev } = teller({ customer: CUS, subscription: SUB_A });

  before(async () => {
    api = await startStripeApi();
  });
  after(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
    api.customers.clear();
    api.subscriptions.clear();
    api.customers.set(CUS, customerObject({ id: CUS, created: T0, email: 'current@example.com', metadata: { userId: 'user_current' } }));
    api.subscriptions.set(SUB_A, subscriptionObject({ id: SUB_A, customer: CUS, created: T0, status: 'past_due' }));
    api.subscriptions.set(SUB_B, subscriptionObject({ id: SUB_B, customer: CUS, created: T0 + 100, status: 'canceled', canceledAt: T0 + 200 }));
    api.subscriptions.set('sub_SomeoneElse0001', subscriptionObject({ id: 'sub_SomeoneElse0001', customer: 'cus_SomeoneElse0001', created: T0 }));
  });

  it('what each event needs: the customer, one subscription, or nothing (payload)', () => {
    assert.deepEqual(refetchNeeds(ev('customer.updated', T0, {})), { customerId: CUS, customer: true, subscriptionId: null });
    assert.deepEqual(refetchNeeds(ev('customer.subscription.deleted', T0, {})), { customerId: CUS, customer: false, subscriptionId: SUB_A });
    for (const type of ['invoice.paid', 'invoice.payment_failed', 'checkout.session.completed', 'entitlements.active_entitlement_summary.updated']) {
      assert.equal(refetchNeeds(ev(type, T0, {})), null, type);
    }
  });

  it('one subscription event: GET /v1/subscriptions/:id with the client\'s Stripe-Version; the state is Stripe\'s, not the payload\'s', async () => {
    const refetcher = new Refetcher(client(), { windowMs: 0, now: () => (T0 + 500) * 1000 });
    const event = ev('customer.subscription.updated', T0 + 400, { created: T0, status: 'active' });
    const fetched = await refetcher.fetch(event);
    assert.deepEqual(api.requests.map((r) => `${r.method} ${r.path}`), [`GET /v1/subscriptions/${SUB_A}`]);
    assert.equal(api.requests[0].stripeVersion, API_VERSION);
    assert.equal(fetched.at, (T0 + 500) * 1000);
    const { state } = applyEvent(null, event, { now: NOW, fetched });
    assert.equal(state.subscription.status, 'past_due');
    assert.equal(refetcher.busy, 0);
    assert.equal(await refetcher.fetch(ev('invoice.paid', T0, {})), null);
    assert.equal(api.requests.length, 1);
  });

  it('a burst for one customer costs one fetch: one customer GET and one subscription list (status=all) for five events', async () => {
    const refetcher = new Refetcher(client(), { now: () => (T0 + 500) * 1000 });
    const burst = [
      ev('customer.subscription.created', T0 + 1, { created: T0, status: 'incomplete' }),
      ev('customer.subscription.updated', T0 + 2, { created: T0, status: 'active' }),
      ev('customer.updated', T0 + 2, { created: T0, email: 'stale@example.com' }),
      ev('customer.subscription.updated', T0 + 3, { subscription: SUB_B, created: T0 + 100, status: 'active' }),
      ev('customer.subscription.deleted', T0 + 3, { subscription: SUB_B, created: T0 + 100 }),
    ];
    const results = await Promise.all(burst.map((e) => refetcher.fetch(e)));
    assert.deepEqual(api.requests.map((r) => `${r.method} ${r.path}`).sort(), ['GET /v1/customers/' + CUS, 'GET /v1/subscriptions']);
    const list = api.requests.find((r) => r.path === '/v1/subscriptions');
    assert.deepEqual(list.query, { customer: CUS, status: 'all', limit: '100' });
    assert.ok(results.every((r) => r === results[0]));
    let record = null;
    let state = null;
    for (const [i, e] of burst.entries()) ({ record, state } = applyEvent(record, e, { now: NOW, fetched: results[i] }));
    assert.equal(state.email, 'current@example.com');
    assert.equal(state.userId, 'user_current');
    assert.deepEqual(state.subscriptions.map((s) => [s.id, s.status]), [[SUB_B, 'canceled'], [SUB_A, 'past_due']]);
    assert.equal(DEFAULT_WINDOW_MS, 250);
  });

  it('a running fetch is shared by events older than its start, not by one from the second it started in', async () => {
    let now = (T0 + 10) * 1000;
    const refetcher = new Refetcher(client(), { windowMs: 0, now: () => now });
    const release = api.hold();
    const arrived = api.nextRequest();
    const first = refetcher.fetch(ev('customer.subscription.updated', T0 + 1, { created: T0 }));
    let older, sameSecond, other;
    try {
      await arrived;
      older = refetcher.fetch(ev('customer.subscription.updated', T0 + 9, { created: T0 }));
      sameSecond = refetcher.fetch(ev('customer.subscription.updated', T0 + 10, { created: T0 }));
      other = refetcher.fetch(ev('customer.updated', T0 + 2, {}));
      assert.equal(older, first);
      assert.notEqual(sameSecond, first);
      assert.notEqual(other, first, 'the running batch did not fetch the customer');
    } finally {
      now = (T0 + 11) * 1000;
      release();
    }
    const [a, , c] = await Promise.all([first, older, sameSecond, other]);
    assert.equal(a.at, (T0 + 10) * 1000);
    assert.equal(c.at, (T0 + 11) * 1000);
    assert.equal(api.requests.length, 3);
    assert.equal(refetcher.busy, 0);
  });

  it('429 lock_timeout with Stripe-Should-Retry: true is retried by stripe-node (maxNetworkRetries) and ends with the right state', async () => {
    const refetcher = new Refetcher(client({ maxNetworkRetries: 1 }), { windowMs: 0 });
    api.rateLimitNext(1, { lockTimeout: true });
    const event = ev('customer.subscription.updated', T0 + 1, { created: T0, status: 'active' });
    const fetched = await refetcher.fetch(event);
    assert.equal(api.requests.length, 2);
    assert.equal(applyEvent(null, event, { now: NOW, fetched }).state.subscription.status, 'past_due');
  });

  it('429 rate_limit is not retried by stripe-node: a BillingRefetchError (rate_limited) that fails the delivery; the next delivery fetches again', async () => {
    const refetcher = new Refetcher(client({ maxNetworkRetries: 2 }), { windowMs: 0 });
    api.rateLimitNext(1);
    const event = ev('customer.subscription.updated', T0 + 1, { created: T0, status: 'active' });
    await assert.rejects(refetcher.fetch(event), (err) => {
      assert.ok(err instanceof BillingRefetchError);
      assert.equal(err.name, 'BillingRefetchError');
      assert.equal(err.code, 'rate_limited');
      assert.equal(err.statusCode, 429);
      assert.equal(err.customerId, CUS);
      assert.match(err.requestId, /^req_/);
      assert.match(err.message, /customer cus_Refetch000000001: Stripe rate-limited the request \(429\).*Stripe send it again/s);
      assert.equal(err.cause.type, 'StripeRateLimitError');
      return true;
    });
    assert.equal(api.requests.length, 1);
    assert.equal(refetcher.busy, 0);
    const fetched = await refetcher.fetch(event);
    assert.equal(fetched.subscriptions[0].status, 'past_due');
  });

  it('429 lock_timeout beyond maxNetworkRetries: rate_limited after 1 + retries requests', async () => {
    const refetcher = new Refetcher(client({ maxNetworkRetries: 1 }), { windowMs: 0 });
    api.rateLimitNext(2, { lockTimeout: true });
    await assert.rejects(refetcher.fetch(ev('customer.updated', T0, {})), { name: 'BillingRefetchError', code: 'rate_limited' });
    assert.equal(api.requests.length, 2);
  });

  it('every sharer of a failing batch gets the error', async () => {
    const refetcher = new Refetcher(client(), { windowMs: 0 });
    api.rateLimitNext(2);
    const results = await Promise.allSettled([refetcher.fetch(ev('customer.updated', T0, {})), refetcher.fetch(ev('customer.subscription.updated', T0, {}))]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.ok(results.every((r) => r.reason.code === 'rate_limited'));
  });

  it('404 resource_missing leaves that part out: the event falls back to its payload', async () => {
    api.customers.clear();
    api.subscriptions.clear();
    const refetcher = new Refetcher(client(), { windowMs: 0 });
    const event = ev('customer.updated', T0 + 5, { email: 'payload@example.com' });
    const fetched = await refetcher.fetch(event);
    assert.equal(fetched.customer, undefined);
    assert.equal(applyEvent(null, event, { now: NOW, fetched }).state.email, 'payload@example.com');
    const subEvent = ev('customer.subscription.updated', T0 + 5, { created: T0, status: 'active' });
    const none = await refetcher.fetch(subEvent);
    assert.equal(none.subscriptions, undefined);
    assert.equal(applyEvent(null, subEvent, { now: NOW, fetched: none }).state.subscription.status, 'active');
  });

  it('a deleted customer: Stripe answers the deleted stub, the state says deleted', async () => {
    api.customers.set(CUS, customerObject({ id: CUS, deleted: true }));
    const refetcher = new Refetcher(client(), { windowMs: 0 });
    const event = ev('customer.updated', T0 + 5, {});
    const { state } = applyEvent(null, event, { now: NOW, fetched: await refetcher.fetch(event) });
    assert.equal(state.deleted, true);
  });

  it('other API errors (a bad key: 401) are stripe_error; an unreachable API is connection_error', async () => {
    const bad = new Refetcher(new Stripe('rk_live_wrong', { ...api.clientOptions, maxNetworkRetries: 0 }), { windowMs: 0 });
    await assert.rejects(bad.fetch(ev('customer.updated', T0, {})), { code: 'stripe_error', statusCode: 401 });
    const closed = await startStripeApi();
    await closed.close();
    const gone = new Refetcher(new Stripe('sk_test_refetch', { ...closed.clientOptions, maxNetworkRetries: 0 }), { windowMs: 0 });
    await assert.rejects(gone.fetch(ev('customer.updated', T0, {})), { code: 'connection_error' });
  });

  it('a list longer than one page is read to the end', async () => {
    for (let i = 0; i < 130; i += 1) {
      const id = `sub_Page${String(i).padStart(11, '0')}`;
      api.subscriptions.set(id, subscriptionObject({ id, customer: CUS, created: T0 + 1000 + i, status: 'canceled', canceledAt: T0 + 2000 }));
    }
    const refetcher = new Refetcher(client(), { windowMs: 0 });
    const [fetched] = await Promise.all([refetcher.fetch(ev('customer.subscription.updated', T0, {})), refetcher.fetch(ev('customer.subscription.updated', T0, { subscription: SUB_B }))]);
    assert.equal(fetched.subscriptions.length, 132);
    assert.equal(api.requests.filter((r) => r.path === '/v1/subscriptions').length, 2);
  });

  it('the client must be a stripe-node client; windowMs a non-negative integer', () => {
    assert.throws(() => new Refetcher({}), /billing\.refetch must be a stripe-node client/);
    assert.throws(() => new Refetcher(null), TypeError);
    assert.throws(() => new Refetcher(client(), { windowMs: -1 }), /windowMs/);
  });
});
