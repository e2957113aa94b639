'use strict';
// PostgresStore against a real PostgreSQL started on 127.0.0.1 by the tests
// (test/js/support/services.js).

const { before, after, describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const { PostgresStore } = require('../../lib/stores/postgres-store');
const { storeContract } = require('./support/store-contract');
const services = require('./support/services');

const skip = services.unavailable('postgres') ?? false;
let postgres = null;
let pool = null;

before(async () => {
  if (skip) return;
  postgres = await services.startPostgres();
  const { Pool } = require('pg');
  pool = new Pool({ connectionString: postgres.connectionString, max: 20 });
  pool.on('error', () => {}); // idle clients dropped by a server restart
});
after(async () => {
  if (pool) await pool.end();
  if (postgres) await postgres.stop();
});

const uniqueTable = () => `hw_test_${randomBytes(6).toString('hex')}`;

async function dropTables(table) {
  await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_applied", "${table}_billing"`);
}

describe('PostgresStore', { skip }, () => {
  storeContract('PostgresStore', {
    create: async (options) => new PostgresStore({ pool, table: uniqueTable(), ...options }),
    // A pool of a server that is gone (a port nobody listens on).
    unreachable: async () => {
      const { Pool } = require('pg');
      const gone = new Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2000 });
      gone.on('error', () => {});
      const store = new PostgresStore({ pool: gone, table: uniqueTable() });
      const close = store.close.bind(store);
      store.close = async () => {
        await close();
        await gone.end();
      };
      return store;
    },
    destroy: async (store) => {
      await store.close();
      await dropTables(store._table);
    },
  });

  test('tables are created once when many stores start at the same moment', async () => {
    const table = uniqueTable();
    const stores = Array.from({ length: 8 }, () => new PostgresStore({ pool, table }));
    const claims = await Promise.all(stores.map((s) => s.claim('evt_same', { type: 't', created: 1, leaseMs: 60_000 })));
    assert.equal(claims.filter((c) => c.status === 'acquired').length, 1);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ($1, $2)', [table, `${table}_applied`]);
    assert.equal(rows[0].n, 2);
    await dropTables(table);
  });

  test('a store starting beside a complete schema runs no DDL (its table locks would deadlock with running traffic)', async () => {
    const table = uniqueTable();
    const first = new PostgresStore({ pool, table });
    await first.claim('evt_first', { type: 't', created: 1, leaseMs: 60_000 });
    const seen = [];
    let connects = 0;
    const watched = {
      query: (text, ...rest) => {
        seen.push(typeof text === 'string' ? text : text.text);
        return pool.query(text, ...rest);
      },
      connect: (...args) => {
        connects += 1;
        return pool.connect(...args);
      },
    };
    const second = new PostgresStore({ pool: watched, table });
    assert.equal((await second.get('evt_first')).status, 'processing');
    assert.equal(connects, 0, 'no DDL transaction');
    assert.deepEqual(seen.filter((q) => /\b(CREATE|ALTER)\b/.test(q)), []);
    await first.close();
    await second.close();
    await dropTables(table);
  });

  test('schemaSql gives the DDL for migrations; createTables: false uses it as is', async () => {
    const table = uniqueTable();
    const ddl = PostgresStore.schemaSql(table);
    assert.match(ddl, new RegExp(`CREATE TABLE IF NOT EXISTS "${table}"`));
    await pool.query(ddl);
    const store = new PostgresStore({ pool, table, createTables: false });
    assert.equal((await store.claim('evt_1', { type: 't', created: 1, leaseMs: 60_000 })).status, 'acquired');
    assert.match(PostgresStore.schemaSql(), /"hookwise_events"/);
    await dropTables(table);
  });

  test('tables created before atomic ordering are migrated on first use and keep their markers', async () => {
    const table = uniqueTable();
    // The tables as hookwise created them before atomic ordering (its first release).
    await pool.query(`CREATE TABLE "${table}" (id text PRIMARY KEY, type text NOT NULL, created bigint NOT NULL, object_id text,
      status text NOT NULL, attempts integer NOT NULL, last_error text, received_at bigint NOT NULL, updated_at bigint NOT NULL,
      token text, lease_until bigint)`);
    await pool.query(`CREATE TABLE "${table}_applied" (object_id text PRIMARY KEY, created bigint NOT NULL, event_id text NOT NULL, updated_at bigint NOT NULL)`);
    await pool.query(`INSERT INTO "${table}_applied" VALUES ('sub_old', 1700000100, 'evt_old', $1)`, [Date.now()]);
    const store = new PostgresStore({ pool, table });
    assert.equal(store.atomicOrdering, true);
    assert.equal(await store.lastApplied('sub_old'), 1_700_000_100);
    const order = (created, rank, objectId = 'sub_old') => ({ type: 't', created, objectId, leaseMs: 60_000, order: { objectId, created, rank } });
    assert.equal((await store.claim('evt_older', order(1_700_000_050, 0))).status, 'stale');
    const c = await store.claim('evt_newer', order(1_700_000_200, 3));
    assert.equal(c.status, 'acquired');
    assert.equal((await store.claim('evt_blocked', order(1_700_000_300, 0))).status, 'blocked');
    assert.equal(await store.complete('evt_newer', c.token), true);
    assert.equal(await store.lastApplied('sub_old'), 1_700_000_200);
    // A slot on an object without a marker yet is not a marker.
    assert.equal((await store.claim('evt_fresh', order(1_700_000_000, 0, 'sub_fresh'))).status, 'acquired');
    assert.equal(await store.lastApplied('sub_fresh'), null);
    await dropTables(table);
  });

  test('with a bare client (no pool.connect) the store has no atomic ordering', () => {
    const store = new PostgresStore({ pool: { query: async () => ({ rows: [] }) } });
    assert.equal(store.atomicOrdering, false);
  });

  test('a schema-qualified table works', async () => {
    const schema = `hw_schema_${randomBytes(4).toString('hex')}`;
    const store = new PostgresStore({ pool, table: `${schema}.events` });
    assert.equal((await store.claim('evt_1', { type: 't', created: 1, leaseMs: 60_000 })).status, 'acquired');
    assert.equal((await store.get('evt_1')).status, 'processing');
    await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  });

  test('table names that are not plain identifiers are refused before any SQL', () => {
    for (const table of ['events; DROP TABLE x', 'a"b', '1abc', '', 'a.b.c', 'x'.repeat(41), 'ev-ents', 'événements']) {
      assert.throws(() => new PostgresStore({ pool, table }), TypeError, table);
    }
    assert.throws(() => new PostgresStore({ pool, table: 42 }), TypeError);
    assert.throws(() => new PostgresStore({}), /needs \{ pool \}/);
    assert.throws(() => new PostgresStore({ pool, tabel: 'events' }), {
      name: 'TypeError',
      message: 'hookwise: unknown PostgresStore option "tabel" (expected pool, table, createTables, retentionMs)',
    });
  });

  test('close() leaves the pool open for its owner', async () => {
    const store = new PostgresStore({ pool, table: uniqueTable() });
    await store.claim('evt_1', { type: 't', created: 1, leaseMs: 60_000 });
    await store.close();
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
    await assert.rejects(store.get('evt_1'), /after close/);
    await dropTables(store._table);
  });
});
