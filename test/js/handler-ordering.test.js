'use strict';
// skip-stale over a store with atomic ordering (lib/ordering.js): the claim
// takes the object's slot, a delivery for an object whose slot another event
// holds waits for it (then applies or is stale) or answers 409 when the wait
// runs out, same-second events are ordered by lifecycle rank, and a store
// without the capability keeps the lastApplied/markApplied path. Over both
// implementations and each of their stores.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { ENGINES } = require('./support/engines');
const { storesFor } = require('./support/stores');
const { SECRET, makeEvent, delivery } = require('./support/deliveries');
const { lifecycleRank, SUBSCRIPTION_STATUS_RANK, INVOICE_STATUS_RANK } = require('../../lib/lifecycle-rank');
const versions = require('../../lib/billing/versions');
const { SLOT_WAIT_MS } = require('../../lib/ordering');

const quiet = { info() {}, warn() {}, error() {} };
const TYPE = 'customer.subscription.updated';
const sub = (status, id = 'sub_order') => ({ id, object: 'subscription', status });

/**
 * A handler recording what it applies (`key(event)`) that holds the event whose key is `held`
 * until `open()`; `reached` resolves once that event's handler runs.
 */
function heldHandler(held, key = (e) => e.created) {
  let open;
  let entered;
  const opened = new Promise((r) => (open = r));
  const reached = new Promise((r) => (entered = r));
  const applied = [];
  const on = async (e) => {
    applied.push(key(e));
    if (key(e) === held) {
      entered();
      await opened;
    }
  };
  return { open, reached, applied, on };
}

describe('lifecycle ranks (lib/lifecycle-rank.js)', () => {
  it('is the billing projection\'s rank table, the same objects', () => {
    assert.equal(versions.SUBSCRIPTION_STATUS_RANK, SUBSCRIPTION_STATUS_RANK);
    assert.equal(versions.INVOICE_STATUS_RANK, INVOICE_STATUS_RANK);
    assert.equal(versions.subscriptionStatusRank('past_due'), lifecycleRank('subscription', 'past_due'));
  });

  it('follows Stripe\'s lifecycles forward; unknown statuses and other objects rank 0', () => {
    const order = ['incomplete', 'trialing', 'active', 'past_due', 'unpaid', 'canceled'];
    for (let i = 1; i < order.length; i++) assert.ok(lifecycleRank('subscription', order[i]) > lifecycleRank('subscription', order[i - 1]), order[i]);
    assert.ok(lifecycleRank('invoice', 'paid') > lifecycleRank('invoice', 'open'));
    assert.ok(lifecycleRank('invoice', 'open') > lifecycleRank('invoice', 'draft'));
    for (const [kind, status] of [['subscription', 'no_such_status'], ['subscription', undefined], ['customer', 'active'], [undefined, 'paid'], ['subscription', 'toString'], ['__proto__', 'paid']]) {
      assert.equal(lifecycleRank(kind, status), 0, `${kind} ${status}`);
    }
  });
});

