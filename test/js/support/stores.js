'use strict';
// Real stores for the handler tests, each wrapped so a test can count the
// calls the handler made (the store itself runs unchanged).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MemoryStore, SqliteStore } = require('../../../lib');

const METHODS = ['claim', 'complete', 'fail', 'lastApplied', 'markApplied', 'get', 'list', 'requeue', 'purge', 'close'];

function counted(store) {
  const calls = Object.fromEntries(METHODS.map((m) => [m, 0]));
  const wrapper = { calls, inner: store };
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

const STORES = {
  MemoryStore: () => counted(new MemoryStore()),
  SqliteStore: () => counted(new SqliteStore({ path: tmpDb(), durability: 'normal' })),
};

module.exports = { STORES, counted, tmpDb };
