'use strict';
// Real stores for the handler tests, each wrapped so a test can count the
// calls the handler made (the store itself runs unchanged). storesFor(hookwise)
// gives one implementation's stores (its SqliteStore only where it can run:
// the portable one needs node:sqlite or bun:sqlite); STORES are the native ones.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MemoryStore, SqliteStore } = require('../../../lib');

const METHODS = ['claim', 'complete', 'fail', 'lastApplied', 'markApplied', 'get', 'list', 'requeue', 'purge', 'close'];

function counted(store) {
  const calls = Object.fromEntries(METHODS.map((m) => [m, 0]));
  const wrapper = { calls, inner: store };
  // The optional atomic ordering capability, as the store has it (the handler feature-detects it).
  if (store.atomicOrdering === true) wrapper.atomicOrdering = true;
  for (const m of METHODS) {
    wrapper[m] = (...args) => {
      calls[m] += 1;
      return store[m](...args);
    };
  }
  return wrapper;
}

let dir;
let n = 0;
function tmpDb() {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-handler-test-'));
  n += 1;
  return path.join(dir, `events-${n}.db`);
}
process.on('exit', () => dir && fs.rmSync(dir, { recursive: true, force: true }));

function sqliteWorks(Store) {
  try {
    new Store({ path: tmpDb(), durability: 'normal' }).close();
    return true;
  } catch {
    return false;
  }
}

function storesFor(hookwise) {
  const stores = { MemoryStore: () => counted(new hookwise.MemoryStore()) };
  if (sqliteWorks(hookwise.SqliteStore)) {
    stores.SqliteStore = () => counted(new hookwise.SqliteStore({ path: tmpDb(), durability: 'normal' }));
  }
  return stores;
}

const STORES = {
  MemoryStore: () => counted(new MemoryStore()),
  SqliteStore: () => counted(new SqliteStore({ path: tmpDb(), durability: 'normal' })),
};

module.exports = { STORES, storesFor, counted, tmpDb };
