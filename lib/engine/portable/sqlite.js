'use strict';
// The portable SqliteStore (lib/stores/portable-sqlite-store.js: node:sqlite
// or bun:sqlite, the native store's file format), found once. A build of the
// package without that module gets a SqliteStore whose constructor says so and
// names the stores that work everywhere; an error inside the module itself is
// not hidden.

const { invalidArgument } = require('../../args');

let Store;

function isMissing(err) {
  if (!err || typeof err.message !== 'string') return false;
  if (err.code === 'MODULE_NOT_FOUND') return err.message.includes('portable-sqlite-store');
  // A bundle that could not include it: esbuild leaves the require to a shim that throws.
  return err.message.includes('portable-sqlite-store') && /dynamic require|not supported|cannot find/i.test(err.message);
}

function unavailableStore(cause) {
  return class SqliteStore {
    constructor() {
      throw new Error(
        'hookwise: SqliteStore is not available in this build of hookwise/portable ' +
          `(${cause}). Use MemoryStore, RedisStore, PostgresStore or ConvexStore (hookwise/convex).`,
      );
    }
  };
}

function portableSqliteStore() {
  if (Store === undefined) {
    let mod;
    try {
      // A literal path, so that bundlers include the module; inside try, so that
      // esbuild only warns where it is missing.
      mod = require('../../stores/portable-sqlite-store'); // eslint-disable-line global-require
    } catch (err) {
      if (!isMissing(err)) throw err;
      mod = null;
    }
    const found = mod && (mod.SqliteStore || mod.PortableSqliteStore);
    if (found !== undefined && found !== null && typeof found !== 'function') {
      throw invalidArgument('portable-sqlite-store export', 'a class', found);
    }
    Store = found || unavailableStore('lib/stores/portable-sqlite-store.js is missing');
  }
  return Store;
}

module.exports = { portableSqliteStore };
