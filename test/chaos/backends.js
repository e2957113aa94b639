'use strict';
// The store kinds the crash test runs over, each with the app's own database
// holding the ledger (one row per handler effect: event id and run id, no
// unique key, so a repeated effect shows up as a second row):
//   sqlite        SqliteStore in one file shared by the receivers; the ledger is
//                 the app's SQLite database (better-sqlite3, a second file)
//   sqlite + transactional: hookwise/portable's SqliteStore (node:sqlite, so the
//                 receivers run under a registry Node 22), the ledger a table in the
//                 store's own file, written through ctx.db inside the event's transaction
//   redis         RedisStore; the ledger is a list in the same Redis (the app's
//                 database), RPUSH with appendfsync always
//   postgres      PostgresStore; the ledger is a table in the same PostgreSQL,
//                 written through the app's own pool (a separate transaction)
//   postgres + transactional: the ledger row goes through ctx.client, inside
//                 the transaction that holds the claim and commits the completion
//
// Three sides: setup() in the orchestrator (servers, schema, what the receivers
// need as JSON), openReceiverSide() in each receiver (its store and its effect),
// openInspector() in the orchestrator at the end (statuses and ledger rows).
const path = require('node:path');
const services = require('../js/support/services');

const LEDGER_TABLE = 'chaos_ledger';
const STORE_TABLE = 'chaos_events';
const REDIS_PREFIX = 'chaos:';

const KINDS = ['sqlite', 'redis', 'postgres'];

/** Why `kind` cannot run on this machine, or null (services.js decides for the servers). */
function unavailable(kind) {
  if (kind === 'sqlite') return null;
  return services.unavailable(kind);
}

function pgPool(connectionString, max) {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString, max, connectionTimeoutMillis: 5000 });
  // A killed server breaks idle clients; pg emits that on the pool, and an
  // unheard 'error' would crash the process. The next query reconnects.
  pool.on('error', () => {});
  return pool;
}

function redisClient(url) {
  const Redis = require('ioredis');
  const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  client.on('error', () => {});
  return client;
}

