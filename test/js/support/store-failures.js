'use strict';
// The store-failure suite (issue 14): a store call that fails at each step of
// the pipeline, once or for longer, with deliveries repeated the way Stripe
// repeats a non-2xx answer: no handler runs twice and no event is lost.
// failureSuite(label, hookwise, makeStore) registers it for one store over one
// implementation, through a wrapper that makes chosen calls reject as a store
// blip would (the store underneath is untouched). Run over the embedded
// stores by test/js/store-failures.test.js and over RedisStore and
// PostgresStore on real servers by test/js/store-failures-distributed.test.js.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const Stripe = require('stripe');

const SECRET = 'whsec_store_failures';
// The store calls of each ordering path: with atomic ordering the claim takes
// the object's slot and the completion marks it; a store without it (a custom
// store: the capability hidden here) is read and marked around the handlers.
const STEPS = { atomic: ['claim', 'complete'], legacy: ['claim', 'lastApplied', 'complete', 'markApplied'] };

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

/**
 * The store, with `method`'s calls number `from`..`from + times - 1` (1-based) rejecting;
 * `legacy` hides the atomic ordering capability, as a custom store without it.
 */
function failing(store, method, { from = 1, times = 1 } = {}, legacy = false) {
  let calls = 0;
  return new Proxy(store, {
    get(target, key) {
      if (legacy && key === 'atomicOrdering') return undefined;
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

/**
 * Registers the suite: `makeStore()` returns a fresh store (its own file, prefix
 * or table); `hookwise` is the implementation whose createWebhookHandler runs it.
 */
function failureSuite(label, hookwise, makeStore) {
  /** A handler on a fresh store whose `method` fails per `plan`; `counter.runs` counts handler runs. */
  const setup = (method, plan, options = {}) => {
    const inner = makeStore();
    const counter = { runs: 0 };
    const handler = options.handler ?? (async () => void (counter.runs += 1));
    const webhooks = hookwise.createWebhookHandler({
      secret: SECRET,
      store: failing(inner, method, plan, options.legacy),
      logger: quiet,
      ...options.config,
      on: { 'invoice.paid': async (...args) => handler(...args, counter) },
    });
    return { inner, webhooks, counter };
  };

  describe(`${label}: a failing store call`, () => {
    for (const [path, steps] of Object.entries(STEPS)) {
      for (const step of steps) {
        it(`${step} failing once (skip-stale, ${path} ordering): the handler runs once and the event completes`, async () => {
          const legacy = path === 'legacy';
          const { inner, webhooks, counter } = setup(step, {}, { legacy, config: { ordering: 'skip-stale' } });
          const id = `evt_once_${path}_${step}`;
          const statuses = await deliverUntilAccepted(webhooks, delivery(id));
          assert.equal(statuses.at(-1), 200, `statuses ${statuses}`);
          assert.equal(counter.runs, 1, `the handler ran ${counter.runs} times (statuses ${statuses})`);
          assert.equal((await inner.get(id)).status, 'completed');
          if (!legacy) assert.equal(await inner.lastApplied('in_store_failures'), 1_760_000_000, 'the completion marked the object');
          await inner.close();
        });
      }
    }

    it('complete failing past the in-request retries: 500, then the next delivery finishes it without a second run', async () => {
      // 4 calls in the first request (1 + 3 retries), 1 more in the second delivery.
      const { inner, webhooks, counter } = setup('complete', { from: 1, times: 5 });
      const d = delivery('evt_complete_down');
      assert.deepEqual(await deliverUntilAccepted(webhooks, d), [500, 500, 200]);
      assert.equal(counter.runs, 1);
      assert.equal((await webhooks.handle(d.body, d.header)).outcome, 'duplicate');
      assert.equal((await inner.get('evt_complete_down')).status, 'completed');
      assert.equal(counter.runs, 1);
      await webhooks.close();
      await inner.close();
    });

    it('complete failing past the in-request retries is recorded in the background, with no new delivery', async () => {
      const { inner, webhooks, counter } = setup('complete', { from: 1, times: 4 });
      const d = delivery('evt_complete_background');
      await assert.rejects(webhooks.handle(d.body, d.header), /did not record its completion/);
      assert.equal((await inner.get('evt_complete_background')).status, 'processing');
      // The background retry (every second) records it; poll the store rather than assume a time.
      for (let i = 0; i < 100 && (await inner.get('evt_complete_background')).status !== 'completed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await inner.get('evt_complete_background')).status, 'completed');
      assert.equal((await webhooks.handle(d.body, d.header)).outcome, 'duplicate');
      assert.equal(counter.runs, 1);
      await webhooks.close();
      await inner.close();
    });

    it('lastApplied failing past its retries: the claim is released, so the next delivery runs it at once', async () => {
      const { inner, webhooks, counter } = setup('lastApplied', { from: 1, times: 4 }, { legacy: true, config: { ordering: 'skip-stale' } });
      assert.deepEqual(await deliverUntilAccepted(webhooks, delivery('evt_last_applied_down')), [500, 200]);
      assert.equal(counter.runs, 1);
      const record = await inner.get('evt_last_applied_down');
      assert.equal(record.status, 'completed');
      assert.equal(record.attempts, 2);
      await inner.close();
    });

    it('fail failing once after a throwing handler: recorded on retry, the event stays retryable', async () => {
      const { inner, webhooks, counter } = setup('fail', {}, {
        config: { retry: { attempts: 0, backoffMs: 1 } },
        handler: async (event, ctx, c) => {
          c.runs += 1;
          throw new Error('handler down');
        },
      });
      const d = delivery('evt_fail_blip');
      assert.equal((await webhooks.handle(d.body, d.header)).outcome, 'failed');
      const record = await inner.get('evt_fail_blip');
      assert.equal(record.status, 'failed');
      assert.equal(record.attempts, 1);
      assert.match(record.lastError, /handler down/);
      assert.equal(counter.runs, 1);
      await inner.close();
    });
  });
}

module.exports = { failureSuite };
