'use strict';
// The shared Store contract (test/js/support/store-contract.js) over the
// native stores: MemoryStore, and SqliteStore at both durabilities, each test
// on a fresh database file.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { after, test } = require('node:test');
const { storeContract } = require('./support/store-contract');
const { MemoryStore, SqliteStore } = require('../..');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-contract-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('MemoryStore', { create: async () => new MemoryStore() });
storeContract('SqliteStore (durability full)', {
  create: async () => new SqliteStore({ path: path.join(dir, `full-${++n}.db`) }),
});
storeContract('SqliteStore (durability normal, keepPayloads)', {
  create: async () => new SqliteStore({ path: path.join(dir, `normal-${++n}.db`), durability: 'normal', keepPayloads: true }),
});

// The native stores accept any finite duration (the distributed ones only safe
// integers); the addon clamps what exceeds int64 and the core's time sums
// saturate. 1e300 converted to int64 was undefined behaviour, and
// now + leaseMs overflowed — both found by the store fuzzer.
for (const [name, create] of [
  ['MemoryStore', () => new MemoryStore({ retentionMs: 1e300 })],
  ['SqliteStore', () => new SqliteStore({ path: path.join(dir, `huge-${++n}.db`), retentionMs: 1e300 })],
]) {
  test(`${name}: leaseMs, retentionMs and purge ages of 1e300 ms mean "forever"`, async () => {
    const store = create();
    try {
      const meta = { type: 'invoice.paid', created: 1_700_000_000, leaseMs: 1e300 };
      const first = await store.claim('evt_forever', meta);
      assert.equal(first.status, 'acquired');
      assert.equal((await store.claim('evt_forever', { ...meta, leaseMs: 1 })).status, 'in_progress');
      assert.equal(await store.complete('evt_forever', first.token), true);
      await store.markApplied('sub_1', 1_700_000_000, 'evt_forever');
      assert.equal(await store.purge(1e300), 0);
      assert.equal((await store.get('evt_forever')).status, 'completed');
      assert.equal(await store.lastApplied('sub_1'), 1_700_000_000);
      assert.equal((await store.list({ before: 1e300 })).length, 1);
      assert.equal((await store.list({ before: -1e300 })).length, 0);
    } finally {
      await store.close();
    }
  });
}
