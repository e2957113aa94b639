'use strict';
// The shared Store contract (test/js/support/store-contract.js) over the
// embedded stores: MemoryStore of each implementation (native, and the
// portable one in JS), and the native SqliteStore at both durabilities, each
// test on a fresh database file. (The portable SqliteStore has its own file.)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { after, test } = require('node:test');
const { storeContract } = require('./support/store-contract');
const { SqliteStore } = require('../..');
const { ENGINES } = require('./support/engines');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-contract-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

for (const { name, hookwise } of ENGINES) {
  storeContract(`MemoryStore (${name})`, { create: async (options) => new hookwise.MemoryStore(options) });
}
// The handler tests' ReferenceStore (the portable MemoryStore with a steerable clock), held to the same contract.
const { ReferenceStore } = require('./support/reference-store');
storeContract('ReferenceStore (handler tests)', { create: async (options) => new ReferenceStore(options) });
// A file in a directory that does not exist (two levels down): every operation fails to open it.
const unopenable = () => new SqliteStore({ path: path.join(dir, 'missing', 'deeper', 'events.db') });
storeContract('SqliteStore (durability full)', {
  create: async (options) => new SqliteStore({ path: path.join(dir, `full-${++n}.db`), ...options }),
  unreachable: unopenable,
});
storeContract('SqliteStore (durability normal, keepPayloads)', {
  create: async (options) => new SqliteStore({ path: path.join(dir, `normal-${++n}.db`), durability: 'normal', keepPayloads: true, ...options }),
});

// Behind the JS argument rules (which refuse 1e300), the addon must still be
// defined for every number it is handed: it clamps values beyond int64 and the
// core's time sums saturate. Before, 1e300 converted to int64 was undefined
// behaviour and now + leaseMs overflowed — both found by the store fuzzer.
const native = require('../../lib/native');
for (const [name, create] of [
  ['NativeMemoryStore', () => new native.NativeMemoryStore(null, 1000, 1e300)],
  ['NativeSqliteStore', () => new native.NativeSqliteStore(path.join(dir, `huge-${++n}.db`), 1e300, 'normal', false)],
]) {
  test(`${name}: leaseMs, retentionMs and purge ages of ±1e300 ms are clamped, not undefined behaviour`, async () => {
    const store = create();
    try {
      const first = await store.claim('evt_forever', 'invoice.paid', 1_700_000_000, null, 1e300, null);
      assert.equal(first.status, 'acquired');
      assert.equal((await store.claim('evt_forever', 'invoice.paid', 1_700_000_000, null, 1, null)).status, 'in_progress');
      assert.equal(await store.complete('evt_forever', first.token), true);
      assert.equal(await store.purge(1e300), 0, 'nothing is that old');
      assert.equal((await store.list(null, null, 1e300, 100)).length, 1);
      assert.equal((await store.list(null, null, -1e300, 100)).length, 0);
      assert.equal(await store.purge(-1e300), 1, 'a cutoff past every record');
    } finally {
      await store.close();
    }
  });
}

// A native store's failure reaches the caller as a StoreError made in lib
// after the await, so its stack names the code that called the store (the
// native error's own stack has no JS frames above the addon).
for (const [name, create] of [
  ['MemoryStore', () => new (require('../..').MemoryStore)()],
  ['SqliteStore', () => new SqliteStore({ path: path.join(dir, `stack-${++n}.db`) })],
]) {
  test(`${name}: a closed store's claim and complete reject with a StoreError whose stack is the caller's`, async () => {
    const { StoreError } = require('../..');
    const store = create();
    await store.close();
    async function callerOfClaim() {
      return await store.claim('evt_stack', { type: 't', created: 1, leaseMs: 1000 });
    }
    async function callerOfComplete() {
      return await store.complete('evt_stack', 'a'.repeat(32));
    }
    for (const [call, caller] of [[callerOfClaim, 'callerOfClaim'], [callerOfComplete, 'callerOfComplete']]) {
      const err = await call().then(() => assert.fail('resolved'), (e) => e);
      assert.ok(err instanceof StoreError, `${caller}: ${err}`);
      assert.equal(err.code, 'HOOKWISE_STORE_CLOSED');
      assert.match(err.stack, new RegExp(caller));
    }
  });
}
