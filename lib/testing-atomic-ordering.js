'use strict';
// hookwise/testing's cases for the optional atomic ordering capability
// (docs/stores.md, "Optional store capabilities: atomic ordering"), run by
// runStoreContract (lib/testing.js) for every store whose `atomicOrdering` is
// true: claim(eventId, { ...meta, order: { objectId, created, rank } }) checks
// the object's marker and takes its ordering slot in one atomic step, and the
// completion sets the marker and frees the slot in one store operation.

const CREATED = 1_700_000_000;

function atomicOrderingContract(c) {
  const { describeIn, itWith, assert, assertAcquired, newId, meta, sleep, SHORT_LEASE_MS, AFTER_SHORT_LEASE_MS } = c;
  const capable = (store) => store.atomicOrdering === true;
  const it = (title, fn) => itWith(capable, title, fn);
  const ordered = (objectId, created, rank = 0, overrides = {}) =>
    meta({ type: 'customer.subscription.updated', objectId, created, order: { objectId, created, rank }, ...overrides });

  // What a delivery does with a claim: on acquired it "applies" the event
  // (records it) and completes; on blocked it tries again; stale and the rest
  // end it. Resolves the final claim status.
  async function deliver(store, id, m, applied) {
    for (;;) {
      const claim = await store.claim(id, m);
      if (claim.status === 'blocked') {
        await sleep(2);
        continue;
      }
      if (claim.status === 'acquired') {
        applied.push(m.order);
        assert.equal(await store.complete(id, claim.token), true);
      }
      return claim.status;
    }
  }

  const key = (o) => `${o.created}/${o.rank}`;
  const beats = (a, b) => a.created > b.created || (a.created === b.created && a.rank > b.rank);

  describeIn('atomic ordering (optional capability: atomicOrdering)', () => {
    it('an ordered claim acquires, and its completion sets the marker in the same operation', async (store) => {
      const objectId = newId('sub');
      const id = newId();
      const claim = await store.claim(id, ordered(objectId, CREATED + 10, 3));
      assertAcquired(claim, 1);
      assert.equal(await store.lastApplied(objectId), null, 'no marker before the completion');
      assert.equal(await store.complete(id, claim.token), true);
      assert.equal(await store.lastApplied(objectId), CREATED + 10);
      assert.equal((await store.get(id)).status, 'completed');
    });

    it('newer first: the older event is stale, recorded completed (attempt 1), and a redelivery is a duplicate', async (store) => {
      const objectId = newId('sub');
      const [older, newer] = [newId(), newId()];
      const b = await store.claim(newer, ordered(objectId, CREATED + 200));
      await store.complete(newer, b.token);
      const a = await store.claim(older, ordered(objectId, CREATED + 100));
      assert.deepEqual({ status: a.status, attempt: a.attempt }, { status: 'stale', attempt: 1 });
      assert.equal(a.token, undefined, 'a stale claim has no token');
      const record = await store.get(older);
      assert.equal(record.status, 'completed');
      assert.equal(record.attempts, 1);
      assert.equal((await store.claim(older, ordered(objectId, CREATED + 100))).status, 'duplicate');
      assert.equal(await store.lastApplied(objectId), CREATED + 200, 'a stale event does not move the marker');
    });

    it('older first: the newer event is blocked while the older holds the slot, then applies after it', async (store) => {
      const objectId = newId('sub');
      const [older, newer] = [newId(), newId()];
      const a = await store.claim(older, ordered(objectId, CREATED + 100));
      assertAcquired(a, 1);
      const blocked = await store.claim(newer, ordered(objectId, CREATED + 200));
      assert.equal(blocked.status, 'blocked');
      assert.equal(blocked.token, undefined);
      assert.equal(blocked.attempt, 0, 'a blocked claim records nothing');
      assert.equal(await store.get(newer), null, 'a blocked claim records nothing');
      await store.complete(older, a.token);
      const b = await store.claim(newer, ordered(objectId, CREATED + 200));
      assertAcquired(b, 1);
      await store.complete(newer, b.token);
      assert.equal(await store.lastApplied(objectId), CREATED + 200);
    });

    it('two events racing on one object, in both orders and concurrently: an older one never applies after a newer one', async (store) => {
      for (const [first, second] of [[100, 200], [200, 100]]) {
        const objectId = newId('sub');
        const applied = [];
        // Concurrent: both claims in flight at once, each retrying while blocked.
        const statuses = await Promise.all([
          deliver(store, newId(), ordered(objectId, CREATED + first), applied),
          deliver(store, newId(), ordered(objectId, CREATED + second), applied),
        ]);
        assert.ok(applied.length >= 1, 'the newer one applies');
        assert.equal(applied[applied.length - 1].created, CREATED + 200, `the newer one applies last: ${applied.map(key)}`);
        if (applied.length === 2) assert.equal(applied[0].created, CREATED + 100);
        else assert.ok(statuses.includes('stale'), `the older one is stale: ${statuses}`);
        assert.equal(await store.lastApplied(objectId), CREATED + 200);
      }
    });

    it('many events racing on one object: what applies is strictly increasing and ends with the newest', async (store) => {
      const objectId = newId('sub');
      const orders = Array.from({ length: 12 }, (_, i) => ({ created: CREATED + ((i * 5) % 7), rank: i % 3 }));
      const applied = [];
      const statuses = await Promise.all(orders.map((o) => deliver(store, newId(), ordered(objectId, o.created, o.rank), applied)));
      for (let i = 1; i < applied.length; i++) {
        assert.ok(!beats(applied[i - 1], applied[i]), `applied out of order: ${applied.map(key).join(', ')}`);
      }
      const newest = orders.reduce((m, o) => (beats(o, m) ? o : m));
      assert.equal(key(applied[applied.length - 1]), key(newest));
      assert.equal(statuses.filter((s) => s === 'acquired').length, applied.length);
      assert.ok(statuses.every((s) => s === 'acquired' || s === 'stale'), statuses.join(', '));
      assert.equal(await store.lastApplied(objectId), newest.created);
    });

    it('same second: a higher lifecycle rank makes a lower one stale; the lower one first lets the higher apply; equal ranks both apply', async (store) => {
      const objectId = newId('sub');
      const pastDue = newId();
      const p = await store.claim(pastDue, ordered(objectId, CREATED, 4));
      await store.complete(pastDue, p.token);
      assert.equal((await store.claim(newId(), ordered(objectId, CREATED, 3))).status, 'stale', 'a late active (3) after past_due (4)');
      const same = newId();
      const s = await store.claim(same, ordered(objectId, CREATED, 4));
      assertAcquired(s, 1);
      await store.complete(same, s.token);
      const other = newId('sub');
      const [low, high] = [newId(), newId()];
      const l = await store.claim(low, ordered(other, CREATED, 1));
      assertAcquired(l, 1);
      await store.complete(low, l.token);
      const h = await store.claim(high, ordered(other, CREATED, 6));
      assertAcquired(h, 1);
      await store.complete(high, h.token);
      assert.equal((await store.claim(newId(), ordered(other, CREATED, 5))).status, 'stale', 'the marker keeps rank 6');
    });

    it('fail and dead-lettering release the slot; the failed event can take it again', async (store) => {
      const objectId = newId('sub');
      const [a, b] = [newId(), newId()];
      const first = await store.claim(a, ordered(objectId, CREATED + 100));
      assert.equal((await store.claim(b, ordered(objectId, CREATED + 200))).status, 'blocked');
      assert.deepEqual(await store.fail(a, first.token, 'boom', 5), { deadLettered: false, attempt: 1 });
      const second = await store.claim(b, ordered(objectId, CREATED + 200));
      assertAcquired(second, 1);
      assert.equal((await store.claim(a, ordered(objectId, CREATED + 100))).status, 'blocked', 'now b holds it');
      const dead = await store.fail(b, second.token, 'boom', 1);
      assert.equal(dead.deadLettered, true);
      const retry = await store.claim(a, ordered(objectId, CREATED + 100));
      assertAcquired(retry, 2);
      await store.complete(a, retry.token);
      assert.equal(await store.lastApplied(objectId), CREATED + 100, 'a failed event sets no marker');
    });

    it('the slot ends with its lease: another event takes it, and the late completion does not move the marker back', async (store) => {
      const objectId = newId('sub');
      const [a, b] = [newId(), newId()];
      const first = await store.claim(a, ordered(objectId, CREATED + 100, 0, { leaseMs: SHORT_LEASE_MS }));
      assertAcquired(first, 1);
      assert.equal((await store.claim(b, ordered(objectId, CREATED + 200))).status, 'blocked');
      await sleep(AFTER_SHORT_LEASE_MS);
      const second = await store.claim(b, ordered(objectId, CREATED + 200));
      assertAcquired(second, 1);
      assert.equal(await store.complete(b, second.token), true);
      // a's handler ran past its lease, but nobody took a over: its completion counts, the marker stays b's.
      assert.equal(await store.complete(a, first.token), true);
      assert.equal(await store.lastApplied(objectId), CREATED + 200);
    });

    it('the marker only moves forward, with markApplied and ordered completions mixed', async (store) => {
      const objectId = newId('sub');
      await store.markApplied(objectId, CREATED + 200, newId());
      assert.equal((await store.claim(newId(), ordered(objectId, CREATED + 100))).status, 'stale', 'markApplied counts as a marker');
      const id = newId();
      const c = await store.claim(id, ordered(objectId, CREATED + 300, 2));
      await store.complete(id, c.token);
      await store.markApplied(objectId, CREATED + 250, newId());
      assert.equal(await store.lastApplied(objectId), CREATED + 300);
      assert.equal((await store.claim(newId(), ordered(objectId, CREATED + 300, 1))).status, 'stale', 'the rank was kept');
    });

    it('objects are independent, and an unordered claim neither takes nor waits for a slot', async (store) => {
      const [x, y] = [newId('sub'), newId('sub')];
      const a = await store.claim(newId(), ordered(x, CREATED + 100));
      assertAcquired(a, 1);
      assertAcquired(await store.claim(newId(), ordered(y, CREATED + 50)), 1);
      assertAcquired(await store.claim(newId(), meta({ objectId: x })), 1);
    });

    it('a bad meta.order is refused like any bad argument', async (store) => {
      const objectId = newId('sub');
      await assert.rejects(store.claim(newId(), meta({ order: { objectId, created: CREATED } })), { name: 'TypeError', message: /meta\.order\.rank must be an integer/ });
      await assert.rejects(store.claim(newId(), meta({ order: { objectId, created: CREATED, rank: -1 } })), { name: 'RangeError', message: /meta\.order\.rank/ });
      await assert.rejects(store.claim(newId(), meta({ order: { objectId: '', created: CREATED, rank: 0 } })), { name: 'RangeError', message: /meta\.order\.objectId/ });
      await assert.rejects(store.claim(newId(), meta({ order: { objectId, created: CREATED, rank: 0, rnak: 1 } })), { name: 'TypeError', message: /unknown meta\.order option "rnak"/ });
    });
  });
}

module.exports = { atomicOrderingContract };
