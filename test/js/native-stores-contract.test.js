'use strict';
// The shared Store contract (test/js/support/store-contract.js) over the
// native stores.
const { storeContract } = require('./support/store-contract');
const { MemoryStore } = require('../..');

storeContract('MemoryStore', { create: async () => new MemoryStore() });