function openLedgerDb(file) {
  const Database = require('better-sqlite3');
  const db = new Database(file, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

/** Starts what `kind` needs under `dir`; returns the receivers' config and the server to kill. */
async function setup(kind, dir, { transactional = false, execPath } = {}) {
  if (kind === 'sqlite' && transactional) {
    // The native store makes the file (the format is the same); the app adds its table to it.
    const storePath = path.join(dir, 'app.db');
    const { SqliteStore } = require('../../lib');
    const store = new SqliteStore({ path: storePath });
    await store.get('evt_chaos_warmup');
    await store.close();
    const db = openLedgerDb(storePath);
    db.exec(`CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (event_id TEXT NOT NULL, run_id TEXT NOT NULL)`);
    db.close();
    return { config: { kind, storePath, ledger: storePath, portable: true, execPath }, server: null, stop: async () => {} };
  }
  if (kind === 'sqlite') {
    const ledger = path.join(dir, 'ledger.db');
    const db = openLedgerDb(ledger);
    db.exec(`CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (event_id TEXT NOT NULL, run_id TEXT NOT NULL)`);
    db.close();
    const storePath = path.join(dir, 'events.db');
    // Create the store's file once, so the receivers start on a ready schema.
    const { SqliteStore } = require('../../lib');
    const store = new SqliteStore({ path: storePath });
    await store.get('evt_chaos_warmup');
    await store.close();
    return { config: { kind, storePath, ledger }, server: null, stop: async () => {} };
  }
  if (kind === 'redis') {
    const server = await services.startRedis();
    return { config: { kind, url: server.url }, server, stop: () => server.stop() };
  }
  if (kind === 'postgres') {
    const server = await services.startPostgres();
    const pool = pgPool(server.connectionString, 2);
    try {
      await pool.query(`CREATE TABLE ${LEDGER_TABLE} (event_id text NOT NULL, run_id text NOT NULL)`);
      const { PostgresStore } = require('../../lib/stores/postgres-store');
      await new PostgresStore({ pool, table: STORE_TABLE }).get('evt_chaos_warmup');
    } finally {
      await pool.end();
    }
    return { config: { kind, url: server.connectionString }, server, stop: () => server.stop() };
  }
  throw new Error(`chaos: unknown store kind ${kind} (expected ${KINDS.join(', ')})`);
}

/**
 * In a receiver: { store, writeEffect(eventId, runId, ctx), close }. With
 * `transactional`, the effect goes through ctx.client (the event's transaction).
 */
function openReceiverSide(config, { transactional = false } = {}) {
  if (config.kind === 'sqlite' && transactional) {
    const { SqliteStore } = require('../../lib/portable');
    const store = new SqliteStore({ path: config.storePath });
    const sql = `INSERT INTO ${LEDGER_TABLE} (event_id, run_id) VALUES (?, ?)`;
    return {
      store,
      writeEffect: async (eventId, runId, ctx) => {
        if (!ctx.db) throw new Error('chaos: transactional handler without ctx.db');
        ctx.db.prepare(sql).run(eventId, runId);
      },
      close: () => store.close(),
    };
  }
  if (config.kind === 'sqlite') {
    const { SqliteStore } = require('../../lib');
    const store = new SqliteStore({ path: config.storePath });
    const db = openLedgerDb(config.ledger);
    const insert = db.prepare(`INSERT INTO ${LEDGER_TABLE} (event_id, run_id) VALUES (?, ?)`);
    return {
      store,
      writeEffect: async (eventId, runId) => {
        insert.run(eventId, runId);
      },
      close: async () => {
        await store.close();
        db.close();
      },
    };
  }
  if (config.kind === 'redis') {
    const { RedisStore } = require('../../lib/stores/redis-store');
    const client = redisClient(config.url);
    const store = new RedisStore({ client, prefix: REDIS_PREFIX, timeoutMs: 3000 });
    return {
      store,
      writeEffect: async (eventId, runId) => {
        await client.rpush(`${REDIS_PREFIX}ledger`, `${eventId} ${runId}`);
      },
      close: async () => {
        await store.close();
        client.disconnect();
      },
    };
  }
  if (config.kind === 'postgres') {
    const { PostgresStore } = require('../../lib/stores/postgres-store');
    const pool = pgPool(config.url, 8);
    const store = new PostgresStore({ pool, table: STORE_TABLE });
    const sql = `INSERT INTO ${LEDGER_TABLE} (event_id, run_id) VALUES ($1, $2)`;
    return {
      store,
      writeEffect: async (eventId, runId, ctx) => {
        if (transactional) {
          if (!ctx.client) throw new Error('chaos: transactional handler without ctx.client');
          await ctx.client.query(sql, [eventId, runId]);
        } else {
          await pool.query(sql, [eventId, runId]);
        }
      },
      close: async () => {
        await store.close();
        await pool.end();
      },
    };
  }
  throw new Error(`chaos: unknown store kind ${config.kind}`);
}

/** In the orchestrator, after the run: { statuses(ids), ledgerRows(), close }. */
function openInspector(config) {
  let store;
  let rows;
  let close;
  if (config.kind === 'sqlite') {
    const { SqliteStore } = require('../../lib');
    store = new SqliteStore({ path: config.storePath });
    rows = async () => {
      const db = openLedgerDb(config.ledger);
      try {
        return db.prepare(`SELECT event_id AS eventId, run_id AS runId FROM ${LEDGER_TABLE}`).all();
      } finally {
        db.close();
      }
    };
    close = () => store.close();
  } else if (config.kind === 'redis') {
    const { RedisStore } = require('../../lib/stores/redis-store');
    const client = redisClient(config.url);
    store = new RedisStore({ client, prefix: REDIS_PREFIX });
    rows = async () =>
      (await client.lrange(`${REDIS_PREFIX}ledger`, 0, -1)).map((line) => {
        const [eventId, runId] = line.split(' ');
        return { eventId, runId };
      });
    close = async () => {
      await store.close();
      client.disconnect();
    };
  } else {
    const { PostgresStore } = require('../../lib/stores/postgres-store');
    const pool = pgPool(config.url, 4);
    store = new PostgresStore({ pool, table: STORE_TABLE });
    rows = async () => (await pool.query(`SELECT event_id AS "eventId", run_id AS "runId" FROM ${LEDGER_TABLE}`)).rows;
    close = async () => {
      await store.close();
      await pool.end();
    };
  }
  async function statuses(ids) {
    const out = new Map();
    // A few at a time: the SQLite writer batches them, the servers see a small pool.
    for (let i = 0; i < ids.length; i += 64) {
      const chunk = ids.slice(i, i + 64);
      const records = await Promise.all(chunk.map((id) => store.get(id)));
      chunk.forEach((id, j) => out.set(id, records[j] ? records[j].status : 'missing'));
    }
    return out;
  }
  return { statuses, ledgerRows: rows, close };
}

module.exports = { KINDS, unavailable, setup, openReceiverSide, openInspector };
