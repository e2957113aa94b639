'use strict';
// A store call that fails at each step of the pipeline, once or for longer,
// with deliveries repeated the way Stripe repeats a non-2xx answer: no
// handler runs twice and no event is lost (issue 14). Over both
// implementations and their real stores, through a wrapper that makes chosen
// calls reject as a store blip would (the store underneath is untouched).
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const Stripe = require('stripe');
const { ENGINES } = require('./support/engines');
const { storesFor } = require('./support/stores');

const SECRET = 'whsec_store_failures';
const STEPS = ['claim', 'lastApplied', 'complete', 'markApplied'];

function delivery(id, created = 1_760_000_000) {
  const body = JSON.stringify({
    id,
    object: 'event',
    type: 'invoice.paid',
    created,
    data: { object: { id: 'in_store_failures', object: 'invoice' } },
  });
  return { body, header: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }) };
}

/** The store, with `method`'s calls number `from`..`from + times - 1` (1-based) rejecting. */
function failing(store, method, { from = 1, times = 1 } = {}) {
  let calls = 0;
  return new Proxy(store, {
    get(target, key) {
      const value = target[key];
      if (key !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (...args) => {
        calls += 1;
        if (calls >= from && calls < from + times) return Promise.reject(new Error(`injected ${method} failure #${calls}`));
        return value.apply(target, args);
      };
    },
  });
}

const quiet = { info() {}, warn() {}, error() {} };

/** Delivers until Stripe would stop (a 2xx), as Stripe does; returns the statuses seen. */
async function deliverUntilAccepted(webhooks, d, maxTries = 12) {
  const statuses = [];
  for (let i = 0; i < maxTries; i++) {
    let status;
    try {
      status = (await webhooks.handle(d.body, d.header)).status;
    } catch {
      status = 500; // what both adapters answer for a rejected handle()
    }
    statuses.push(status);
    if (status >= 200 && status < 300) return statuses;
  }
  return statuses;
}

for (const { name, hookwise } of ENGINES) {
  for (const [storeName, makeStore] of Object.entries(storesFor(hookwise))) {
    describe(`${name} ${storeName}: a failing store call`, () => {
      for (const step of STEPS) {
        it(`${step} failing once: the handler runs once and the event completes`, async () => {
          const inner = makeStore();
          const store = failing(inner, step);
          let runs = 0;
          const webhooks = hookwise.createWebhookHandler({
            secret: SECRET,
            store,
            logger: quiet,
            ordering: 'skip-stale',
            on: { 'invoice.paid': async () => void (runs += 1) },
          });
          const d = delivery(`evt_once_${step}`);
          const statuses = await deliverUntilAccepted(webhooks, d);
          assert.equal(statuses.at(-1), 200, `statuses ${statuses}`);
          assert.equal(runs, 1, `the handler ran ${runs} times (statuses ${statuses})`);
          assert.equal((await inner.get(`evt_once_${step}`)).status, 'completed');
          await inner.close();
        });
      }

      it('complete failing past the in-request retries: 500, then the next delivery finishes it without a second run', async () => {
        const inner = makeStore();
        // 4 calls in the first request (1 + 3 retries), 1 more in the second delivery.
        const store = failing(inner, 'complete', { from: 1, times: 5 });
        let runs = 0;
        const webhooks = hookwise.createWebhookHandler({
          secret: SECRET,
          store,
          logger: quiet,
          on: { 'invoice.paid': async () => void (runs += 1) },
        });
        const d = delivery('evt_complete_down');
        const statuses = await deliverUntilAccepted(webhooks, d);
        assert.deepEqual(statuses, [500, 500, 200]);
        assert.equal(runs, 1);
        const result = await webhooks.handle(d.body, d.header);
        assert.equal(result.outcome, 'duplicate');
        assert.equal((await inner.get('evt_complete_down')).status, 'completed');
        assert.equal(runs, 1);
        await webhooks.close();
        await inner.close();
      });

      it('complete failing past the in-request retries is recorded in the background, with no new delivery', async () => {
        const inner = makeStore();
        const store = failing(inner, 'complete', { from: 1, times: 4 });
        let runs = 0;
        const webhooks = hookwise.createWebhookHandler({
          secret: SECRET,
          store,
          logger: quiet,
          on: { 'invoice.paid': async () => void (runs += 1) },
        });
        const d = delivery('evt_complete_background');
        await assert.rejects(webhooks.handle(d.body, d.header), /did not record its completion/);
        assert.equal((await inner.get('evt_complete_background')).status, 'processing');
        // The background retry (every second) records it; poll the store rather than assume a time.
        for (let i = 0; i < 100 && (await inner.get('evt_complete_background')).status !== 'completed'; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal((await inner.get('evt_complete_background')).status, 'completed');
        assert.equal((await webhooks.handle(d.body, d.header)).outcome, 'duplicate');
        assert.equal(runs, 1);
        await webhooks.close();
        await inner.close();
      });

      it('lastApplied failing past its retries: the claim is released, so the next delivery runs it at once', async () => {
        const inner = makeStore();
        const store = failing(inner, 'lastApplied', { from: 1, times: 4 });
        let runs = 0;
        const webhooks = hookwise.createWebhookHandler({
          secret: SECRET,
          store,
          logger: quiet,
          ordering: 'skip-stale',
          on: { 'invoice.paid': async () => void (runs += 1) },
        });
        const d = delivery('evt_last_applied_down');
        const statuses = await deliverUntilAccepted(webhooks, d);
        assert.deepEqual(statuses, [500, 200]);
        assert.equal(runs, 1);
        const record = await inner.get('evt_last_applied_down');
        assert.equal(record.status, 'completed');
        assert.equal(record.attempts, 2);
        await inner.close();
      });

      it('fail failing once after a throwing handler: recorded on retry, the event stays retryable', async () => {
        const inner = makeStore();
        const store = failing(inner, 'fail');
        let runs = 0;
        const webhooks = hookwise.createWebhookHandler({
          secret: SECRET,
          store,
          logger: quiet,
          retry: { attempts: 0, backoffMs: 1 },
          on: {
            'invoice.paid': async () => {
              runs += 1;
              throw new Error('handler down');
            },
          },
        });
        const d = delivery('evt_fail_blip');
        const first = await webhooks.handle(d.body, d.header);
        assert.equal(first.outcome, 'failed');
        const record = await inner.get('evt_fail_blip');
        assert.equal(record.status, 'failed');
        assert.equal(record.attempts, 1);
        assert.match(record.lastError, /handler down/);
        assert.equal(runs, 1);
        await inner.close();
      });
    });
  }
}
