'use strict';
// The shared Store contract (test/js/support/store-contract.js) over the
// native stores: MemoryStore, and SqliteStore at both durabilities, each test
// on a fresh database file.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after } = require('node:test');
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
