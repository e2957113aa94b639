'use strict';
// MemoryStore beyond the shared contract: sharing by name (across
// worker_threads for the native store, within one realm for the portable one),
// bounds, bad input, close; once per implementation.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { randomBytes } = require('node:crypto');
const { ENGINES } = require('./support/engines');

const ADVANCE_CLOCK = Symbol.for('hookwise.store.advanceClock');
const meta = (over = {}) => ({ type: 'invoice.paid', created: 1_700_000_000, objectId: 'in_1', leaseMs: 60_000, ...over });
const uniqueName = () => `test-${randomBytes(6).toString('hex')}`;

for (const { name: implementation, hookwise, entry } of ENGINES) describe(implementation, () => {
  const { MemoryStore } = hookwise;
  const isNative = implementation === 'native';

  // Runs `body` (an async function's source, given `store` and `workerData`) in a
  // worker thread on a MemoryStore named `name`; resolves with what it returns.
  function inWorker(name, body, workerData = {}) {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { MemoryStore } = require(${JSON.stringify(entry)});
      const store = new MemoryStore({ name: workerData.name });
      (async (store, workerData) => { ${body} })(store, workerData)
        .then((result) => parentPort.postMessage({ result }), (e) => parentPort.postMessage({ error: e.stack }));`;
    return new Promise((resolve, reject) => {
      const worker = new Worker(code, { eval: true, workerData: { ...workerData, name } });
      let answer;
      worker.once('message', (m) => { answer = m; });
      worker.once('error', reject);
      worker.once('exit', () => (answer?.error ? reject(new Error(answer.error)) : resolve(answer?.result)));
    });
  }

  test('instances with the same name share one store across worker threads', { skip: !isNative && 'the portable MemoryStore is shared within one realm (see below)' }, async () => {
    const name = uniqueName();
    const main = new MemoryStore({ name });
    const claim = await main.claim('evt_main', meta());
    // A worker sees the main thread's claim, and claims events of its own.
    const seen = await inWorker(name, `
      const a = await store.claim('evt_main', { type: 't', created: 1, leaseMs: 60000 });
      const b = await store.claim('evt_worker', { type: 't', created: 1, leaseMs: 60000 });
      await store.complete('evt_worker', b.token);
      return a.status;`);
    assert.equal(seen, 'in_progress');
    // The worker has exited; what it did is still there.
    assert.equal((await main.get('evt_worker')).status, 'completed');
    assert.equal((await main.claim('evt_worker', meta())).status, 'duplicate');
    assert.equal(await main.complete('evt_main', claim.token), true);
    // An unnamed store is private.
    assert.equal(await new MemoryStore().get('evt_worker'), null);
    // So is a store with another name.
    assert.equal(await new MemoryStore({ name: uniqueName() }).get('evt_worker'), null);
  });

  test('four workers claiming the same 400 ids at once acquire each exactly once between them', { skip: !isNative && 'the portable MemoryStore is shared within one realm' }, async () => {
    const name = uniqueName();
    const body = `
      const ids = Array.from({ length: 400 }, (_, i) => 'evt_' + ((i * 7 + workerData.offset) % 400));
      const acquired = [];
      for (const id of ids) {
        const c = await store.claim(id, { type: 't', created: 1, leaseMs: 60000 });
        if (c.status === 'acquired') { acquired.push(id); await store.complete(id, c.token); }
      }
      return acquired;`;
    const results = await Promise.all([0, 1, 2, 3].map((offset) => inWorker(name, body, { offset: offset * 100 })));
    const all = results.flat();
    assert.equal(all.length, 400);
    assert.equal(new Set(all).size, 400);
    const main = new MemoryStore({ name });
    assert.equal((await main.list({ status: 'completed', limit: 1000 })).length, 400);
  });

  test('maxEntries evicts completed records oldest first, never one in progress', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    for (const id of ['evt_1', 'evt_2']) {
      const c = await store.claim(id, meta());
      await store.complete(id, c.token);
      store[ADVANCE_CLOCK](1);
    }
    await store.claim('evt_3', meta());
    await store.claim('evt_4', meta());
    assert.equal(await store.get('evt_1'), null);
    assert.equal((await store.get('evt_2')).status, 'completed');
    await store.claim('evt_5', meta());
    await store.claim('evt_6', meta());
    for (const id of ['evt_3', 'evt_4', 'evt_5', 'evt_6']) assert.equal((await store.get(id)).status, 'processing');
    assert.equal((await store.list()).length, 4);
  });

  test('retentionMs drops finished records once they are older', async () => {
    const store = new MemoryStore({ retentionMs: 1000 });
    const c = await store.claim('evt_old', meta());
    await store.complete('evt_old', c.token);
    await store.claim('evt_busy', meta({ leaseMs: 10_000_000 }));
    store[ADVANCE_CLOCK](120_000);
    await store.claim('evt_new', meta());
    assert.equal(await store.get('evt_old'), null);
    assert.equal((await store.get('evt_busy')).status, 'processing');
  });

  test('a lease expires on the store clock: takeover without sleeping', async () => {
    const store = new MemoryStore();
    const first = await store.claim('evt_1', meta({ leaseMs: 30_000 }));
    assert.equal((await store.claim('evt_1', meta())).status, 'in_progress');
    store[ADVANCE_CLOCK](30_000);
    const second = await store.claim('evt_1', meta());
    assert.equal(second.status, 'acquired');
    assert.equal(second.attempt, 2);
    assert.equal(await store.complete('evt_1', first.token), false);
  });

  test('bad input is rejected with a clear error and stores nothing', async () => {
    const store = new MemoryStore();
    await assert.rejects(store.claim('', meta()), { name: 'RangeError', message: /eventId must be 1 to 255 bytes/ });
    await assert.rejects(store.claim('e'.repeat(256), meta()), { name: 'RangeError', message: /got 256/ });
    await assert.rejects(store.claim('é'.repeat(128), meta()), { name: 'RangeError', message: /got 256/ });
    await assert.rejects(store.claim(42, meta()), { name: 'TypeError', message: /eventId must be a string, got a number/ });
    await assert.rejects(store.claim('evt_1'), { name: 'TypeError', message: /meta must be an object/ });
    await assert.rejects(store.claim('evt_1', meta({ type: 5 })), { name: 'TypeError', message: /meta.type/ });
    await assert.rejects(store.claim('evt_1', meta({ leaseMs: 0 })), { name: 'RangeError', message: /meta.leaseMs must be at least 1/ });
    await assert.rejects(store.claim('evt_1', meta({ created: 1.5 })), { name: 'TypeError', message: /meta.created/ });
    await assert.rejects(store.claim('evt_1', meta({ objectId: '' })), { name: 'RangeError', message: /objectId/ });
    await assert.rejects(store.fail('evt_1', 'tok', 'x', 0), { name: 'RangeError', message: /maxAttempts/ });
    await assert.rejects(store.list({ status: 'done' }), { name: 'TypeError', message: /query.status must be one of/ });
    await assert.rejects(store.list({ limit: -1 }), { name: 'RangeError', message: /query.limit/ });
    await assert.rejects(store.purge(-5), { name: 'RangeError' });
    assert.throws(() => new MemoryStore({ maxEntrie: 5 }), { name: 'TypeError', message: /unknown MemoryStore option "maxEntrie"/ });
    assert.throws(() => new MemoryStore({ maxEntries: 0 }), { name: 'RangeError' });
    assert.throws(() => new MemoryStore({ name: '' }), { name: 'TypeError' });
    assert.deepEqual(await store.list(), []);
    assert.equal((await store.claim('e'.repeat(255), meta())).status, 'acquired');
  });

  test('a long error message is kept cut to 2048 bytes on a character boundary', async () => {
    const store = new MemoryStore();
    const c = await store.claim('evt_1', meta());
    await store.fail('evt_1', c.token, 'é'.repeat(5000), 5);
    const { lastError } = await store.get('evt_1');
    assert.equal(lastError, 'é'.repeat(1024));
  });

  // The addon reads short strings in one pass into a 256-byte buffer and longer ones in two
  // (src/addon/value_conversion.cc ReadUtf8): every length around that edge, ending in a 1- to
  // 4-byte character, must come back whole.
  test('ids and error messages of every length around 256 bytes come back exactly', async () => {
    const store = new MemoryStore();
    for (const last of ['x', 'é', '€', '😀']) {
      for (let bytes = 240; bytes <= 264; bytes++) {
        const text = 'a'.repeat(bytes - Buffer.byteLength(last)) + last;
        const id = bytes <= 255 ? text : `evt_${bytes}_${Buffer.byteLength(last)}`;
        const c = await store.claim(id, meta());
        assert.equal(c.status, 'acquired');
        await store.fail(id, c.token, text, 5);
        const record = await store.get(id);
        assert.equal(record.id, id);
        assert.equal(record.lastError, text);
      }
    }
  });

  test('a closed store rejects every operation; a named store lives on for the others', async () => {
    const name = uniqueName();
    const a = new MemoryStore({ name });
    const b = new MemoryStore({ name });
    const c = await a.claim('evt_1', meta());
    await a.close();
    await a.close();
    await assert.rejects(a.claim('evt_2', meta()), { code: 'HOOKWISE_STORE_CLOSED', message: 'hookwise: the store is closed' });
    await assert.rejects(a.get('evt_1'), { code: 'HOOKWISE_STORE_CLOSED' });
    assert.equal(await b.complete('evt_1', c.token), true);
  });

  test('instances with the same name share one store in this realm; other names and unnamed ones are private', async () => {
    const name = uniqueName();
    const a = new MemoryStore({ name });
    const b = new MemoryStore({ name, maxEntries: 1 }); // options of later instances are ignored
    const c = await a.claim('evt_shared', meta());
    assert.equal((await b.claim('evt_shared', meta())).status, 'in_progress');
    assert.equal(await b.complete('evt_shared', c.token), true);
    assert.equal((await a.get('evt_shared')).status, 'completed');
    await b.claim('evt_second', meta());
    assert.equal((await a.list()).length, 2, 'maxEntries of the first instance (100000) applies');
    assert.equal(await new MemoryStore({ name: uniqueName() }).get('evt_shared'), null);
    assert.equal(await new MemoryStore().get('evt_shared'), null);
    assert.equal(b.name, name);
    assert.equal(new MemoryStore().name, null);
  });
});
