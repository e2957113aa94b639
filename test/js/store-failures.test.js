'use strict';
// The store-failure suite (test/js/support/store-failures.js) over both
// implementations and their embedded stores (MemoryStore, SqliteStore).
const { ENGINES } = require('./support/engines');
const { storesFor } = require('./support/stores');
const { failureSuite } = require('./support/store-failures');

for (const { name, hookwise } of ENGINES) {
  for (const [storeName, makeStore] of Object.entries(storesFor(hookwise))) {
    failureSuite(`${name} ${storeName}`, hookwise, makeStore);
  }
}
