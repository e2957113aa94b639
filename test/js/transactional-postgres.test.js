'use strict';
// Transactional handlers on a real PostgreSQL (test/js/support/services.js):
// createWebhookHandler({ store: PostgresStore, transactional: true }) puts the
// claim, the handlers' writes through ctx.client and the completion in one
// transaction. Each test's effect goes to a ledger table in the same database
// and the assertions count its rows: an effect applied twice, or applied by a
// run that did not complete, shows up there. Run over both implementations
// (native `hookwise` and hookwise/portable).

const { before, after, describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const services = require('./support/services');
const { ENGINES } = require('./support/engines');
const { SECRET, makeEvent, delivery } = require('./support/deliveries');

const postgres = services.usePostgres({ before, after }, { max: 30 });
const { skip } = postgres;
// The pool, once started: each test's store and ledger use it.
const db = () => postgres.pool();

const quiet = { info() {}, warn() {}, error() {} };
const deferred = () => {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
};

// Terminates a backend and waits until it is gone (pg_terminate_backend only signals it).
async function terminate(pid) {
  const { rows } = await db().query('SELECT pg_terminate_backend($1) AS ok', [pid]);
  assert.equal(rows[0].ok, true);
  while ((await db().query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rows.length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// A fresh events table and the app's ledger for one test.
async function setup(hookwise, options = {}) {
  const table = `hw_tx_${randomBytes(6).toString('hex')}`;
  const ledger = `${table}_ledger`;
  await db().query(`CREATE TABLE "${ledger}" (event_id text NOT NULL, amount integer NOT NULL, run integer NOT NULL)`);
  const store = new hookwise.PostgresStore({ pool: db(), table });
  const make = (more = {}) => hookwise.createWebhookHandler({ secret: SECRET, store, transactional: true, logger: quiet, ...options, ...more });
  const effects = async (eventId) => (await db().query(`SELECT event_id, amount, run FROM "${ledger}" WHERE event_id = $1 ORDER BY run`, [eventId])).rows;
  const credit = (ctx, event, run = 1) =>
    ctx.sql(`INSERT INTO "${ledger}" (event_id, amount, run) VALUES ($1, $2, $3)`, [event.id, event.data.object.amount_paid, run]);
  return { table, ledger, store, make, effects, credit };
}

for (const { name, hookwise } of ENGINES) {
  describe(`transactional handlers on PostgreSQL (${name})`, { skip }, () => {
    test('refuses transactional: true with a store that cannot hold the app\'s writes', () => {
      const refuses = (store, pattern) =>
        assert.throws(
          () => hookwise.createWebhookHandler({ secret: SECRET, store, transactional: true }),
          (err) => err instanceof hookwise.WebhookConfigError && err.code === 'transactional_unsupported' && pattern.test(err.message),
        );
      refuses(undefined, /default MemoryStore cannot.*PostgresStore\(\{ pool \}\)/);
      refuses(new hookwise.MemoryStore(), /MemoryStore cannot/);
      const bareClient = { query: async () => ({ rows: [] }) };
      refuses(new hookwise.PostgresStore({ pool: bareClient }), /bare pg Client: give it a Pool/);
      assert.throws(
        () => hookwise.createWebhookHandler({ secret: SECRET, store: new hookwise.PostgresStore({ pool: db() }), transactional: 'yes' }),
        (err) => err instanceof TypeError && /transactional/.test(err.message),
      );
      // false is the default path, with any store.
      hookwise.createWebhookHandler({ secret: SECRET, transactional: false });
    });

    test('the handler gets the pg client inside the transaction; writes and completion commit together', async () => {
      const { store, make, effects, credit } = await setup(hookwise);
      const seen = [];
      const webhooks = make().on('invoice.paid', async (event, ctx) => {
        // Inside the transaction: the completion is not visible from outside yet, nor the write.
        const { rows } = await ctx.client.query('SELECT txid_current_if_assigned() IS NOT NULL AS in_tx, pg_backend_pid() AS pid');
        seen.push({ attempt: ctx.attempt, store: ctx.store === store, inTx: rows[0].in_tx, hasRelease: typeof ctx.client.release });
        await credit(ctx, event);
        assert.equal((await effects(event.id)).length, 0, 'not visible to other connections before COMMIT');
        assert.equal(await store.get(event.id), null, 'nor the claim of a new event');
      });
      const event = makeEvent();
      const { body, header } = delivery(event);
      const first = await webhooks.handle(body, header);
      assert.deepEqual([first.status, first.body, first.outcome, first.attempt], [200, { received: true }, 'processed', 1]);
      assert.deepEqual(seen, [{ attempt: 1, store: true, inTx: true, hasRelease: 'function' }]);
      assert.deepEqual(await effects(event.id), [{ event_id: event.id, amount: 1900, run: 1 }]);
      const record = await store.get(event.id);
      assert.deepEqual([record.status, record.attempts, record.lastError], ['completed', 1, null]);
      const again = await webhooks.handle(body, header);
      assert.deepEqual([again.status, again.body, again.outcome], [200, { received: true, duplicate: true }, 'duplicate']);
      assert.equal((await effects(event.id)).length, 1);
      // The same answer through the Fetch adapter (what Next.js and Convex call).
      const viaFetch = await webhooks.fetch(new Request('http://localhost/webhook', { method: 'POST', headers: { 'stripe-signature': header }, body }));
      assert.deepEqual([viaFetch.status, await viaFetch.json()], [200, { received: true, duplicate: true }]);
      // An event type without handlers opens no transaction and writes no record.
      const other = delivery(makeEvent({ type: 'customer.created' }));
      const ignored = await webhooks.handle(other.body, other.header);
      assert.deepEqual([ignored.status, ignored.body], [200, { received: true, ignored: true }]);
      assert.equal(await store.get(JSON.parse(other.body).id), null);
    });

    test('concurrent duplicate deliveries: one runs, the others answer 409 at once, the effect is applied once', async () => {
      const { make, effects, credit, store } = await setup(hookwise);
      const release = deferred();
      const entered = deferred();
      let runs = 0;
      // Several receivers (handlers) sharing one store, as instances behind a load balancer.
      const receivers = Array.from({ length: 4 }, () =>
        make().on('invoice.paid', async (event, ctx) => {
          runs += 1;
          await credit(ctx, event, runs);
          entered.resolve();
          await release.promise; // hold the row lock until every other delivery has answered
        }),
      );
      const event = makeEvent();
      const { body, header } = delivery(event);
      const holder = receivers[0].handle(body, header);
      await entered.promise;
      const others = await Promise.all(Array.from({ length: 12 }, (_, i) => receivers[i % 4].handle(body, header)));
      for (const r of others) {
        assert.deepEqual([r.status, r.body, r.outcome, r.attempt], [409, { error: 'in_progress' }, 'in_progress', 1]);
      }
      release.resolve();
      const held = await holder;
      assert.equal(held.outcome, 'processed');
      const later = await Promise.all(receivers.map((r) => r.handle(body, header)));
      assert.deepEqual(later.map((r) => r.outcome), ['duplicate', 'duplicate', 'duplicate', 'duplicate']);
      assert.equal(runs, 1);
      assert.equal((await effects(event.id)).length, 1);
      assert.equal((await store.get(event.id)).attempts, 1);
    });

    test('concurrent first deliveries of many events, each delivered 4 times at once: every effect exactly once', async () => {
      const { make, effects, credit, ledger } = await setup(hookwise);
      const receivers = Array.from({ length: 3 }, () => make().on('invoice.paid', async (event, ctx) => credit(ctx, event)));
      const events = Array.from({ length: 20 }, () => makeEvent());
      const deliveries = events.flatMap((e) => Array.from({ length: 4 }, () => delivery(e)));
      // Until every event is processed, as Stripe retries a 409.
      for (let round = 0; round < 20; round++) {
        const results = await Promise.all(deliveries.map((d, i) => receivers[i % 3].handle(d.body, d.header)));
        for (const r of results) assert.ok(['processed', 'duplicate', 'in_progress'].includes(r.outcome), r.outcome);
        if (results.every((r) => r.outcome !== 'in_progress')) break;
      }
      for (const e of events) assert.equal((await effects(e.id)).length, 1, e.id);
      const { rows } = await db().query(`SELECT count(*)::int AS n FROM "${ledger}"`);
      assert.equal(rows[0].n, events.length);
    });

    test('a throwing handler: its writes are rolled back, the retry applies the effect once', async () => {
      const { make, effects, credit, store } = await setup(hookwise);
      let runs = 0;
      const order = [];
      const webhooks = make({ retry: { attempts: 2, backoffMs: 1 } })
        .on('invoice.paid', async (event, ctx) => {
          order.push(`first:${ctx.attempt}`);
          await credit(ctx, event, 100 + runs);
        })
        .on('invoice.paid', async (event, ctx) => {
          runs += 1;
          order.push(`second:${ctx.attempt}`);
          await credit(ctx, event, runs);
          if (runs < 3) throw new Error(`boom ${runs}`);
        });
      const event = makeEvent();
      const { body, header } = delivery(event);
      const res = await webhooks.handle(body, header);
      assert.deepEqual([res.status, res.outcome, res.attempt], [200, 'processed', 1]);
      // Both handlers ran in each of the three runs (the first one's writes were rolled back too).
      assert.deepEqual(order, ['first:1', 'second:1', 'first:1', 'second:1', 'first:1', 'second:1']);
      assert.deepEqual((await effects(event.id)).map((r) => r.run), [3, 102], 'only the committed run\'s writes');
      const record = await store.get(event.id);
      assert.deepEqual([record.status, record.attempts], ['completed', 1]);
    });

    test('a handler that throws after its retries: rollback, fail recorded (500), the next delivery applies once', async () => {
      const { make, effects, credit, store } = await setup(hookwise, { retry: false });
      let broken = true;
      const webhooks = make().on('invoice.paid', async (event, ctx) => {
        await credit(ctx, event, ctx.attempt);
        if (broken) throw new TypeError('not yet');
      });
      const event = makeEvent();
      const { body, header } = delivery(event);
      const failed = await webhooks.handle(body, header);
      assert.deepEqual([failed.status, failed.body, failed.outcome, failed.attempt], [500, { error: 'handler_failed' }, 'failed', 1]);
      assert.equal(failed.error.message, 'not yet');
      assert.deepEqual(await effects(event.id), [], 'the failed run\'s write was rolled back');
      const record = await store.get(event.id);
      assert.deepEqual([record.status, record.attempts, record.lastError], ['failed', 1, 'TypeError: not yet']);
      broken = false;
      const ok = await webhooks.handle(body, header);
      assert.deepEqual([ok.status, ok.outcome, ok.attempt], [200, 'processed', 2]);
      assert.deepEqual((await effects(event.id)).map((r) => r.run), [2]);
    });

    test('a handler whose SQL fails (the transaction aborted) is rolled back and its failure still recorded', async () => {
      const { make, effects, credit, store } = await setup(hookwise, { retry: false });
      const webhooks = make().on('invoice.paid', async (event, ctx) => {
        await credit(ctx, event);
        await ctx.sql('SELECT * FROM no_such_table_here');
      });
      const event = makeEvent();
      const { body, header } = delivery(event);
      const res = await webhooks.handle(body, header);
      assert.equal(res.outcome, 'failed');
      assert.deepEqual(await effects(event.id), []);
      const record = await store.get(event.id);
      assert.equal(record.status, 'failed');
      assert.match(record.lastError, /no_such_table_here/);
    });

    test('dead letter at maxAttempts: no effect, later deliveries run no handler', async () => {
      const { make, effects, credit, store } = await setup(hookwise, { retry: false, maxAttempts: 2 });
      let runs = 0;
      const webhooks = make().on('invoice.paid', async (event, ctx) => {
        runs += 1;
        await credit(ctx, event, runs);
        throw new Error('always');
      });
      const event = makeEvent();
      const { body, header } = delivery(event);
      const first = await webhooks.handle(body, header);
      assert.deepEqual([first.status, first.outcome], [500, 'failed']);
      const second = await webhooks.handle(body, header);
      assert.deepEqual([second.status, second.body, second.outcome, second.attempt], [200, { received: true, dead_lettered: true }, 'dead_lettered', 2]);
      const third = await webhooks.handle(body, header);
      assert.deepEqual([third.status, third.outcome], [200, 'dead_lettered']);
      assert.equal(runs, 2);
      assert.deepEqual(await effects(event.id), []);
      const record = await store.get(event.id);
      assert.deepEqual([record.status, record.attempts, record.lastError], ['dead_lettered', 2, 'Error: always']);
      // requeue makes it claimable again; the fixed handler then applies it once.
      assert.equal(await store.requeue(event.id), true);
    });

    test('a connection killed mid-handler (pg_terminate_backend): nothing committed, the event claimable at once', async () => {
      const { make, effects, credit, store } = await setup(hookwise, { retry: false });
      const inside = deferred();
      const killed = deferred();
      // Receiver A: writes its effect, then its connection is terminated while the handler still runs.
      const a = make().on('invoice.paid', async (event, ctx) => {
        await credit(ctx, event, 1);
        const { rows } = await ctx.sql('SELECT pg_backend_pid() AS pid');
        inside.resolve(rows[0].pid);
        await killed.promise;
        await credit(ctx, event, 2); // the connection is gone: this throws
      });
      const event = makeEvent();
      const { body, header } = delivery(event);
      const running = a.handle(body, header);
      const pid = await inside.promise;
      await terminate(pid);
      // Before A even notices: the event is claimable by another receiver (no lease to wait out), the effect absent.
      assert.deepEqual(await effects(event.id), []);
      let bRuns = 0;
      const b = make().on('invoice.paid', async (ev, ctx) => {
        bRuns += 1;
        await credit(ctx, ev, 3);
      });
      const byB = await b.handle(body, header);
      assert.deepEqual([byB.status, byB.outcome, byB.attempt], [200, 'processed', 1]);
      killed.resolve();
      const byA = await running;
      assert.deepEqual([byA.status, byA.outcome], [500, 'failed'], 'A reports its failed run');
      assert.equal(bRuns, 1);
      assert.deepEqual((await effects(event.id)).map((r) => r.run), [3], 'only B\'s effect, once');
      const record = await store.get(event.id);
      assert.deepEqual([record.status, record.attempts], ['completed', 1], 'A\'s late failure did not touch the completed event');
    });

    test('a connection killed mid-handler while nobody else delivers: the failure is recorded on another connection', async () => {
      const { make, effects, credit, store } = await setup(hookwise, { retry: false });
      let kill = true;
      const webhooks = make().on('invoice.paid', async (event, ctx) => {
        await credit(ctx, event, ctx.attempt);
        if (kill) {
          kill = false;
          await terminate((await ctx.sql('SELECT pg_backend_pid() AS pid')).rows[0].pid);
          await ctx.sql('SELECT 1');
        }
      });
      const event = makeEvent();
      const { body, header } = delivery(event);
      const res = await webhooks.handle(body, header);
      assert.deepEqual([res.status, res.outcome], [500, 'failed']);
      assert.deepEqual(await effects(event.id), []);
      const record = await store.get(event.id);
      assert.deepEqual([record.status, record.attempts], ['failed', 1]);
      const ok = await webhooks.handle(body, header);
      assert.deepEqual([ok.outcome, ok.attempt], ['processed', 2]);
      assert.deepEqual((await effects(event.id)).map((r) => r.run), [2]);
    });

    test("ordering: 'skip-stale' reads and moves the marker inside the transaction", async () => {
      const { make, effects, credit, store } = await setup(hookwise, { ordering: 'skip-stale' });
      const webhooks = make().on('invoice.paid', async (event, ctx) => credit(ctx, event));
      const object = { id: 'in_ordered_1', object: 'invoice', amount_paid: 500 };
      const newer = makeEvent({ created: 2_000, object });
      const older = makeEvent({ created: 1_000, object });
      const n = delivery(newer);
      assert.equal((await webhooks.handle(n.body, n.header)).outcome, 'processed');
      assert.equal(await store.lastApplied('in_ordered_1'), 2_000);
      const o = delivery(older);
      const stale = await webhooks.handle(o.body, o.header);
      assert.deepEqual([stale.status, stale.body, stale.outcome], [200, { received: true, stale: true }, 'stale']);
      assert.deepEqual(await effects(older.id), []);
      assert.equal((await store.get(older.id)).status, 'completed');
    });
  });
}

// Billing state with transactional: true: the projection's writes go through the
// event's transaction (PostgresStore's <table>_billing, the same statements), so
// the state, the handlers' writes and the completion commit together. The same
// lifecycles are run through the non-transactional path (billing on a
// PostgresStore of its own) and both must reach the billing-handler tests'
// expected state (the pure projection's replay).
const { billingScenarios, comparable } = require('./support/billing-scenarios');
const { renewalRecovered } = require('./support/billing-lifecycles');

for (const { name, hookwise } of ENGINES) {
  describe(`billing state in the transaction on PostgreSQL (${name})`, { skip }, () => {
    // A handler over a table of its own, with billing on; the app's ledger records what each handler saw.
    async function billingRunner(transactional, onEvent) {
      const { store, ledger, table } = await setup(hookwise);
      const webhooks = hookwise.createWebhookHandler({ secret: SECRET, store, billing: true, transactional, logger: quiet });
      webhooks.on('invoice.paid', async (event, ctx) => {
        await (transactional ? ctx.client : db()).query(`INSERT INTO "${ledger}" (event_id, amount, run) VALUES ($1, $2, $3)`, [
          event.id, ctx.billing === null ? -1 : ctx.billing.subscriptions.length, ctx.attempt,
        ]);
        if (onEvent) await onEvent(event, ctx);
      });
      const deliver = async (event) => {
        const { body, header } = delivery(event);
        let result;
        do result = await webhooks.handle(body, header);
        while (result.outcome === 'in_progress' && (await new Promise((r) => setTimeout(r, 2)), true));
        return result.outcome;
      };
      return {
        store,
        table,
        webhooks,
        deliver,
        run: (sequences) => Promise.all(sequences.map(async (seq) => {
          const outcomes = [];
          for (const event of seq) outcomes.push(await deliver(event));
          return outcomes;
        })),
        ledger: async () => (await db().query(`SELECT event_id, amount FROM "${ledger}" ORDER BY event_id`)).rows,
      };
    }

    test('billing with transactional: true is refused by stores that cannot apply it in their transactions', () => {
      assert.throws(
        () => hookwise.createWebhookHandler({ secret: SECRET, billing: true, transactional: true }),
        (err) => err instanceof TypeError && /billing with transactional: true needs a store/.test(err.message),
      );
      hookwise.createWebhookHandler({ secret: SECRET, store: new hookwise.PostgresStore({ pool: db() }), billing: true, transactional: true });
    });

    test('every lifecycle (a seeded sample of orders, duplicates, concurrent deliveries): the same state as the non-transactional path', async () => {
      const inTx = await billingRunner(true);
      const plain = await billingRunner(false);
      const scenarios = billingScenarios({ scale: 'sample' });
      for (const s of scenarios) {
        const [a, b] = [await inTx.run(s.sequences), await plain.run(s.sequences)];
        const distinct = new Set(s.sequences.flat().map((e) => e.id)).size;
        for (const outcomes of [a.flat(), b.flat()]) {
          assert.equal(outcomes.filter((o) => o === 'processed').length, distinct, `${s.name}: each event processed once`);
          assert.ok(outcomes.every((o) => o === 'processed' || o === 'duplicate'), `${s.name}: ${outcomes}`);
        }
        const [txState, plainState] = [await inTx.webhooks.billing.get({ customerId: s.customerId }), await plain.webhooks.billing.get({ customerId: s.customerId })];
        assert.deepEqual(comparable(txState), comparable(plainState), `${s.name}: ${s.customerId}`);
        assert.deepEqual(comparable(txState), s.expected, `${s.name}: ${s.customerId}`);
      }
      // What each handler saw (ctx.billing) is the same on both paths, event by event, for the
      // scenarios delivered in one order (in a burst, what a handler sees depends on the interleaving).
      const ordered = (rows) => rows.filter((r) => !r.event_id.includes('_Burst'));
      assert.deepEqual(ordered(await inTx.ledger()), ordered(await plain.ledger()));
    });

    test('the state commits with the handlers\' writes and the completion; a failed run rolls it back with them', async () => {
      const { events, customer } = renewalRecovered();
      let failNext = 0;
      const views = [];
      const runner = await billingRunner(true, async (event, ctx) => {
        // Inside the transaction the billing row is written; other connections still see the committed one.
        const inside = await ctx.client.query(`SELECT version FROM "${runner.table}_billing" WHERE customer_id = $1`, [customer]);
        const outside = await ctx.store.billingGet(customer);
        views.push({ inside: Number(inside.rows[0].version), outside: outside === null ? 0 : outside.version });
        if (failNext > 0) {
          failNext -= 1;
          throw new Error('grant failed');
        }
      });
      const signup = events.slice(0, 3);
      assert.deepEqual((await runner.run([signup])).flat(), ['processed', 'processed', 'processed']);
      const before = await runner.store.billingGet(customer);
      const paid = events.find((e) => e.type === 'invoice.paid');
      failNext = 3; // the delivery and its two in-request reruns (retry's default attempts) fail
      assert.equal(await runner.deliver(paid), 'failed');
      assert.deepEqual(await runner.store.billingGet(customer), before, 'the failed runs left the billing document as it was');
      assert.deepEqual(await runner.ledger(), [], 'and no ledger row');
      assert.deepEqual(views, Array(3).fill({ inside: before.version + 1, outside: before.version }), 'each run wrote it in its transaction only');
      assert.equal(await runner.deliver(paid), 'processed');
      assert.equal((await runner.store.billingGet(customer)).version, before.version + 1, 'the redelivery committed it');
      assert.equal((await runner.ledger()).length, 1);
      assert.equal((await runner.store.get(paid.id)).status, 'completed');
    });
  });
}
