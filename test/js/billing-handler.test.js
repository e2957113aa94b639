'use strict';
// Billing state through the webhook handler (API.md section 8), on every
// store: MemoryStore and SqliteStore of both implementations, RedisStore and
// PostgresStore on real servers (test/js/support/services.js), ConvexStore in
// convex-test. Each lifecycle is delivered as signed webhooks — in all orders
// or a seeded sample, with duplicates, same-second ties and concurrent
// deliveries of one customer — and the state the store ends with must be the
// one the pure projection reaches from the same events (lib/billing), with
// every event processed exactly once. Refetch runs against the local Stripe
// API stand-in, 429s included.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const Stripe = require('stripe');
const lib = require('../../lib');
const portable = require('../../lib/portable');
const { RedisStore } = require('../../lib/stores/redis-store');
const { PostgresStore } = require('../../lib/stores/postgres-store');
const { subscription: subscriptionObject } = require('../../lib/fixtures');
const services = require('./support/services');
const { tmpDb } = require('./support/stores');
const { startStripeApi } = require('./support/stripe-api-server');
const { billingScenarios, comparable } = require('./support/billing-scenarios');
const { T0, teller } = require('./support/billing-lifecycles');

const SECRET = 'whsec_billing_handler_test';
const quiet = { info() {}, warn() {}, error() {} };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const signed = (event) => {
  const body = JSON.stringify(event);
  return { body, header: lib.generateTestHeaderString({ payload: body, secret: SECRET }) };
};

function portableSqliteWorks() {
  try {
    new portable.SqliteStore({ path: tmpDb(), durability: 'normal' }).close();
    return true;
  } catch {
    return false;
  }
}

// A runner delivers sequences of events (each in order, the sequences at once)
// through one handler with the given billing options, and reads the state.
function localRunner(hookwise, store, billing = true) {
  const webhooks = hookwise.createWebhookHandler({ secret: SECRET, store, billing, logger: quiet });
  const deliver = async (event) => {
    const { body, header } = signed(event);
    let result;
    do result = await webhooks.handle(body, header);
    while (result.outcome === 'in_progress' && (await sleep(2), true));
    return result.outcome;
  };
  return {
    run: (sequences) => Promise.all(sequences.map(async (seq) => {
      const outcomes = [];
      for (const event of seq) outcomes.push(await deliver(event));
      return outcomes;
    })),
    get: (query) => webhooks.billing.get(query),
  };
}

const redis = services.useRedis({ before, after });
const pg = services.usePostgres({ before, after }, { max: 10 });
const redisSkip = redis.skip;
const postgresSkip = pg.skip;
let convex = null;

before(async () => {
  const [{ convexTest }, server, hookwiseConvex] = await Promise.all([import('convex-test'), import('convex/server'), import('../../lib/convex/index.mjs')]);
  convex = { convexTest, server, hookwiseConvex };
});

function convexRunner(refetchPort) {
  const { convexTest, server, hookwiseConvex } = convex;
  const t = convexTest(server.defineSchema({ ...hookwiseConvex.hookwiseTables }), {
    './convex/_generated/api.js': async () => ({}),
    './convex/hookwise.js': async () => hookwiseConvex,
    './convex/billing.js': () => import('./support/convex/billing.mjs'),
  });
  const { anyApi } = server;
  return {
    t,
    run: (sequences) => {
      const args = { secret: SECRET, sequences: sequences.map((seq) => seq.map(signed)) };
      if (refetchPort !== undefined) args.refetchPort = refetchPort;
      return t.action(anyApi.billing.deliver, args);
    },
    get: (query) => t.action(anyApi.billing.get, { secret: SECRET, query }),
  };
}

