'use strict';
// hookwise/testing: the Store contract suite (API.md §5 and docs/stores.md),
// the one every hookwise store passes — MemoryStore and SqliteStore of both
// implementations, RedisStore, PostgresStore and ConvexStore — exported so a
// store you write yourself can be held to the same rules:
//
//   const { test, describe } = require('node:test');
//   const assert = require('node:assert/strict');
//   const { runStoreContract } = require('hookwise/testing');
//   runStoreContract((options) => new MyStore({ ...connection, ...options }), { name: 'MyStore', test, describe, assert });
//
// makeStore(options?) returns (or resolves to) a new store holding no records;
// every test gets its own. `options` is undefined, or constructor options the
// suite needs the store to take: { retentionMs } (retention cases), or a
// misspelt key (which must be refused). Pass them on to your constructor.
//
// Options: name; test, describe, assert (default node:test and
// node:assert/strict, loaded when runStoreContract is called, never at
// import); destroy(store) (default store.close()); skip (a reason: skips the
// suite); unreachable() (a store whose backend fails: every operation must
// reject with a StoreError); retention: false, constructorOptions: false (skip
// those cases, for stores without retentionMs).
//
// Optional store capabilities (docs/stores.md) have a block each, whose cases
// skip themselves for a store without the capability's methods (billing state:
// billingGet, billingFind, billingPut).
//
// Stores use real clocks, so lease expiry is tested by real waiting with short
// leases (SHORT_LEASE_MS); a store with hookwise's testing clock hook
// (Symbol.for('hookwise.store.advanceClock')) is aged by it for retention.
// Depends on nothing but what the caller passes and hookwise's own errors.

const { StoreError, STORE_ERROR_CODES } = require('./errors');
const { webCrypto } = require('./runtime');
const { atomicOrderingContract } = require('./testing-atomic-ordering');

const SHORT_LEASE_MS = 150;
const AFTER_SHORT_LEASE_MS = 400;
const LONG_LEASE_MS = 60_000;
// retentionMs of the retention case for stores without the testing clock hook.
const SHORT_RETENTION_MS = 300;
const MAX_LAST_ERROR_BYTES = 2048;
const ADVANCE_CLOCK = Symbol.for('hookwise.store.advanceClock');
const OPTIONS = ['name', 'test', 'describe', 'assert', 'destroy', 'skip', 'unreachable', 'retention', 'constructorOptions'];

