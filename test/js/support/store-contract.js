'use strict';
// The Store contract suite is hookwise/testing (lib/testing.js, required here
// through the package's own exports), the exported
// one users run over their own stores; the repo's tests run exactly it.
//
//   storeContract('RedisStore', {
//     create: async (options) => new RedisStore({ client, prefix: uniquePrefix(), ...options }),
//     destroy: async (store) => { ... },   // optional; default: store.close()
//     unreachable: () => store,            // optional: a store whose backend fails
//     skip: 'reason',                      // optional; skips the whole suite, printing the reason
//   });
//
// `create(options)` must return a store holding no records (its own file, key
// prefix or table) and pass `options` on to the store's constructor.

const { runStoreContract, SHORT_LEASE_MS, AFTER_SHORT_LEASE_MS, LONG_LEASE_MS } = require('hookwise/testing');

function storeContract(name, { create, ...options }) {
  if (typeof create !== 'function') throw new TypeError('storeContract needs options.create');
  runStoreContract(create, { name, ...options });
}

module.exports = { storeContract, SHORT_LEASE_MS, AFTER_SHORT_LEASE_MS, LONG_LEASE_MS };