// Each backend: how to make a runner (a fresh store), and how big a sample it runs.
const BACKENDS = [
  { name: 'native MemoryStore', scale: 'full', runner: (billing) => localRunner(lib, new lib.MemoryStore(), billing) },
  { name: 'portable MemoryStore', scale: 'full', runner: (billing) => localRunner(portable, new portable.MemoryStore(), billing) },
  { name: 'native SqliteStore', scale: 'full', runner: (billing) => localRunner(lib, new lib.SqliteStore({ path: tmpDb(), durability: 'normal' }), billing) },
  {
    name: 'portable SqliteStore',
    scale: 'full',
    skip: portableSqliteWorks() ? false : 'no node:sqlite in this Node (22.5+ has it)',
    runner: (billing) => localRunner(portable, new portable.SqliteStore({ path: tmpDb(), durability: 'normal' }), billing),
  },
  {
    name: 'RedisStore',
    scale: 'full',
    skip: redisSkip,
    runner: (billing) => localRunner(lib, new RedisStore({ client: redis.client(), prefix: `hw-billing:${randomBytes(6).toString('hex')}:` }), billing),
  },
  {
    name: 'PostgresStore',
    scale: 'full',
    skip: postgresSkip,
    runner: (billing) => localRunner(lib, new PostgresStore({ pool: pg.pool(), table: `hw_billing_${randomBytes(6).toString('hex')}` }), billing),
  },
  { name: 'ConvexStore (convex-test)', scale: 'sample', convex: true, runner: (billing) => convexRunner(billing && billing.refetchPort) },
];

