'use strict';
// The shared Store contract (test/js/support/store-contract.js) over the
// portable SqliteStore on bun:sqlite, run by Bun's own test runner
// (`bun test`), which implements node:test's describe/test.
// Started by test/js/runtimes.test.js; not a node:test file itself.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { storeContract } = require('../js/support/store-contract');
const { SqliteStore } = require('../../lib/stores/portable-sqlite-store');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-bun-contract-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

const probe = new SqliteStore({ path: path.join(dir, 'probe.db') });
if (probe.driver !== 'bun:sqlite') throw new Error(`expected bun:sqlite, got ${probe.driver}`);

storeContract('portable SqliteStore on bun:sqlite (durability full)', {
  create: async (options) => new SqliteStore({ path: path.join(dir, `full-${++n}.db`), ...options }),
  unreachable: () => new SqliteStore({ path: path.join(dir, 'missing', 'deeper', 'events.db') }),
});
storeContract('portable SqliteStore on bun:sqlite (durability normal, keepPayloads)', {
  create: async (options) => new SqliteStore({ path: path.join(dir, `normal-${++n}.db`), durability: 'normal', keepPayloads: true, ...options }),
});
