'use strict';
// The stores the ack-first tests run on, made from a plain description so that a child
// process (test/js/support/ack-first-receiver.js) opens the same store as the test:
//   { kind: 'sqlite', path }                 native SqliteStore, keepPayloads
//   { kind: 'portable-sqlite', path }        hookwise/portable's SqliteStore (node:sqlite), keepPayloads
//   { kind: 'postgres', connectionString, table }
//   { kind: 'redis', url, prefix }           ioredis
// open(description) resolves { store, close } (close also ends the client it made).
/** The entry a store kind belongs to (its handler is created from the same one). */
const entryFor = (d) => require(d.kind === 'portable-sqlite' ? '../../../lib/portable' : '../../../lib');

async function openStore(d) {
  if (d.kind === 'sqlite') {
    const { SqliteStore } = require('../../../lib');
    const store = new SqliteStore({ path: d.path, keepPayloads: true });
    return { store, close: () => store.close() };
  }
  if (d.kind === 'portable-sqlite') {
    const { SqliteStore } = require('../../../lib/portable');
    const store = new SqliteStore({ path: d.path, keepPayloads: true });
    return { store, close: () => store.close() };
  }
  if (d.kind === 'postgres') {
    const { Pool } = require('pg');
    const { PostgresStore } = require('../../../lib');
    const pool = new Pool({ connectionString: d.connectionString, max: 4 });
    pool.on('error', () => {});
    const store = new PostgresStore({ pool, table: d.table });
    return { store, close: async () => { await store.close(); await pool.end(); } };
  }
  if (d.kind === 'redis') {
    const Redis = require('ioredis');
    const { RedisStore } = require('../../../lib');
    const client = new Redis(d.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    const store = new RedisStore({ client, prefix: d.prefix });
    return { store, close: async () => { await store.close(); await client.quit(); } };
  }
  throw new Error(`unknown store kind ${d.kind}`);
}

module.exports = { openStore, entryFor };