// The billing-state capability's methods (docs/stores.md); its block runs only for stores that have them.
const BILLING_METHODS = ['billingGet', 'billingFind', 'billingPut'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function newId(label = 'evt') {
  // webCrypto(): Node 18 has no global `crypto`.
  const bytes = webCrypto().getRandomValues(new Uint8Array(9));
  let hex = '';
  for (const b of bytes) hex += (b < 16 ? '0' : '') + b.toString(16);
  return `${label}_${hex}`;
}

function meta(overrides = {}) {
  return {
    type: 'checkout.session.completed',
    created: 1_700_000_000,
    objectId: 'cs_test_1',
    leaseMs: LONG_LEASE_MS,
    ...overrides,
  };
}

function assertions(assert) {
  function assertAcquired(claim, attempt) {
    assert.equal(claim.status, 'acquired', `expected acquired, got ${JSON.stringify(claim)}`);
    assert.equal(typeof claim.token, 'string');
    assert.ok(claim.token.length > 0, 'token must be non-empty');
    assert.equal(claim.attempt, attempt);
  }

  // Checks the documented EventRecord shape and the fields every record has.
  function assertRecordShape(record) {
    assert.ok(record && typeof record === 'object', 'record must be an object');
    for (const key of ['id', 'type', 'created', 'objectId', 'status', 'attempts', 'lastError', 'receivedAt', 'updatedAt']) {
      assert.ok(key in record, `record lacks ${key}`);
    }
    assert.equal(typeof record.id, 'string');
    assert.equal(typeof record.type, 'string');
    assert.equal(typeof record.created, 'number');
    assert.ok(record.objectId === null || typeof record.objectId === 'string');
    assert.ok(['processing', 'completed', 'failed', 'dead_lettered'].includes(record.status), record.status);
    assert.ok(Number.isInteger(record.attempts));
    assert.ok(record.lastError === null || typeof record.lastError === 'string');
    assert.ok(Number.isInteger(record.receivedAt), 'receivedAt must be integer ms');
    assert.ok(Number.isInteger(record.updatedAt), 'updatedAt must be integer ms');
    // Sanity only (not a timing threshold): ms since the epoch, not seconds.
    assert.ok(Math.abs(record.receivedAt - Date.now()) < 3_600_000, 'receivedAt must be ms since the epoch');
    assert.ok(record.updatedAt >= record.receivedAt);
  }

  // Newest receivedAt first; ties by id ascending.
  function assertListOrder(records) {
    for (let i = 1; i < records.length; i++) {
      const a = records[i - 1];
      const b = records[i];
      assert.ok(
        a.receivedAt > b.receivedAt || (a.receivedAt === b.receivedAt && a.id < b.id),
        `list order broken at ${i}: ${a.id}@${a.receivedAt} before ${b.id}@${b.receivedAt}`,
      );
    }
  }
  return { assertAcquired, assertRecordShape, assertListOrder };
}

function runStoreContract(makeStore, options = {}) {
  if (typeof makeStore !== 'function') throw new TypeError('hookwise/testing: runStoreContract(makeStore, options) needs makeStore, a function returning a new, empty store');
  if (options === null || typeof options !== 'object') throw new TypeError('hookwise/testing: runStoreContract options must be an object');
  for (const key of Object.keys(options)) {
    if (!OPTIONS.includes(key)) throw new TypeError(`hookwise/testing: unknown runStoreContract option ${JSON.stringify(key)} (expected ${OPTIONS.join(', ')})`);
  }
  const {
    name = 'custom store',
    destroy = (store) => store.close(),
    skip,
    unreachable,
    retention = true,
    constructorOptions = true,
  } = options;
  // Injected, or node:test and node:assert, loaded only now (never at import).
  const test = options.test ?? require('node:test').test;
  const describe = options.describe ?? (options.test ? null : require('node:test').describe);
  const assert = options.assert ?? require('node:assert/strict');
  const create = (storeOptions) => makeStore(storeOptions);
  if (skip) console.log(`# ${name}: store contract skipped — ${skip}`);

  // Runs fn with a fresh store, always releasing it.
  async function withStore(fn) {
    const store = await create();
    try {
      await fn(store);
    } finally {
      await destroy(store);
    }
  }

  const { assertAcquired, assertRecordShape, assertListOrder } = assertions(assert);
  // Without describe (a runner that only gave `test`), titles carry the group.
  let prefix = '';
  const describeIn = (title, opts, fn) => {
    if (typeof opts === 'function') [opts, fn] = [{}, opts];
    if (describe) return describe(title, opts, fn);
    const outer = prefix;
    prefix = `${outer}${title} › `;
    try {
      fn();
    } finally {
      prefix = outer;
    }
  };
  const it = (title, fn) => test(`${prefix}${title}`, { skip: (!describe && skip) || false }, () => withStore(fn));
  const testIn = (title, fn) => test(`${prefix}${title}`, { skip: (!describe && skip) || false }, fn);
  // A case of an optional capability: passes trivially (skipped where the runner can) for a store without it.
  const itWith = (capable, title, fn) =>
    test(`${prefix}${title}`, { skip: (!describe && skip) || false }, (t) =>
      withStore(async (store) => {
        if (!capable(store)) {
          if (t && typeof t.skip === 'function') t.skip(`${name} does not have this capability`);
          return;
        }
        await fn(store);
      }),
    );

  describeIn(`Store contract: ${name}`, { skip: skip || false }, () => {
    describeIn('claim', () => {
      it('a new event is acquired with a token and attempt 1', async (store) => {
        const id = newId();
        assertAcquired(await store.claim(id, meta()), 1);
      });

      it('the largest leaseMs is a lease that never ends, and purge(largest) deletes nothing', async (store) => {
        // The native core overflowed int64 on such sums (found by the store
        // fuzzer); every store must take the largest integer it accepts.
        const id = newId();
        const first = await store.claim(id, meta({ leaseMs: Number.MAX_SAFE_INTEGER }));
        assertAcquired(first, 1);
        assert.equal((await store.claim(id, meta())).status, 'in_progress');
        assert.equal(await store.complete(id, first.token), true);
        assert.equal(await store.purge(Number.MAX_SAFE_INTEGER), 0);
        assert.equal((await store.get(id)).status, 'completed');
      });

      it('a held lease answers in_progress with the current attempt and no token', async (store) => {
        const id = newId();
        assertAcquired(await store.claim(id, meta()), 1);
        const second = await store.claim(id, meta());
        assert.equal(second.status, 'in_progress');
        assert.equal(second.attempt, 1);
        assert.equal(second.token, undefined);
      });

      it('a completed event answers duplicate, without a token', async (store) => {
        const id = newId();
        const first = await store.claim(id, meta());
        assert.equal(await store.complete(id, first.token), true);
        const again = await store.claim(id, meta());
        assert.equal(again.status, 'duplicate');
        assert.equal(again.token, undefined);
        assert.equal(again.attempt, 1);
      });

      it('a failed event can be claimed again at once, attempt + 1, new token', async (store) => {
        const id = newId();
        const first = await store.claim(id, meta());
        const failed = await store.fail(id, first.token, 'boom', 5);
        assert.equal(failed.deadLettered, false);
        assert.equal(failed.attempt, 1);
        const second = await store.claim(id, meta());
        assertAcquired(second, 2);
        assert.notEqual(second.token, first.token);
      });

      it('a dead-lettered event answers dead_lettered, without a token', async (store) => {
        const id = newId();
        const first = await store.claim(id, meta());
        const failed = await store.fail(id, first.token, 'boom', 1);
        assert.equal(failed.deadLettered, true);
        const again = await store.claim(id, meta());
        assert.equal(again.status, 'dead_lettered');
        assert.equal(again.token, undefined);
        assert.equal(again.attempt, 1);
      });

      it('different events are independent', async (store) => {
        const a = newId();
        const b = newId();
        assertAcquired(await store.claim(a, meta()), 1);
        assertAcquired(await store.claim(b, meta()), 1);
      });
    });

    describeIn('leases and fencing', () => {
      it('an expired lease lets the next claim take over with attempt + 1 and a new token', async (store) => {
        const id = newId();
        const first = await store.claim(id, meta({ leaseMs: SHORT_LEASE_MS }));
        assertAcquired(first, 1);
        await sleep(AFTER_SHORT_LEASE_MS);
        const second = await store.claim(id, meta({ leaseMs: LONG_LEASE_MS }));
        assertAcquired(second, 2);
        assert.notEqual(second.token, first.token);
        // The new holder's lease is live.
        assert.equal((await store.claim(id, meta())).status, 'in_progress');
        assert.equal((await store.get(id)).attempts, 2);
      });

      it('the stale token cannot complete (false) and the new one can', async (store) => {
        const id = newId();
        const first = await store.claim(id, meta({ leaseMs: SHORT_LEASE_MS }));
        await sleep(AFTER_SHORT_LEASE_MS);
        const second = await store.claim(id, meta());
        assert.equal(await store.complete(id, first.token), false);
        assert.equal((await store.get(id)).status, 'processing');
        assert.equal(await store.complete(id, second.token), true);
        assert.equal((await store.get(id)).status, 'completed');
      });

      it('the stale token cannot fail: resolves { stale: true } and changes nothing', async (store) => {
        const id = newId();
        const first = await store.claim(id, meta({ leaseMs: SHORT_LEASE_MS }));
        await sleep(AFTER_SHORT_LEASE_MS);
        const second = await store.claim(id, meta());
        const before = await store.get(id);
        const result = await store.fail(id, first.token, 'late failure', 1);
        assert.equal(result.stale, true);
        assert.equal(result.deadLettered, false);
        const after = await store.get(id);
        assert.equal(after.status, 'processing');
        assert.equal(after.attempts, before.attempts);
        assert.equal(after.lastError, before.lastError);
        // The live holder is unaffected.
        assert.equal((await store.claim(id, meta())).status, 'in_progress');
        assert.equal(await store.complete(id, second.token), true);
      });

      it('an unknown token or event neither completes nor fails anything', async (store) => {
        const id = newId();
        const claim = await store.claim(id, meta());
        assert.equal(await store.complete(id, 'not-the-token'), false);
        assert.equal(await store.complete(newId(), claim.token), false);
        const stale = await store.fail(id, 'not-the-token', 'x', 1);
        assert.equal(stale.stale, true);
        assert.equal(stale.deadLettered, false);
        const unknown = await store.fail(newId(), claim.token, 'x', 1);
        assert.equal(unknown.stale, true);
        const record = await store.get(id);
        assert.equal(record.status, 'processing');
        assert.equal(record.lastError, null);
      });

      it('a token cannot act after its own completion or failure', async (store) => {
        const id = newId();
        const first = await store.claim(id, meta());
        await store.fail(id, first.token, 'first', 5);
        // The failed attempt's token is spent: it cannot complete the event.
        assert.equal(await store.complete(id, first.token), false);
        assert.equal((await store.fail(id, first.token, 'again', 5)).stale, true);
        const record = await store.get(id);
        assert.equal(record.status, 'failed');
        assert.equal(record.lastError, 'first');
        const second = await store.claim(id, meta());
        assert.equal(await store.complete(id, second.token), true);
        assert.equal((await store.fail(id, second.token, 'after completion', 5)).stale, true);
        assert.equal((await store.get(id)).status, 'completed');
      });
    });

    describeIn('fail and dead letters', () => {
      it('counts attempts and dead-letters at maxAttempts', async (store) => {
        const id = newId();
        for (let attempt = 1; attempt <= 3; attempt++) {
          const claim = await store.claim(id, meta());
          assertAcquired(claim, attempt);
          const result = await store.fail(id, claim.token, `failure ${attempt}`, 3);
          assert.equal(result.attempt, attempt);
          assert.equal(result.deadLettered, attempt === 3);
          assert.ok(!result.stale);
          const record = await store.get(id);
          assert.equal(record.status, attempt === 3 ? 'dead_lettered' : 'failed');
          assert.equal(record.attempts, attempt);
          assert.equal(record.lastError, `failure ${attempt}`);
        }
        assert.equal((await store.claim(id, meta())).status, 'dead_lettered');
      });

      it('an expired lease counts as an attempt toward maxAttempts', async (store) => {
        const id = newId();
        await store.claim(id, meta({ leaseMs: SHORT_LEASE_MS }));
        await sleep(AFTER_SHORT_LEASE_MS);
        const second = await store.claim(id, meta());
        assertAcquired(second, 2);
        const result = await store.fail(id, second.token, 'second failure', 2);
        assert.equal(result.deadLettered, true);
        assert.equal(result.attempt, 2);
        assert.ok(!result.stale);
      });
    });

    describeIn('requeue', () => {
      it('a failed event becomes claimable with attempt 1', async (store) => {
        const id = newId();
        const claim = await store.claim(id, meta());
        await store.fail(id, claim.token, 'boom', 5);
        assert.equal(await store.requeue(id), true);
        const again = await store.claim(id, meta());
        assertAcquired(again, 1);
        assert.equal((await store.get(id)).attempts, 1);
      });

      it('a dead-lettered event becomes claimable with attempt 1 and full attempts again', async (store) => {
        const id = newId();
        const claim = await store.claim(id, meta());
        assert.equal((await store.fail(id, claim.token, 'boom', 1)).deadLettered, true);
        assert.equal(await store.requeue(id), true);
        const again = await store.claim(id, meta());
        assertAcquired(again, 1);
        const result = await store.fail(id, again.token, 'boom again', 2);
        assert.equal(result.deadLettered, false);
        assert.equal((await store.get(id)).status, 'failed');
      });

      it('is false for a completed, a processing or an unknown event, and changes nothing', async (store) => {
        const done = newId();
        const c = await store.claim(done, meta());
        await store.complete(done, c.token);
        const busy = newId();
        const b = await store.claim(busy, meta());
        assert.equal(await store.requeue(done), false);
        assert.equal(await store.requeue(busy), false);
        assert.equal(await store.requeue(newId()), false);
        assert.equal((await store.get(done)).status, 'completed');
        assert.equal((await store.claim(done, meta())).status, 'duplicate');
        assert.equal((await store.claim(busy, meta())).status, 'in_progress');
        assert.equal(await store.complete(busy, b.token), true);
      });
    });

    describeIn('ordering records', () => {
      it('lastApplied is null until markApplied, then the newest created', async (store) => {
        const objectId = newId('sub');
        assert.equal(await store.lastApplied(objectId), null);
        assert.equal(await store.markApplied(objectId, 1_700_000_100, newId()), undefined);
        assert.equal(await store.lastApplied(objectId), 1_700_000_100);
        await store.markApplied(objectId, 1_700_000_050, newId());
        assert.equal(await store.lastApplied(objectId), 1_700_000_100, 'an older event must not move it back');
        await store.markApplied(objectId, 1_700_000_200, newId());
        assert.equal(await store.lastApplied(objectId), 1_700_000_200);
      });

      it('every markApplied renews the marker, an older one too, so purge keeps a marker in use', async (store) => {
        // Found by the store fuzzer: SqliteStore and PostgresStore renewed the
        // marker only when created moved forward, MemoryStore and Redis always.
        const objectId = newId('sub');
        await store.markApplied(objectId, 1_700_000_200, newId());
        await sleep(300);
        const mid = Date.now();
        await store.markApplied(objectId, 1_700_000_100, newId()); // an older event, applied late
        await store.purge(Date.now() - mid + 150); // the first mark is past the cutoff, the second is not
        assert.equal(await store.lastApplied(objectId), 1_700_000_200);
      });

      it('objects are independent', async (store) => {
        const a = newId('sub');
        const b = newId('sub');
        await store.markApplied(a, 10, newId());
        assert.equal(await store.lastApplied(a), 10);
        assert.equal(await store.lastApplied(b), null);
      });
    });

    describeIn('get', () => {
      it('is null for an unknown event', async (store) => {
        assert.equal(await store.get(newId()), null);
      });

      it('returns the record in its documented shape through its life', async (store) => {
        const id = newId();
        const t0 = Date.now();
        const claim = await store.claim(id, meta({ type: 'invoice.paid', created: 1_700_000_123, objectId: 'in_42' }));
        const processing = await store.get(id);
        assertRecordShape(processing);
        assert.equal(processing.id, id);
        assert.equal(processing.type, 'invoice.paid');
        assert.equal(processing.created, 1_700_000_123);
        assert.equal(processing.objectId, 'in_42');
        assert.equal(processing.status, 'processing');
        assert.equal(processing.attempts, 1);
        assert.equal(processing.lastError, null);
        assert.ok(processing.receivedAt >= t0 - 1000, 'receivedAt is when the store first saw it');

        await store.fail(id, claim.token, 'handler threw: TypeError', 5);
        const failed = await store.get(id);
        assertRecordShape(failed);
        assert.equal(failed.status, 'failed');
        assert.equal(failed.lastError, 'handler threw: TypeError');
        assert.ok(failed.updatedAt >= processing.updatedAt);

        await sleep(5);
        const second = await store.claim(id, meta({ type: 'invoice.paid', created: 1_700_000_123, objectId: 'in_42' }));
        await store.complete(id, second.token);
        const completed = await store.get(id);
        assertRecordShape(completed);
        assert.equal(completed.status, 'completed');
        assert.equal(completed.attempts, 2);
        assert.equal(completed.receivedAt, processing.receivedAt, 'receivedAt is kept across claims');
        assert.ok(completed.updatedAt >= failed.updatedAt);
      });

      it('an event without objectId has objectId null', async (store) => {
        const id = newId();
        await store.claim(id, { type: 'balance.available', created: 1_700_000_000, leaseMs: LONG_LEASE_MS });
        const record = await store.get(id);
        assertRecordShape(record);
        assert.equal(record.objectId, null);
      });

      it('a dead-lettered record says so', async (store) => {
        const id = newId();
        const claim = await store.claim(id, meta());
        await store.fail(id, claim.token, 'gave up', 1);
        const record = await store.get(id);
        assertRecordShape(record);
        assert.equal(record.status, 'dead_lettered');
        assert.equal(record.lastError, 'gave up');
        assert.equal(record.attempts, 1);
      });
    });

    describeIn('list', () => {
      // Creates events one after another (distinct receivedAt where the clock allows)
      // in the given final states; returns their ids in creation order.
      async function seed(store, specs) {
        const ids = [];
        for (const spec of specs) {
          const id = newId();
          const claim = await store.claim(id, meta({ type: spec.type ?? 'invoice.paid' }));
          if (spec.status === 'completed') await store.complete(id, claim.token);
          if (spec.status === 'failed') await store.fail(id, claim.token, 'boom', 5);
          if (spec.status === 'dead_lettered') await store.fail(id, claim.token, 'boom', 1);
          ids.push(id);
          await sleep(3);
        }
        return ids;
      }

      it('is empty for an empty store', async (store) => {
        assert.deepEqual(await store.list(), []);
      });

      it('lists newest receivedAt first, records in their documented shape', async (store) => {
        const ids = await seed(store, [{ status: 'completed' }, { status: 'failed' }, { status: 'processing' }, { status: 'dead_lettered' }]);
        const records = await store.list();
        assert.equal(records.length, 4);
        records.forEach(assertRecordShape);
        assertListOrder(records);
        assert.deepEqual(records.map((r) => r.id), [...ids].reverse());
        assert.deepEqual(records.map((r) => r.status), ['dead_lettered', 'processing', 'failed', 'completed']);
      });

      it('ties on receivedAt are ordered by id ascending', async (store) => {
        // Claims at once: many share a millisecond; the order must hold either way.
        await Promise.all(Array.from({ length: 30 }, () => store.claim(newId(), meta())));
        const records = await store.list();
        assert.equal(records.length, 30);
        assertListOrder(records);
      });

      it('filters by status and by type, alone and together', async (store) => {
        const ids = await seed(store, [
          { status: 'completed', type: 'invoice.paid' },
          { status: 'failed', type: 'invoice.paid' },
          { status: 'completed', type: 'customer.created' },
          { status: 'dead_lettered', type: 'customer.created' },
          { status: 'processing', type: 'invoice.paid' },
        ]);
        const idsOf = async (query) => (await store.list(query)).map((r) => r.id);
        assert.deepEqual(await idsOf({ status: 'completed' }), [ids[2], ids[0]]);
        assert.deepEqual(await idsOf({ status: 'failed' }), [ids[1]]);
        assert.deepEqual(await idsOf({ status: 'dead_lettered' }), [ids[3]]);
        assert.deepEqual(await idsOf({ status: 'processing' }), [ids[4]]);
        assert.deepEqual(await idsOf({ type: 'customer.created' }), [ids[3], ids[2]]);
        assert.deepEqual(await idsOf({ type: 'invoice.paid', status: 'completed' }), [ids[0]]);
        assert.deepEqual(await idsOf({ type: 'no.such.type' }), []);
        // A requeued event leaves the dead letters.
        await store.requeue(ids[3]);
        assert.deepEqual(await idsOf({ status: 'dead_lettered' }), []);
      });

      it('before is an exclusive receivedAt cursor and limit pages', async (store) => {
        await seed(store, Array.from({ length: 7 }, () => ({ status: 'completed' })));
        const all = await store.list();
        assert.equal(all.length, 7);
        const firstPage = await store.list({ limit: 3 });
        assert.deepEqual(firstPage.map((r) => r.id), all.slice(0, 3).map((r) => r.id));
        const cursor = firstPage[firstPage.length - 1].receivedAt;
        const rest = await store.list({ before: cursor });
        assert.deepEqual(rest.map((r) => r.id), all.filter((r) => r.receivedAt < cursor).map((r) => r.id));
        assert.deepEqual(await store.list({ before: all[all.length - 1].receivedAt }), []);
        const withFilter = await store.list({ status: 'completed', before: cursor, limit: 2 });
        assert.deepEqual(withFilter.map((r) => r.id), all.filter((r) => r.receivedAt < cursor).slice(0, 2).map((r) => r.id));
      });

      it('limit defaults to 100', async (store) => {
        for (let i = 0; i < 105; i += 15) {
          await Promise.all(Array.from({ length: Math.min(15, 105 - i) }, () => store.claim(newId(), meta())));
        }
        const records = await store.list();
        assert.equal(records.length, 100);
        assertListOrder(records);
        assert.equal((await store.list({ limit: 200 })).length, 105);
      });
    });

    describeIn('purge', () => {
      it('deletes records older than the cutoff, never processing ones, and returns the count', async (store) => {
        const done = newId();
        const failed = newId();
        const dead = newId();
        const busy = newId();
        const c1 = await store.claim(done, meta());
        await store.complete(done, c1.token);
        const c2 = await store.claim(failed, meta());
        await store.fail(failed, c2.token, 'boom', 5);
        const c3 = await store.claim(dead, meta());
        await store.fail(dead, c3.token, 'boom', 1);
        await store.claim(busy, meta());
        assert.equal(await store.purge(3_600_000), 0, 'nothing is an hour old');
        await sleep(300);
        const mid = Date.now();
        const fresh = newId();
        const c4 = await store.claim(fresh, meta());
        await store.complete(fresh, c4.token);
        // A cutoff ~150 ms before `mid`, anchored there rather than on the last
        // write, so a slow fsync or a loaded machine cannot make `fresh` old.
        assert.equal(await store.purge(Date.now() - mid + 150), 3);
        assert.equal(await store.get(done), null);
        assert.equal(await store.get(failed), null);
        assert.equal(await store.get(dead), null);
        assert.equal((await store.get(busy)).status, 'processing');
        assert.equal((await store.get(fresh)).status, 'completed');
        assert.deepEqual((await store.list()).map((r) => r.id).sort(), [busy, fresh].sort());
        // A purged event is new again.
        assertAcquired(await store.claim(done, meta()), 1);
      });
    });

    describeIn('concurrency', () => {
      it('N concurrent claims of one event: exactly one acquired, the rest in_progress', async (store) => {
        const id = newId();
        const claims = await Promise.all(Array.from({ length: 32 }, () => store.claim(id, meta())));
        assert.equal(claims.filter((c) => c.status === 'acquired').length, 1);
        assert.equal(claims.filter((c) => c.status === 'in_progress').length, 31);
        assert.equal((await store.get(id)).attempts, 1);
      });

      it('N concurrent claims after a lease expired: exactly one takes over', async (store) => {
        const id = newId();
        await store.claim(id, meta({ leaseMs: SHORT_LEASE_MS }));
        await sleep(AFTER_SHORT_LEASE_MS);
        const claims = await Promise.all(Array.from({ length: 16 }, () => store.claim(id, meta())));
        const acquired = claims.filter((c) => c.status === 'acquired');
        assert.equal(acquired.length, 1);
        assert.equal(acquired[0].attempt, 2);
        assert.equal((await store.get(id)).attempts, 2);
      });

      it('concurrent claims of different events all acquire', async (store) => {
        const ids = Array.from({ length: 24 }, () => newId());
        const claims = await Promise.all(ids.map((id) => store.claim(id, meta())));
        claims.forEach((c) => assertAcquired(c, 1));
        assert.equal(new Set(claims.map((c) => c.token)).size, ids.length, 'tokens are unique');
      });

      it('a complete racing a duplicate claim: the claim sees processing or duplicate, never acquires', async (store) => {
        const id = newId();
        const first = await store.claim(id, meta());
        const [completed, ...claims] = await Promise.all([
          store.complete(id, first.token),
          ...Array.from({ length: 8 }, () => store.claim(id, meta())),
        ]);
        assert.equal(completed, true);
        for (const c of claims) assert.ok(['in_progress', 'duplicate'].includes(c.status), c.status);
      });
    });

    describeIn('argument rules (the same in every store)', () => {
      // [call, error class, what the message must name]. Every store applies
      // lib/stores/store-args.js before any I/O, so the answers are identical.
      const m = { type: 'invoice.paid', created: 1_700_000_000, leaseMs: 60_000 };
      const long = 'é'.repeat(128); // 256 bytes of UTF-8 in 128 characters
      const cases = [
        [(s) => s.claim('', m), 'RangeError', /eventId must be 1 to 255 bytes of UTF-8, got 0/],
        [(s) => s.claim(long, m), 'RangeError', /eventId must be 1 to 255 bytes of UTF-8, got 256/],
        [(s) => s.claim(42, m), 'TypeError', /eventId must be a string, got a number/],
        [(s) => s.claim('evt_1'), 'TypeError', /meta must be an object/],
        [(s) => s.claim('evt_1', { ...m, type: '' }), 'RangeError', /meta\.type must be 1 to 255 bytes/],
        [(s) => s.claim('evt_1', { ...m, type: undefined }), 'TypeError', /meta\.type must be a string/],
        [(s) => s.claim('evt_1', { ...m, created: undefined }), 'TypeError', /meta\.created must be an integer/],
        [(s) => s.claim('evt_1', { ...m, created: 1.5 }), 'TypeError', /meta\.created/],
        [(s) => s.claim('evt_1', { ...m, leaseMs: undefined }), 'TypeError', /meta\.leaseMs must be an integer/],
        [(s) => s.claim('evt_1', { ...m, leaseMs: 0 }), 'RangeError', /meta\.leaseMs must be at least 1/],
        [(s) => s.claim('evt_1', { ...m, leaseMs: 1.5 }), 'TypeError', /meta\.leaseMs/],
        [(s) => s.claim('evt_1', { ...m, leaseMs: 1e300 }), 'TypeError', /meta\.leaseMs/],
        [(s) => s.claim('evt_1', { ...m, objectId: '' }), 'RangeError', /meta\.objectId must be 1 to 255 bytes/],
        [(s) => s.claim('evt_1', { ...m, objectId: 5 }), 'TypeError', /meta\.objectId must be a string/],
        [(s) => s.claim('evt_1', { ...m, payload: 5 }), 'TypeError', /meta\.payload/],
        [(s) => s.complete('evt_1', 5), 'TypeError', /token must be a string/],
        [(s) => s.fail('evt_1', 'tok', 42, 3), 'TypeError', /error must be a string, got a number/],
        [(s) => s.fail('evt_1', 'tok', 'x', 0), 'RangeError', /maxAttempts must be at least 1/],
        [(s) => s.fail('evt_1', 'tok', 'x', 1.5), 'TypeError', /maxAttempts must be an integer/],
        [(s) => s.lastApplied(''), 'RangeError', /objectId must be 1 to 255 bytes/],
        [(s) => s.markApplied('sub_1', 1.5, 'evt_1'), 'TypeError', /created must be an integer/],
        [(s) => s.markApplied('sub_1', 1, long), 'RangeError', /eventId must be 1 to 255 bytes/],
        [(s) => s.get(long), 'RangeError', /eventId/],
        [(s) => s.requeue(''), 'RangeError', /eventId/],
        [(s) => s.list('x'), 'TypeError', /query must be an object/],
        [(s) => s.list({ status: 'done' }), 'TypeError', /query\.status must be one of processing, completed, failed, dead_lettered, got "done"/],
        [(s) => s.list({ stauts: 'failed' }), 'TypeError', /unknown list query option "stauts"/],
        [(s) => s.list({ type: '' }), 'RangeError', /query\.type must be 1 to 255 bytes/],
        [(s) => s.list({ before: '1' }), 'TypeError', /query\.before/],
        [(s) => s.list({ limit: 0 }), 'RangeError', /query\.limit must be at least 1/],
        [(s) => s.list({ limit: 10_001 }), 'RangeError', /query\.limit must be at most 10000/],
        [(s) => s.list({ limit: 1.5 }), 'TypeError', /query\.limit must be an integer/],
        [(s) => s.purge(-1), 'RangeError', /olderThanMs must be at least 0/],
        [(s) => s.purge(1.5), 'TypeError', /olderThanMs must be an integer/],
        [(s) => s.purge(), 'TypeError', /olderThanMs/],
      ];
      it('a bad argument is refused with the same error class and message in every store', async (store) => {
        for (const [call, name, message] of cases) {
          await assert.rejects(call(store), (err) => {
            assert.equal(err.name, name, `${call}: ${err.message}`);
            assert.match(err.message, message, String(call));
            return true;
          });
        }
      });

      it('the widest accepted arguments work: 255-byte keys and types, fractional before, limit 10000', async (store) => {
        const id = `${'€'.repeat(84)}abc`; // 255 bytes of UTF-8
        const objectId = `sub_${'ü'.repeat(125)}a`; // 255 bytes
        const type = 't'.repeat(255);
        const claim = await store.claim(id, { ...m, type, objectId });
        assertAcquired(claim, 1);
        assert.equal(await store.complete(id, claim.token), true);
        const record = await store.get(id);
        assert.equal(record.id, id);
        assert.equal(record.type, type);
        assert.equal(record.objectId, objectId);
        await store.markApplied(objectId, 1_700_000_000, id);
        assert.equal(await store.lastApplied(objectId), 1_700_000_000);
        const listed = await store.list({ type, limit: 10_000 });
        assert.deepEqual(listed.map((r) => r.id), [id]);
        // receivedAt is whole ms: before = receivedAt + 0.5 includes it, receivedAt itself does not.
        assert.deepEqual((await store.list({ type, before: record.receivedAt + 0.5 })).map((r) => r.id), [id]);
        assert.deepEqual(await store.list({ type, before: record.receivedAt }), []);
      });
    });

    describeIn('fail and lastError', () => {
      it('lastError is the message cut to 2048 bytes of valid UTF-8, on a character boundary (a 3 MiB error)', async (store) => {
        // 3 MiB of 1-, 2-, 3- and 4-byte characters, so a cut at byte 2048 could split one.
        const unit = 'a€é😀'; // 1 + 3 + 2 + 4 bytes
        const huge = unit.repeat(Math.ceil((3 * 1024 * 1024) / 10));
        for (const text of [huge, `x${huge}`, `xy${huge}`, `xyz${huge}`]) {
          const id = newId();
          const claim = await store.claim(id, meta());
          await store.fail(id, claim.token, text, 5);
          const { lastError } = await store.get(id);
          const bytes = new TextEncoder().encode(lastError);
          assert.ok(bytes.length <= MAX_LAST_ERROR_BYTES, `lastError is ${bytes.length} bytes`);
          assert.ok(bytes.length > MAX_LAST_ERROR_BYTES - 4, `cut at a character boundary, not shorter: ${bytes.length} bytes`);
          assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(bytes), lastError, 'valid UTF-8');
          assert.ok(text.startsWith(lastError), 'a prefix of the message');
          assert.equal((await store.list({ status: 'failed', limit: 10_000 })).find((r) => r.id === id).lastError, lastError);
        }
        const id = newId();
        const claim = await store.claim(id, meta());
        const exact = 'é'.repeat(MAX_LAST_ERROR_BYTES / 2); // exactly 2048 bytes: kept whole
        await store.fail(id, claim.token, exact, 5);
        assert.equal((await store.get(id)).lastError, exact);
      });
    });

    describeIn('the ordering marker (markApplied, every store)', () => {
      // The marker is a max register: marks commute, so concurrent markApplied
      // calls for one object never lose the newest `created`, in any order, and
      // lastApplied never moves back while they run. A lastApplied read followed
      // by a markApplied is still no atomic check-and-mark: that is the optional
      // atomic ordering capability, checked in its own block below.
      it('two events racing on one object: the newer created wins whatever the order', async (store) => {
        for (const [first, second] of [[100, 200], [200, 100], [150, 150]]) {
          const objectId = newId('sub');
          const a = newId();
          const b = newId();
          await Promise.all([store.markApplied(objectId, 1_700_000_000 + first, a), store.markApplied(objectId, 1_700_000_000 + second, b)]);
          assert.equal(await store.lastApplied(objectId), 1_700_000_000 + Math.max(first, second));
        }
      });

      it('many concurrent marks of one object: the newest is kept and lastApplied only moves forward', async (store) => {
        const objectId = newId('sub');
        const created = Array.from({ length: 40 }, (_, i) => 1_700_000_000 + ((i * 7919) % 40));
        const readers = Array.from({ length: 8 }, () => []);
        await Promise.all([
          ...created.map((c) => store.markApplied(objectId, c, newId())),
          ...readers.map(async (seen) => {
            for (let i = 0; i < 4; i++) seen.push(await store.lastApplied(objectId));
          }),
        ]);
        assert.equal(await store.lastApplied(objectId), Math.max(...created));
        // Each reader's reads, one after another, never see the marker move back (null = no mark yet).
        for (const seen of readers) {
          for (let i = 1; i < seen.length; i++) {
            assert.ok(seen[i - 1] === null || (seen[i] !== null && seen[i] >= seen[i - 1]), `lastApplied moved back: ${seen.join(', ')}`);
          }
          for (const value of seen) assert.ok(value === null || created.includes(value), String(value));
        }
      });
    });

    // Optional capabilities (docs/stores.md): each block runs only for stores that have it.
    atomicOrderingContract({ describeIn, itWith, assert, assertAcquired, newId, meta, sleep, SHORT_LEASE_MS, AFTER_SHORT_LEASE_MS });

    if (retention) {
      describeIn('retention (retentionMs, without purge)', () => {
        testIn('a finished record and an ordering marker past retentionMs disappear on their own; a processing one stays', async () => {
          // A store with the testing clock hook is aged by it (far past its
          // sweep interval: SqliteStore sweeps every ten minutes); any other
          // store really waits a few short retention periods (sweeps run at
          // most every min(retentionMs, 60 s)).
          const probe = await create();
          const hasClock = typeof probe[ADVANCE_CLOCK] === 'function';
          await destroy(probe);
          const retentionMs = hasClock ? 60_000 : SHORT_RETENTION_MS;
          const store = await create({ retentionMs });
          try {
            const done = newId();
            const dead = newId();
            const busy = newId();
            const objectId = newId('sub');
            const c1 = await store.claim(done, meta());
            await store.complete(done, c1.token);
            const c2 = await store.claim(dead, meta());
            await store.fail(dead, c2.token, 'boom', 1);
            await store.claim(busy, meta({ leaseMs: Number.MAX_SAFE_INTEGER }));
            await store.markApplied(objectId, 1_700_000_000, done);
            assert.equal((await store.get(done)).status, 'completed', 'kept while young');
            if (hasClock) store[ADVANCE_CLOCK](11 * 60 * 1000);
            else await sleep(SHORT_RETENTION_MS * 3);
            // Retention runs on its own: the next claims sweep (no purge call).
            const fresh = newId();
            const c3 = await store.claim(fresh, meta());
            await store.complete(fresh, c3.token);
            assert.equal(await store.get(done), null, 'a completed record past retention is gone');
            assert.equal(await store.get(dead), null, 'a dead-lettered record past retention is gone');
            assert.equal(await store.lastApplied(objectId), null, 'an ordering marker past retention is gone');
            assert.equal((await store.get(busy)).status, 'processing', 'a record in progress is never deleted by retention');
            assert.equal((await store.get(fresh)).status, 'completed');
            assert.deepEqual((await store.list()).map((r) => r.id).sort(), [busy, fresh].sort());
            assertAcquired(await store.claim(done, meta()), 1); // gone means new again
          } finally {
            await destroy(store);
          }
        });
      });
    }

    describeIn('errors (one class, one code vocabulary)', () => {
      testIn('after close(), every operation rejects with a StoreError HOOKWISE_STORE_CLOSED', async () => {
        const store = await create();
        try {
          const claim = await store.claim(newId(), meta());
          await store.close();
          const id = newId();
          const calls = {
            claim: (s) => s.claim(id, meta()),
            complete: (s) => s.complete(id, claim.token),
            fail: (s) => s.fail(id, claim.token, 'x', 1),
            lastApplied: (s) => s.lastApplied('sub_1'),
            markApplied: (s) => s.markApplied('sub_1', 1, id),
            get: (s) => s.get(id),
            list: (s) => s.list(),
            requeue: (s) => s.requeue(id),
            purge: (s) => s.purge(0),
          };
          for (const [method, call] of Object.entries(calls)) {
            await assert.rejects(call(store), (err) => {
              assert.ok(err instanceof StoreError, `${method}: a StoreError, got ${err && err.name}: ${err && err.message}`);
              assert.equal(err.name, 'StoreError');
              assert.equal(err.code, 'HOOKWISE_STORE_CLOSED', method);
              assert.match(err.message, /^hookwise/);
              return true;
            });
          }
        } finally {
          await destroy(store);
        }
      });

      if (unreachable) {
        testIn('a store whose backend fails rejects every operation with a StoreError of the vocabulary, never a result', async () => {
          const store = await unreachable();
          try {
            const calls = [
              (s) => s.claim(newId(), meta()),
              (s) => s.complete(newId(), 'tok'),
              (s) => s.fail(newId(), 'tok', 'x', 1),
              (s) => s.lastApplied('sub_1'),
              (s) => s.markApplied('sub_1', 1, newId()),
              (s) => s.get(newId()),
              (s) => s.list(),
              (s) => s.requeue(newId()),
              (s) => s.purge(0),
            ];
            for (const call of calls) {
              await assert.rejects(call(store), (err) => {
                assert.ok(err instanceof StoreError, `${call}: a StoreError, got ${err && err.name}: ${err && err.message}`);
                assert.ok(STORE_ERROR_CODES.includes(err.code), `${call}: ${err.code}`);
                assert.notEqual(err.code, 'HOOKWISE_STORE_CLOSED');
                assert.match(err.message, /^hookwise/);
                return true;
              });
            }
          } finally {
            await store.close();
          }
        });
      }
    });

    // Optional capability (docs/stores.md, "Transactional claims"): only for a
    // store that has claimInTransaction; the others skip these cases.
    describeIn('capability: transactional claims (claimInTransaction)', () => {
      const itTx = (title, fn) =>
        test(`${prefix}${title}`, { skip: (!describe && skip) || false }, (t) =>
          withStore(async (store) => {
            if (typeof store.claimInTransaction !== 'function') {
              if (t && typeof t.skip === 'function') t.skip(`${name} has no claimInTransaction`);
              return;
            }
            await fn(store);
          }),
        );
      const txAcquired = (claim, attempt) => {
        assertAcquired(claim, attempt);
        assert.equal(typeof claim.transaction, 'object');
        assert.equal(typeof claim.transaction.context, 'object');
        return claim.transaction;
      };

      itTx('commit records the completion: later claims of either kind are duplicates', async (store) => {
        const id = newId();
        const tx = txAcquired(await store.claimInTransaction(id, meta()), 1);
        assert.equal(await tx.commit(null), true);
        const record = await store.get(id);
        assert.deepEqual([record.status, record.attempts], ['completed', 1]);
        assert.deepEqual(await store.claimInTransaction(id, meta()), { status: 'duplicate', attempt: 1 });
        assert.equal((await store.claim(id, meta())).status, 'duplicate');
      });

      itTx('rollback leaves nothing: the next claim is attempt 1 again', async (store) => {
        const id = newId();
        await txAcquired(await store.claimInTransaction(id, meta()), 1).rollback();
        const record = await store.get(id);
        assert.ok(record === null || record.status !== 'completed', 'not completed');
        await txAcquired(await store.claimInTransaction(id, meta()), 1).commit(null);
      });

      itTx('fail records the attempt and lastError; at maxAttempts the event is dead-lettered', async (store) => {
        const id = newId();
        const first = await txAcquired(await store.claimInTransaction(id, meta()), 1).fail('boom', 2);
        assert.deepEqual([first.deadLettered, first.attempt, first.stale], [false, 1, undefined]);
        const record = await store.get(id);
        assert.deepEqual([record.status, record.attempts, record.lastError], ['failed', 1, 'boom']);
        const second = await txAcquired(await store.claimInTransaction(id, meta()), 2).fail('boom again', 2);
        assert.deepEqual([second.deadLettered, second.attempt], [true, 2]);
        assert.deepEqual(await store.claimInTransaction(id, meta()), { status: 'dead_lettered', attempt: 2 });
        assert.equal(await store.requeue(id), true);
        await txAcquired(await store.claimInTransaction(id, meta()), 1).rollback();
      });

      itTx('a claim of either kind while the transaction is open does not acquire; after commit it is a duplicate', async (store) => {
        const id = newId();
        const tx = txAcquired(await store.claimInTransaction(id, meta()), 1);
        // Either answered at once (in_progress) or after the transaction ends (duplicate).
        const concurrent = store.claimInTransaction(id, meta());
        const plain = store.claim(id, meta());
        const settled = Promise.all([concurrent, plain]);
        await sleep(50);
        await tx.commit(null);
        const [a, b] = await settled;
        assert.ok(['in_progress', 'duplicate'].includes(a.status), a.status);
        assert.ok(['in_progress', 'duplicate'].includes(b.status), b.status);
        assert.equal(a.transaction, undefined);
        assert.equal(b.token, undefined);
      });

      itTx('a live lease of a plain claim answers in_progress; an expired one is taken over', async (store) => {
        const id = newId();
        const held = await store.claim(id, meta({ leaseMs: SHORT_LEASE_MS }));
        assertAcquired(held, 1);
        assert.equal((await store.claimInTransaction(id, meta())).status, 'in_progress');
        await sleep(AFTER_SHORT_LEASE_MS);
        await txAcquired(await store.claimInTransaction(id, meta()), 2).commit(null);
        assert.equal(await store.complete(id, held.token), false, 'the old token lost the event');
      });

      itTx('commit with an ordering mark moves lastApplied in the same transaction', async (store) => {
        const id = newId();
        const objectId = newId('obj');
        const tx = txAcquired(await store.claimInTransaction(id, meta({ objectId })), 1);
        assert.equal(await tx.lastApplied(objectId), null);
        await tx.commit({ objectId, created: 1_700_000_123 });
        assert.equal(await store.lastApplied(objectId), 1_700_000_123);
      });
    });

    // Optional capability (docs/stores.md, "billing state"): run only for stores that have it.
    describeIn('capability: billing state (billingGet, billingFind, billingPut)', () => {
      const billingIt = (title, fn) =>
        test(`${prefix}${title}`, { skip: (!describe && skip) || false }, (t) =>
          withStore(async (store) => {
            if (!BILLING_METHODS.every((m) => typeof store[m] === 'function')) {
              if (t && typeof t.skip === 'function') t.skip('this store has no billing-state capability');
              return;
            }
            await fn(store);
          }),
        );
      const doc = (overrides = {}) => ({ record: '{"v":1}', userId: null, updatedAt: 1_700_000_000_000, ...overrides });
      const assertDocument = (got, expected) => {
        assert.ok(got && typeof got === 'object', `expected a document, got ${JSON.stringify(got)}`);
        assert.deepEqual(
          { customerId: got.customerId, userId: got.userId, record: got.record, version: got.version, updatedAt: got.updatedAt },
          expected,
        );
      };

      billingIt('an unknown customer or user reads null', async (store) => {
        assert.equal(await store.billingGet(newId('cus')), null);
        assert.equal(await store.billingFind({ userId: newId('user') }), null);
      });

      billingIt('a first put expects version 0 and stores version 1; the document reads back exactly', async (store) => {
        const customerId = newId('cus');
        const record = JSON.stringify({ v: 1, note: 'caf\u00e9 \u{1F600}', pad: 'x'.repeat(100_000) });
        assert.equal(await store.billingPut(customerId, doc({ record, userId: 'user_1' }), 0), 1);
        assertDocument(await store.billingGet(customerId), { customerId, userId: 'user_1', record, version: 1, updatedAt: 1_700_000_000_000 });
      });

      billingIt('compare-and-set: a put whose expectedVersion is not the stored one writes nothing and answers null', async (store) => {
        const customerId = newId('cus');
        assert.equal(await store.billingPut(customerId, doc({ record: '"a"' }), 0), 1);
        assert.equal(await store.billingPut(customerId, doc({ record: '"b"' }), 0), null);
        assert.equal(await store.billingPut(customerId, doc({ record: '"c"' }), 2), null);
        assert.equal((await store.billingGet(customerId)).record, '"a"');
        assert.equal(await store.billingPut(customerId, doc({ record: '"d"', updatedAt: 1_700_000_000_001 }), 1), 2);
        assertDocument(await store.billingGet(customerId), { customerId, userId: null, record: '"d"', version: 2, updatedAt: 1_700_000_000_001 });
        assert.equal(await store.billingPut(newId('cus'), doc(), 1), null, 'a customer with no document is at version 0');
      });

      billingIt('of concurrent puts at the same expected version exactly one wins', async (store) => {
        const customerId = newId('cus');
        assert.equal(await store.billingPut(customerId, doc(), 0), 1);
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.billingPut(customerId, doc({ record: `"${i}"` }), 1)));
        assert.deepEqual(results.filter((r) => r !== null), [2]);
        const winner = results.indexOf(2);
        assert.equal((await store.billingGet(customerId)).record, `"${winner}"`);
      });

      billingIt('billingFind answers the newest document linked to the user; ties go to the smallest customer id', async (store) => {
        const userId = newId('user');
        const [a, b, c] = ['cus_a', 'cus_b', 'cus_c'].map((p) => `${p}${newId('')}`);
        assert.equal(await store.billingPut(b, doc({ userId, updatedAt: 2000, record: '"b"' }), 0), 1);
        assert.equal(await store.billingPut(c, doc({ userId, updatedAt: 1000, record: '"c"' }), 0), 1);
        assert.equal((await store.billingFind({ userId })).customerId, b);
        assert.equal(await store.billingPut(a, doc({ userId, updatedAt: 2000, record: '"a"' }), 0), 1);
        assertDocument(await store.billingFind({ userId }), { customerId: a, userId, record: '"a"', version: 1, updatedAt: 2000 });
        assert.equal(await store.billingPut(c, doc({ userId, updatedAt: 3000, record: '"c2"' }), 1), 2);
        assert.equal((await store.billingFind({ userId })).customerId, c);
      });

      billingIt('relinking a customer to another user (or to none) moves it out of the old user in the same put', async (store) => {
        const customerId = newId('cus');
        const [u1, u2] = [newId('user'), newId('user')];
        assert.equal(await store.billingPut(customerId, doc({ userId: u1 }), 0), 1);
        assert.equal((await store.billingFind({ userId: u1 })).customerId, customerId);
        assert.equal(await store.billingPut(customerId, doc({ userId: u2 }), 1), 2);
        assert.equal(await store.billingFind({ userId: u1 }), null);
        assert.equal((await store.billingFind({ userId: u2 })).version, 2);
        assert.equal(await store.billingPut(customerId, doc({ userId: null }), 2), 3);
        assert.equal(await store.billingFind({ userId: u2 }), null);
        assert.equal((await store.billingGet(customerId)).userId, null);
      });

      billingIt('a conflicting put leaves the user index as it was', async (store) => {
        const customerId = newId('cus');
        const [u1, u2] = [newId('user'), newId('user')];
        assert.equal(await store.billingPut(customerId, doc({ userId: u1 }), 0), 1);
        assert.equal(await store.billingPut(customerId, doc({ userId: u2 }), 0), null);
        assert.equal(await store.billingFind({ userId: u2 }), null);
        assert.equal((await store.billingFind({ userId: u1 })).customerId, customerId);
      });

      billingIt('billing documents are state, not bookkeeping: purge never deletes them', async (store) => {
        const customerId = newId('cus');
        assert.equal(await store.billingPut(customerId, doc({ updatedAt: 0 }), 0), 1);
        await store.purge(0);
        assert.equal((await store.billingGet(customerId)).version, 1);
      });

      billingIt('bad arguments are refused before the backend is touched', async (store) => {
        await assert.rejects(async () => store.billingGet(''), RangeError);
        await assert.rejects(async () => store.billingGet(42), TypeError);
        await assert.rejects(async () => store.billingFind({}), TypeError);
        await assert.rejects(async () => store.billingFind('user_1'), TypeError);
        await assert.rejects(async () => store.billingPut('cus_1', { ...doc(), record: {} }, 0), TypeError);
        await assert.rejects(async () => store.billingPut('cus_1', doc(), -1), RangeError);
        await assert.rejects(async () => store.billingPut('cus_1', doc(), 1.5), TypeError);
        await assert.rejects(async () => store.billingPut('cus_1', doc({ userId: '' }), 0), RangeError);
        await assert.rejects(async () => store.billingPut('cus_1', doc({ record: 'x'.repeat(1024 * 1024 + 1) }), 0), RangeError);
      });
    });

    if (constructorOptions) {
      describeIn('constructor options (the same rules in every store)', () => {
        testIn('an unknown or misspelt option is a TypeError naming it and the known ones; a bad retentionMs is refused', async () => {
          // makeStore(options) passes `options` on to the store's constructor.
          for (const key of ['retentionMS', 'notAnOption']) {
            await assert.rejects(async () => create({ [key]: 1 }), (err) => {
              assert.equal(err.name, 'TypeError', err.message);
              assert.match(err.message, new RegExp(`^hookwise: unknown \\w+ option "${key}" \\(expected [^)]*\\bretentionMs\\b[^)]*\\)$`));
              return true;
            });
          }
          await assert.rejects(async () => create({ retentionMs: 0 }), { name: 'RangeError', message: /retentionMs must be at least 1/ });
          await assert.rejects(async () => create({ retentionMs: 1.5 }), { name: 'TypeError', message: /retentionMs must be an integer/ });
          const store = await create({ retentionMs: 86_400_000 });
          await destroy(store);
        });
      });
    }

    // Optional capability (docs/stores.md, "Optional store capabilities"): pending payloads, for
    // delivery: 'ack-first'. Run for stores with savePayload/loadPayload; skipped for the others.
    describeIn('pending payloads (optional: savePayload, loadPayload, deletePayload, due)', () => {
      const capable = async (t, fn) => {
        const store = await create();
        try {
          if (typeof store.savePayload !== 'function' || typeof store.loadPayload !== 'function') {
            if (t && typeof t.skip === 'function') t.skip('this store has no savePayload/loadPayload');
            return;
          }
          await fn(store);
        } finally {
          await destroy(store);
        }
      };
      const bytesOf = (value) => (value === null ? null : Array.from(value));
      const utf8 = (text) => Array.from(new TextEncoder().encode(text));

      testIn('the first body saved for an unfinished event is kept exactly; unknown events have none', (t) =>
        capable(t, async (store) => {
          const id = newId();
          assertAcquired(await store.claim(id, meta()), 1);
          const body = '{"id":"' + id + '","object":"event","note":"ü \u2028"}';
          await store.savePayload(id, body);
          await store.savePayload(id, 'a later, different body');
          assert.deepEqual(bytesOf(await store.loadPayload(id)), utf8(body));
          const unknown = newId('evt_unknown');
          await store.savePayload(unknown, 'no record, no body');
          assert.equal(await store.loadPayload(unknown), null);
          const finished = newId('evt_finished');
          const done = await store.claim(finished, meta());
          await store.complete(finished, done.token);
          await store.savePayload(finished, 'too late');
          assert.equal(await store.loadPayload(finished), null, 'a completed event takes no body');
          const binary = newId();
          await store.claim(binary, meta());
          await store.savePayload(binary, new Uint8Array([0, 255, 10, 128]));
          assert.deepEqual(bytesOf(await store.loadPayload(binary)), [0, 255, 10, 128]);
        }));

      testIn('deletePayload drops the body of a completed event only', (t) =>
        capable(t, async (store) => {
          if (typeof store.deletePayload !== 'function') return;
          const id = newId();
          const claim = await store.claim(id, meta());
          await store.savePayload(id, 'body');
          await store.deletePayload(id);
          assert.deepEqual(bytesOf(await store.loadPayload(id)), utf8('body'), 'still processing: kept');
          assert.equal(await store.complete(id, claim.token), true);
          await store.deletePayload(id);
          assert.equal(await store.loadPayload(id), null);
        }));

      testIn('due() lists failed events and expired leases with their payloads, oldest first; not live, completed or bodiless ones', (t) =>
        capable(t, async (store) => {
          if (typeof store.due !== 'function') return;
          const failed = newId('evt_failed');
          const c1 = await store.claim(failed, meta());
          await store.savePayload(failed, 'failed body');
          await store.fail(failed, c1.token, 'boom', 5);
          const expired = newId('evt_expired');
          await store.claim(expired, meta({ leaseMs: SHORT_LEASE_MS }));
          await store.savePayload(expired, 'expired body');
          const live = newId('evt_live');
          await store.claim(live, meta());
          await store.savePayload(live, 'live body');
          const done = newId('evt_done');
          const c4 = await store.claim(done, meta());
          await store.savePayload(done, 'done body');
          await store.complete(done, c4.token);
          const bodiless = newId('evt_bodiless');
          const c5 = await store.claim(bodiless, meta());
          await store.fail(bodiless, c5.token, 'boom', 5);
          await sleep(AFTER_SHORT_LEASE_MS);
          const due = await store.due({ limit: 100 });
          // Oldest received first, ties (the same millisecond) by id.
          const order = (await Promise.all([failed, expired].map((id) => store.get(id))))
            .sort((x, y) => x.receivedAt - y.receivedAt || (x.id < y.id ? -1 : 1))
            .map((r) => r.id);
          assert.deepEqual(due.map((r) => r.id), order);
          const bodies = { [failed]: 'failed body', [expired]: 'expired body' };
          for (const record of due) {
            assertRecordShape(record);
            assert.deepEqual(bytesOf(record.payload), utf8(bodies[record.id]));
          }
          assert.deepEqual((await store.due({ limit: 1 })).map((r) => r.id), order.slice(0, 1));
        }));
    });

    describeIn('close', () => {
      testIn('close resolves, and a second close resolves too', async () => {
        const store = await create();
        try {
          await store.claim(newId(), meta());
          assert.equal(await store.close(), undefined);
          await store.close();
        } finally {
          if (options.destroy) await options.destroy(store);
        }
      });
    });
  });
}


module.exports = { runStoreContract, SHORT_LEASE_MS, AFTER_SHORT_LEASE_MS, LONG_LEASE_MS, SHORT_RETENTION_MS };