/** Runs `items` through `fn` with at most `limit` at once. */
async function pooled(items, limit, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

for (const backend of BACKENDS) {
  describe(`billing through the handler: ${backend.name}`, { skip: backend.skip || false }, () => {
    test('every lifecycle, in every order (or a seeded sample), with duplicates, same-second ties and concurrent deliveries, ends in the one state', async () => {
      const runner = backend.runner(true);
      const scenarios = billingScenarios({ scale: backend.scale });
      await pooled(scenarios, backend.convex ? 1 : 8, async (s) => {
        const outcomes = (await runner.run(s.sequences)).flat();
        const context = `${s.name}: ${s.customerId}`;
        for (const outcome of outcomes) assert.ok(outcome === 'processed' || outcome === 'duplicate', `${context}: ${outcome}`);
        const distinct = new Set(s.sequences.flat().map((e) => e.id)).size;
        assert.equal(outcomes.filter((o) => o === 'processed').length, distinct, `${context}: each event processed exactly once`);
        assert.deepEqual(comparable(await runner.get({ customerId: s.customerId })), s.expected, context);
        if (s.name.startsWith('renewal')) {
          assert.deepEqual(comparable(await runner.get({ userId: s.userId })), s.expected, `${context} by userId`);
        }
      });
      // A hand check, so that "every order agrees" cannot hide "every order is wrong".
      const renewal = scenarios.find((s) => s.name.startsWith('renewal'));
      assert.equal(renewal.expected.subscription.status, 'active');
      assert.equal(renewal.expected.hasAccess, true);
      assert.equal(renewal.expected.subscription.failedPaymentAttempts, 0);
      const cancel = scenarios.find((s) => s.name.startsWith('same second'));
      assert.equal(cancel.expected.subscription.status, 'canceled');
      assert.equal(cancel.expected.hasAccess, false);
    });

    test('refetch: the state is Stripe\'s current subscription; a 429 fails the delivery (500) and the redelivery applies it; a burst costs one fetch', async () => {
      const api = await startStripeApi();
      try {
        const customer = `cus_Refetch${randomBytes(4).toString('hex')}`;
        const sub = `sub_Refetch${randomBytes(4).toString('hex')}`;
        api.subscriptions.set(sub, subscriptionObject({ id: sub, customer, created: T0, status: 'past_due' }));
        const runner = backend.convex
          ? convexRunner(api.port ?? Number(api.clientOptions.port))
          : backend.runner({ refetch: new Stripe('sk_test_handler', { ...api.clientOptions, maxNetworkRetries: 0 }) });
        const { ev } = teller({ customer, subscription: sub });
        const updated = ev('customer.subscription.updated', T0 + 10, { created: T0, status: 'active' });
        api.rateLimitNext(1);
        assert.deepEqual(await runner.run([[updated]]), [['failed']]);
        assert.equal(await runner.get({ customerId: customer }), null, 'nothing applied when the fetch failed');
        assert.deepEqual(await runner.run([[updated]]), [['processed']]);
        const state = await runner.get({ customerId: customer });
        assert.equal(state.subscription.status, 'past_due', 'Stripe\'s current status, not the payload\'s');
        const before = api.requests.length;
        const burst = [20, 21, 22].map((s) => ev('customer.subscription.updated', T0 + s, { created: T0, status: 'active' }));
        const outcomes = await runner.run(burst.map((e) => [e]));
        assert.deepEqual(outcomes, [['processed'], ['processed'], ['processed']]);
        assert.equal(api.requests.length - before, 1, 'three events of one customer at once: one fetch');
      } finally {
        await api.close();
      }
    });
  });
}

describe('billing in the handler (both implementations)', () => {
  for (const [name, hookwise] of [['native', lib], ['portable', portable]]) {
    const make = (options) => hookwise.createWebhookHandler({ secret: SECRET, logger: quiet, ...options });
    const deliver = (webhooks, event) => {
      const { body, header } = signed(event);
      return webhooks.handle(body, header);
    };
    const { ev, customer } = teller({ customer: 'cus_Handler000000001', subscription: 'sub_Handler000000001' });

    test(`${name}: with billing on, billing events are processed without a handler of the user's; other events stay ignored`, async () => {
      const webhooks = make({ billing: true });
      const created = ev('customer.subscription.created', T0, { created: T0, status: 'active' });
      assert.equal((await deliver(webhooks, created)).outcome, 'processed');
      assert.equal((await deliver(webhooks, created)).outcome, 'duplicate');
      const other = { ...created, id: 'evt_Other000000001', type: 'payment_intent.created', data: { object: { id: 'pi_1', object: 'payment_intent' } } };
      assert.equal((await deliver(webhooks, other)).outcome, 'ignored');
      const state = await webhooks.billing.get({ customerId: customer });
      assert.equal(state.subscription.status, 'active');
      assert.equal(state.hasAccess, true);
      // Without billing the same event is ignored and nothing is kept.
      const plain = make({});
      assert.equal((await deliver(plain, created)).outcome, 'ignored');
      await assert.rejects(plain.billing.get({ customerId: customer }), (err) => err.name === 'WebhookConfigError' && err.code === 'billing_off' && /billing: true/.test(err.message));
      await webhooks.close();
    });

    test(`${name}: ctx.billing is the state after this event, null for events naming no customer`, async () => {
      const seen = [];
      const webhooks = make({ billing: true, on: { '*': async (event, ctx) => seen.push([event.type, ctx.billing && ctx.billing.subscription && ctx.billing.subscription.status]) } });
      await deliver(webhooks, ev('customer.subscription.created', T0, { created: T0, status: 'trialing' }));
      await deliver(webhooks, ev('customer.subscription.updated', T0 + 5, { created: T0, status: 'active' }));
      await deliver(webhooks, { id: 'evt_NoCustomer00001', object: 'event', type: 'payment_intent.created', created: T0, data: { object: { id: 'pi_1', object: 'payment_intent' } } });
      assert.deepEqual(seen, [['customer.subscription.created', 'trialing'], ['customer.subscription.updated', 'active'], ['payment_intent.created', null]]);
      await webhooks.close();
    });

    test(`${name}: a throwing handler fails the delivery; the redelivery re-applies nothing (one store version) and runs the handler again`, async () => {
      const store = new hookwise.MemoryStore();
      let runs = 0;
      const webhooks = make({ store, billing: true, retry: false, on: { 'customer.subscription.created': async () => { runs += 1; if (runs === 1) throw new Error('boom'); } } });
      const created = ev('customer.subscription.created', T0, { created: T0, status: 'active' });
      assert.equal((await deliver(webhooks, created)).outcome, 'failed');
      assert.equal((await store.billingGet(customer)).version, 1);
      assert.equal((await deliver(webhooks, created)).outcome, 'processed');
      assert.equal((await store.billingGet(customer)).version, 1, 'applying an event twice writes nothing');
      assert.equal(runs, 2);
      assert.equal((await webhooks.billing.get({ userId: 'nobody' })), null);
    });

    test(`${name}: two deliveries of one customer that read the same version: one put conflicts, is re-applied on the winner's record, and both events are kept`, async () => {
      const inner = new hookwise.MemoryStore();
      const puts = [];
      let waiting = [];
      // billingGet answers only once both deliveries have asked, so both read the same version.
      const store = Object.create(inner, {
        billingGet: {
          value: async (customerId) => {
            const doc = await inner.billingGet(customerId);
            if (puts.length > 0) return doc;
            await new Promise((resolve) => {
              waiting.push(resolve);
              if (waiting.length === 2) waiting.splice(0).forEach((wake) => wake());
            });
            return doc;
          },
        },
        billingPut: { value: async (...args) => { const v = await inner.billingPut(...args); puts.push(v); return v; } },
      });
      for (const m of ['claim', 'complete', 'fail', 'close', 'billingFind']) Object.defineProperty(store, m, { value: inner[m].bind(inner) });
      const webhooks = make({ store, billing: true });
      const a = ev('customer.subscription.created', T0, { created: T0, status: 'active' });
      const b = ev('customer.updated', T0 + 1, { created: T0, email: 'race@example.com' });
      const outcomes = await Promise.all([deliver(webhooks, a), deliver(webhooks, b)]);
      assert.deepEqual(outcomes.map((r) => r.outcome), ['processed', 'processed']);
      assert.deepEqual(puts, [1, null, 2], 'the second put conflicted and was retried');
      const state = await webhooks.billing.get({ customerId: customer });
      assert.equal(state.subscription.status, 'active');
      assert.equal(state.email, 'race@example.com');
    });

    test(`${name}: billing options are checked at creation`, () => {
      assert.throws(() => make({ billing: 'yes' }), /billing must be true or an object/);
      assert.throws(() => make({ billing: { graceDay: 3 } }), /unknown billing option "graceDay"/);
      assert.throws(() => make({ billing: { graceDays: -1 } }), /billing.graceDays must be a finite number >= 0/);
      assert.throws(() => make({ billing: { userId: 'metadata.userId' } }), /billing.userId must be a function/);
      assert.throws(() => make({ billing: { refetch: {} } }), /billing.refetch must be a stripe-node client/);
      const custom = { claim() {}, complete() {}, fail() {}, close() {} };
      assert.throws(() => make({ store: custom, billing: true }), /billing needs a store with the billing-state capability/);
      make({ store: custom }); // a store without it is fine while billing is off
      assert.throws(() => make({ billing: true, transactional: true }), /billing with transactional: true needs a store that applies billing state inside the event's transaction/);
      assert.throws(() => make({ billing: true, scheme: 'standard', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }), /cannot be used with scheme: 'standard'/);
      make({ billing: { graceDays: 3, userId: (o) => o.metadata?.uid ?? null } });
    });

    test(`${name}: webhooks.billing.get takes exactly { customerId } or { userId }`, async () => {
      const webhooks = make({ billing: true });
      await assert.rejects(webhooks.billing.get({}), TypeError);
      await assert.rejects(webhooks.billing.get({ customerId: 'a', userId: 'b' }), TypeError);
      await assert.rejects(webhooks.billing.get({ customerId: '' }), RangeError);
      assert.equal(await webhooks.billing.get({ customerId: 'cus_None' }), null);
    });
  }
});

describe('Convex: an app query reads the state with getCustomerState', () => {
  test('isPremium({ userId }) in the app\'s own query, after the webhooks', async () => {
    const runner = convexRunner();
    const scenario = billingScenarios({ scale: 'sample' }).find((s) => s.name.startsWith('renewal'));
    await runner.run(scenario.sequences);
    const { anyApi } = convex.server;
    const { premium, state } = await runner.t.query(anyApi.billing.isPremium, { userId: scenario.userId });
    assert.equal(premium, true);
    assert.deepEqual(comparable(state), scenario.expected);
    assert.deepEqual(await runner.t.query(anyApi.billing.isPremium, { userId: 'user_nobody' }), { premium: false, state: null });
    const viaInternal = await runner.t.query(anyApi.hookwise.billingState, { customerId: scenario.customerId });
    assert.deepEqual(comparable(viaInternal), scenario.expected);
  });
});