for (const { name, hookwise } of ENGINES) {
  for (const [storeName, makeStore] of Object.entries(storesFor(hookwise))) {
    describe(`${name} ${storeName}: skip-stale with atomic ordering`, () => {
      const setup = (on, store = makeStore()) => {
        const webhooks = hookwise.createWebhookHandler({ secret: SECRET, store, logger: quiet, ordering: 'skip-stale', on: { [TYPE]: on } });
        return { store, webhooks };
      };
      const send = (webhooks, event) => {
        const d = delivery(event);
        return webhooks.handle(d.body, d.header);
      };

      it('the store has the capability, and the handler uses it (no lastApplied/markApplied calls)', async () => {
        const { store, webhooks } = setup(async () => {});
        assert.equal(store.atomicOrdering, true);
        await send(webhooks, makeEvent({ type: TYPE, created: 2000, object: sub('active') }));
        assert.equal((await send(webhooks, makeEvent({ type: TYPE, created: 1000, object: sub('past_due') }))).outcome, 'stale');
        assert.equal(store.calls.lastApplied, 0);
        assert.equal(store.calls.markApplied, 0);
        assert.equal(await store.lastApplied('sub_order'), 2000, 'the completion marked the object');
        await store.close();
      });

      it('an older event arriving while a newer one runs waits for it, then is stale without running', async () => {
        const g = heldHandler('active', (e) => e.data.object.status);
        const { applied } = g;
        const { store, webhooks } = setup(g.on);
        const newer = send(webhooks, makeEvent({ type: TYPE, created: 2000, object: sub('active') }));
        await g.reached;
        const older = send(webhooks, makeEvent({ type: TYPE, created: 1000, object: sub('trialing') }));
        g.open();
        assert.equal((await newer).outcome, 'processed');
        const res = await older;
        assert.equal(res.outcome, 'stale');
        assert.deepEqual(res.body, { received: true, stale: true });
        assert.deepEqual(applied, ['active']);
        await store.close();
      });

      it('a newer event arriving while an older one runs waits for it, then applies after it', async () => {
        const g = heldHandler(1000);
        const { applied } = g;
        const { store, webhooks } = setup(g.on);
        const older = send(webhooks, makeEvent({ type: TYPE, created: 1000, object: sub('trialing') }));
        await g.reached;
        const newer = send(webhooks, makeEvent({ type: TYPE, created: 2000, object: sub('active') }));
        g.open();
        assert.equal((await older).outcome, 'processed');
        assert.equal((await newer).outcome, 'processed');
        assert.deepEqual(applied, [1000, 2000]);
        assert.equal(await store.lastApplied('sub_order'), 2000);
        await store.close();
      });

      it(`a slot held past the wait (${SLOT_WAIT_MS} ms) answers 409 in_progress; Stripe's retry then applies it`, async () => {
        const g = heldHandler(1000);
        const { applied } = g;
        const { store, webhooks } = setup(g.on);
        const holder = send(webhooks, makeEvent({ type: TYPE, created: 1000, object: sub('trialing') }));
        await g.reached;
        const event = makeEvent({ type: TYPE, created: 2000, object: sub('active') });
        const res = await send(webhooks, event);
        assert.equal(res.status, 409);
        assert.deepEqual(res.body, { error: 'in_progress' });
        assert.equal(await store.get(event.id), null, 'the blocked delivery recorded nothing');
        g.open();
        await holder;
        assert.equal((await send(webhooks, event)).outcome, 'processed');
        assert.deepEqual(applied, [1000, 2000]);
        await store.close();
      });

      it('same second: a late active after past_due is stale; a later state of the same second applies', async () => {
        const applied = [];
        const { store, webhooks } = setup(async (e) => applied.push(e.data.object.status));
        assert.equal((await send(webhooks, makeEvent({ type: TYPE, created: 3000, object: sub('past_due') }))).outcome, 'processed');
        assert.equal((await send(webhooks, makeEvent({ type: TYPE, created: 3000, object: sub('active') }))).outcome, 'stale');
        assert.equal((await send(webhooks, makeEvent({ type: TYPE, created: 3000, object: sub('canceled') }))).outcome, 'processed');
        // Invoices rank too; objects without a ranked lifecycle tie at 0 and both apply.
        const invoice = (status) => ({ id: 'in_order', object: 'invoice', status });
        await send(webhooks, makeEvent({ type: TYPE, created: 3000, object: invoice('paid') }));
        assert.equal((await send(webhooks, makeEvent({ type: TYPE, created: 3000, object: invoice('open') }))).outcome, 'stale');
        const customer = { id: 'cus_order', object: 'customer' };
        assert.equal((await send(webhooks, makeEvent({ type: TYPE, created: 3000, object: customer }))).outcome, 'processed');
        assert.equal((await send(webhooks, makeEvent({ type: TYPE, created: 3000, object: customer }))).outcome, 'processed');
        assert.deepEqual(applied, ['past_due', 'canceled', 'paid', undefined, undefined]);
        await store.close();
      });

      it('a store without the capability keeps the lastApplied/markApplied path', async () => {
        const inner = makeStore();
        const legacy = new Proxy(inner, { get: (t, k) => (k === 'atomicOrdering' ? undefined : typeof t[k] === 'function' ? t[k].bind(t) : t[k]) });
        const applied = [];
        const { webhooks } = setup(async (e) => applied.push(e.created), legacy);
        await send(webhooks, makeEvent({ type: TYPE, created: 2000, object: sub('active') }));
        assert.equal((await send(webhooks, makeEvent({ type: TYPE, created: 1000, object: sub('active') }))).outcome, 'stale');
        assert.deepEqual(applied, [2000]);
        assert.equal(inner.calls.lastApplied, 2);
        assert.equal(inner.calls.markApplied, 1);
        await inner.close();
      });
    });
  }
}
