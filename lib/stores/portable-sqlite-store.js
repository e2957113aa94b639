'use strict';
// SqliteStore for the portable implementation (API.md §5 and §7): the
// idempotency bookkeeping in a SQLite file through the runtime's own SQLite,
// `bun:sqlite` in Bun and `node:sqlite` elsewhere (Node 22.13+, Deno). Same
// file format as the native store (lib/stores/sqlite-schema.js: application
// id, schema version, migrations; WAL; busy timeout; synchronous FULL or
// NORMAL), same rules (src/core/store_rules.cc, written again here in JS) and
// the same SQL for every write, so a native and a portable process can share
// one file: SQLite's locking makes each transaction atomic across processes.
//
// Both SQLite bindings are synchronous. Operations submitted in the same turn
// of the event loop (a burst of concurrent deliveries) are run in ONE
// transaction, committed before any of their promises settles (group commit,
// as the native writer thread does); the commit blocks the thread for its
// fsync. A failure at the SQLite level rolls the whole batch back and rejects
// every operation in it.
//
// Nothing happens at construction but the argument checks and looking up the
// SQLite module: no file is touched, no id made, no timer started (workerd and
// build-time evaluation need that). The file (and its directory, one level) is
// opened on the first operation; a failed open is retried by later ones.
// Built-ins are reached through process.getBuiltinModule, never a static
// require, so bundling this module for a browser-like platform succeeds and
// the runtime check below can say what to use instead.

const { isString } = require('../args');
const {
  ADVANCE_CLOCK,
  checkEventId,
  checkObjectId,
  checkToken,
  checkCreated,
  checkClaimMeta,
  checkFailArgs,
  normalizeListQuery,
  checkOlderThan,
  sqliteStoreOptions,
  truncateLastError,
} = require('./store-args');
const { APPLICATION_ID, SCHEMA_VERSION, MIGRATIONS } = require('./sqlite-schema');
const { StoreError } = require('../errors');
const { checkCustomerId, checkBillingFind, checkBillingPut } = require('./billing-args');
const { markerIsNewer } = require('./ordering-rules');

const BUSY_TIMEOUT_MS = 10_000;
// The most operations one transaction takes (as in the native store).
const MAX_BATCH = 512;
// How often a batch first deletes records past retentionMs: once a minute, as every store.
const { SWEEP_INTERVAL_MS } = require('./store-args');
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

const UNAVAILABLE =
  'hookwise: SqliteStore needs node:sqlite (Node 22.13+, Deno) or bun:sqlite (Bun), and this runtime has neither. ' +
  'Use MemoryStore (one process), or RedisStore, PostgresStore or ConvexStore (hookwise/convex) here ' +
  '(in Node, the native hookwise SqliteStore works on every supported version)';

// ---------------------------------------------------------------------------
// The runtime's SQLite, behind one small interface:
//   open(path) -> { exec(sql), prepare(sql) -> { get(...p), all(...p), run(...p) -> changes }, close() }
// Errors are normalised to { rc, message } by sqliteFailure().

function builtin(name) {
  if (typeof process !== 'object' || process === null || typeof process.getBuiltinModule !== 'function') return undefined;
  try {
    return process.getBuiltinModule(name);
  } catch {
    return undefined;
  }
}

function bunDriver(sqlite) {
  return {
    name: 'bun:sqlite',
    open(file) {
      const db = new sqlite.Database(file, { create: true, readwrite: true });
      return {
        raw: db, // what a transactional handler gets as ctx.db
        exec: (sql) => db.exec(sql),
        prepare(sql) {
          const s = db.prepare(sql);
          return {
            get: (...params) => s.get(...params) ?? undefined,
            all: (...params) => s.all(...params),
            run: (...params) => s.run(...params).changes,
          };
        },
        close: () => db.close(),
      };
    },
  };
}

function nodeDriver(sqlite) {
  return {
    name: 'node:sqlite',
    open(file) {
      const db = new sqlite.DatabaseSync(file);
      return {
        raw: db, // what a transactional handler gets as ctx.db
        exec: (sql) => db.exec(sql),
        prepare(sql) {
          const s = db.prepare(sql);
          return {
            get: (...params) => s.get(...params),
            all: (...params) => s.all(...params),
            run: (...params) => Number(s.run(...params).changes),
          };
        },
        close: () => db.close(),
      };
    },
  };
}

function findDriver() {
  if (typeof globalThis.Bun === 'object' && globalThis.Bun !== null) {
    const bun = builtin('bun:sqlite');
    if (bun && typeof bun.Database === 'function') return bunDriver(bun);
  }
  const node = builtin('node:sqlite');
  if (node && typeof node.DatabaseSync === 'function') return nodeDriver(node);
  return null;
}

// SQLite's primary result codes that name a store error (the native
// SqliteError's table, src/core/sqlite_schema.cc).
const SQLITE_CODES = {
  3: ['read_only', ''], // PERM
  5: ['busy', ' (another connection held the lock past the busy timeout)'],
  6: ['busy', ' (another connection held the lock past the busy timeout)'],
  8: ['read_only', ' (the file or its directory is read-only)'],
  10: ['io_error', ''],
  11: ['corrupt', ''],
  13: ['disk_full', ' (no space left on the device)'],
  14: ['cannot_open', ''],
  23: ['read_only', ''], // AUTH
  26: ['not_a_database', ' (the file exists but is not a SQLite database)'],
};

const storeError = (code, message) => new StoreError(`HOOKWISE_STORE_${code.toUpperCase()}`, `hookwise: ${message}`);

// The result code of an error thrown by either binding (node:sqlite: errcode;
// bun:sqlite: errno), or null when it did not come from SQLite.
function resultCode(err) {
  if (err && typeof err.errcode === 'number') return err.errcode;
  if (err && typeof err.errno === 'number' && typeof err.code === 'string' && err.code.startsWith('SQLITE_')) return err.errno;
  return null;
}

function sqliteFailure(err, what, file) {
  if (err && typeof err.code === 'string' && err.code.startsWith('HOOKWISE_STORE_')) return err;
  const rc = resultCode(err);
  if (rc === null) return storeError('internal', `${what}: ${err && err.message}: ${file}`);
  const [code, hint] = SQLITE_CODES[rc & 0xff] ?? ['internal', ''];
  return storeError(code, `${what}: ${err.message}${hint}: ${file}`);
}

// ---------------------------------------------------------------------------
// Small helpers shared with the native rules.

// Integers are bound as BigInt: node:sqlite binds every JS number as REAL.
const int = (n) => (typeof n === 'bigint' ? n : BigInt(n));
const clampInt64 = (n) => (n > INT64_MAX ? INT64_MAX : n < INT64_MIN ? INT64_MIN : n);
const saturatingAdd = (a, b) => clampInt64(int(a) + int(b));
const saturatingSub = (a, b) => clampInt64(int(a) - int(b));

const encoder = new TextEncoder();

function newFencingToken() {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function toBuffer(bytes) {
  const B = globalThis.Buffer ?? builtin('node:buffer')?.Buffer;
  return B ? B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

const payloadBytes = (payload) => (payload === null ? null : isString(payload) ? encoder.encode(payload) : payload);

// ---------------------------------------------------------------------------
// Opening: directory, connection settings, identity and migrations, in the
// order the native store does it (src/core/sqlite_schema.cc).

const ERRNO_TEXT = {
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
};

function prepareDirectory(file) {
  if (file === ':memory:') return;
  const fs = builtin('node:fs');
  const nodePath = builtin('node:path');
  const dir = nodePath.dirname(file);
  if (dir === file || dir === '') return;
  const isDirectory = (p) => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  if (isDirectory(dir)) return;
  if (fs.existsSync(dir)) throw storeError('cannot_open', `${dir} is not a directory`);
  const grandparent = nodePath.dirname(dir);
  if (grandparent !== dir && !isDirectory(grandparent)) {
    throw storeError('cannot_open', `the directory ${dir} does not exist (nor does ${grandparent})`);
  }
  try {
    fs.mkdirSync(dir, { mode: 0o755 });
  } catch (err) {
    if (err.code === 'EEXIST') return;
    const code = ['EROFS', 'EACCES', 'EPERM'].includes(err.code) ? 'read_only' : err.code === 'ENOSPC' ? 'disk_full' : 'cannot_open';
    throw storeError(code, `cannot create the directory ${dir}: ${ERRNO_TEXT[err.code] ?? err.code}`);
  }
}

function readIdentity(conn) {
  const one = (sql) => Number(Object.values(conn.prepare(sql).get())[0]);
  return {
    appId: one('PRAGMA application_id'),
    version: one('PRAGMA user_version'),
    tables: one("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"),
  };
}

const isEmptyIdentity = (id) => id.appId === 0 && id.version === 0 && id.tables === 0;

function checkIdentity(id, file) {
  if (!isEmptyIdentity(id) && id.appId !== APPLICATION_ID) {
    throw storeError('foreign_database', `${file} is a SQLite database that hookwise did not create; give SqliteStore a path of its own`);
  }
}

function migrate(conn, file) {
  const id = readIdentity(conn);
  checkIdentity(id, file);
  if (isEmptyIdentity(id)) conn.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
  if (id.version > SCHEMA_VERSION) {
    throw storeError(
      'schema_too_new',
      `${file} was written by a newer hookwise (schema version ${id.version}, this one knows up to ${SCHEMA_VERSION})`,
    );
  }
  for (let v = id.version + 1; v <= SCHEMA_VERSION; v++) {
    try {
      conn.exec(`${MIGRATIONS[v - 1]}PRAGMA user_version = ${v};`);
    } catch (err) {
      throw sqliteFailure(err, 'cannot create the schema', file);
    }
  }
}

function rollbackQuietly(conn) {
  try {
    conn.exec('ROLLBACK');
  } catch {
    // Not in a transaction (SQLite may already have rolled it back).
  }
}

function openOnce(driver, file, durability) {
  prepareDirectory(file);
  let conn;
  try {
    conn = driver.open(file);
  } catch (err) {
    throw sqliteFailure(err, 'cannot open the database', file);
  }
  const step = (what, fn) => {
    try {
      return fn();
    } catch (err) {
      throw sqliteFailure(err, what, file);
    }
  };
  try {
    step('cannot open the database', () => conn.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`));
    // Identify the file before changing anything in it, in one snapshot.
    step('cannot read the database', () => conn.exec('BEGIN'));
    let id;
    try {
      id = step('cannot read the database', () => readIdentity(conn));
    } finally {
      rollbackQuietly(conn);
    }
    checkIdentity(id, file);
    const mode = step('cannot open the database', () => conn.prepare('PRAGMA journal_mode = WAL').get());
    if (!mode || Object.values(mode)[0] !== 'wal') {
      throw storeError('cannot_open', `cannot switch the database to WAL mode: ${file}`);
    }
    step('cannot configure the database', () =>
      conn.exec(durability === 'full' ? 'PRAGMA synchronous = FULL' : 'PRAGMA synchronous = NORMAL'));
    // Schema check and migration under the write lock: several processes
    // opening a new file at once create it exactly once.
    step('cannot open the database', () => conn.exec('BEGIN IMMEDIATE'));
    try {
      step('cannot create the schema', () => migrate(conn, file));
      step('cannot create the schema', () => conn.exec('COMMIT'));
    } catch (err) {
      rollbackQuietly(conn);
      throw err;
    }
    return conn;
  } catch (err) {
    try {
      conn.close();
    } catch {
      // Closing a connection that failed to set up: nothing more to report.
    }
    throw err;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Opening is idempotent; steps where SQLite does not call the busy handler
// (switching a fresh file to WAL while another process does) are retried
// until the busy timeout has passed, as the native store does.
async function open(driver, file, durability) {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  let pause = 2;
  for (;;) {
    try {
      return openOnce(driver, file, durability);
    } catch (err) {
      if (err.code !== 'HOOKWISE_STORE_BUSY' || Date.now() >= deadline) throw err;
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 50);
  }
}

// ---------------------------------------------------------------------------
// The statements: the native store's SQL (src/core/sqlite_store.cc), with
// the lease comparison done in SQL so lease_expires_at (up to int64's
// largest value) is never read into a JS number.

const RECORD_COLUMNS = 'id, type, created, object_id, status, attempts, last_error, received_at, updated_at, token';
const BILLING_COLUMNS = 'customer_id, user_id, record, version, updated_at';

const SQL = {
  load: `SELECT ${RECORD_COLUMNS}, (?2 < lease_expires_at) AS live, payload IS NOT NULL AS has_payload, ` +
    'order_object_id, order_created, order_rank FROM events WHERE id = ?1',
  get: `SELECT ${RECORD_COLUMNS}, payload FROM events WHERE id = ?1`,
  insert:
    'INSERT INTO events (id, type, created, object_id, status, attempts, last_error, ' +
    'received_at, updated_at, token, lease_expires_at, payload, order_object_id, ' +
    'order_created, order_rank) ' +
    'VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)',
  update:
    'UPDATE events SET status = ?2, attempts = ?3, last_error = ?4, updated_at = ?5, ' +
    'token = ?6, lease_expires_at = ?7, payload = coalesce(payload, ?8), ' +
    'order_object_id = ?9, order_created = ?10, order_rank = ?11 WHERE id = ?1',
  lastApplied: 'SELECT created FROM applied WHERE object_id = ?1',
  // (created, rank) only moves forward (markApplied marks rank 0); every mark renews the age.
  markApplied:
    'INSERT INTO applied (object_id, created, rank, event_id, updated_at) ' +
    'VALUES (?1, ?2, ?5, ?3, ?4) ' +
    'ON CONFLICT (object_id) DO UPDATE SET ' +
    'created = CASE WHEN (applied.created, applied.rank) > (excluded.created, excluded.rank) ' +
    'THEN applied.created ELSE excluded.created END, ' +
    'rank = CASE WHEN (applied.created, applied.rank) > (excluded.created, excluded.rank) ' +
    'THEN applied.rank ELSE excluded.rank END, ' +
    'event_id = CASE WHEN (applied.created, applied.rank) > (excluded.created, excluded.rank) ' +
    'THEN applied.event_id ELSE excluded.event_id END, ' +
    'updated_at = excluded.updated_at',
  // Atomic ordering: the object's marker and slot (the lease compared in SQL, as above).
  loadMark: 'SELECT created, rank FROM applied WHERE object_id = ?1',
  touchMark: 'UPDATE applied SET updated_at = ?2 WHERE object_id = ?1',
  loadSlot: 'SELECT event_id, (?2 < expires_at) AS live FROM ordering_slots WHERE object_id = ?1',
  upsertSlot:
    'INSERT INTO ordering_slots (object_id, event_id, expires_at) VALUES (?1, ?2, ?3) ' +
    'ON CONFLICT (object_id) DO UPDATE SET event_id = excluded.event_id, ' +
    'expires_at = excluded.expires_at',
  deleteSlot: 'DELETE FROM ordering_slots WHERE object_id = ?1 AND event_id = ?2',
  purgeEvents: "DELETE FROM events WHERE received_at < ?1 AND updated_at < ?1 AND status <> 'processing'",
  purgeApplied: 'DELETE FROM applied WHERE updated_at < ?1',
  // Billing state (migration 2), the native store's statements (src/core/sqlite_store.cc).
  billingGet: `SELECT ${BILLING_COLUMNS} FROM billing WHERE customer_id = ?1`,
  billingFind: `SELECT ${BILLING_COLUMNS} FROM billing WHERE user_id = ?1 ORDER BY updated_at DESC, customer_id ASC LIMIT 1`,
  billingInsert:
    'INSERT INTO billing (customer_id, user_id, record, version, updated_at) ' +
    'VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (customer_id) DO NOTHING',
  billingUpdate:
    'UPDATE billing SET user_id = ?2, record = ?3, version = ?4, updated_at = ?5 ' +
    'WHERE customer_id = ?1 AND version = ?6',
  purgeSlots: 'DELETE FROM ordering_slots WHERE expires_at <= ?1',
};

// The order columns of a record (order_object_id, order_created, order_rank): NULL without one.
const orderColumns = (order) => (order ? [order.objectId, int(order.created), int(order.rank)] : [null, null, null]);
const loadedOrder = (row) =>
  row.order_object_id === null || row.order_object_id === undefined
    ? null
    : { objectId: row.order_object_id, created: Number(row.order_created), rank: Number(row.order_rank) };

// One statement per combination of list filters, so each uses its index. A
// status other than 'completed' also states the status index's own condition:
// SQLite uses a partial index only where the query's terms include it (as the
// native store's SqliteListSql does).
function listSql(status, type, before) {
  let sql = `SELECT ${RECORD_COLUMNS}, payload FROM events WHERE 1`;
  if (status !== null) sql += status === 'completed' ? ' AND status = ?1' : " AND status = ?1 AND status <> 'completed'";
  if (type !== null) sql += ' AND type = ?2';
  if (before !== null) sql += ' AND received_at < ?3';
  return `${sql} ORDER BY received_at DESC, id ASC LIMIT ?4`;
}

const READS = new Set(['get', 'list', 'lastApplied', 'billingGet', 'billingFind']);

// ---------------------------------------------------------------------------

class SqliteStore {
  #driver;
  #options;
  #clockOffset = 0;
  #conn = null;
  #statements = new Map();
  #queue = [];
  #draining = false;
  #closing = null;
  #closed = false;
  #nextSweep = 0;
  // Transactional claims (claimInTransaction): the end of the open one, while
  // one holds the connection (batches wait for it), and the tail of the line of
  // those waiting for it.
  #held = null;
  #txTail = Promise.resolve();

  /**
   * @param {{ path?: string, retentionMs?: number, durability?: 'full' | 'normal', keepPayloads?: boolean }} [options]
   */
  constructor(options) {
    const { path: file, retentionMs: retention, durability, keepPayloads } = sqliteStoreOptions(options);
    const driver = findDriver();
    if (driver === null) {
      throw new StoreError('HOOKWISE_STORE_UNAVAILABLE', UNAVAILABLE);
    }
    // Resolved now, so a later process.chdir() does not move the database.
    const resolved = file === ':memory:' ? file : builtin('node:path').resolve(file);
    this.#driver = driver;
    this.#options = { file: resolved, retention, durability, keepPayloads };
    Object.defineProperties(this, {
      path: { value: resolved, enumerable: true },
      durability: { value: durability, enumerable: true },
      keepPayloads: { value: keepPayloads, enumerable: true },
    });
  }

  /** Which SQLite binding this store uses: 'node:sqlite' or 'bun:sqlite'. */
  get driver() {
    return this.#driver.name;
  }

  /** Atomic ordering (docs/stores.md): claim takes meta.order's slot, complete sets the marker. */
  get atomicOrdering() {
    return true;
  }

  async claim(eventId, meta) {
    checkEventId(eventId);
    return this.#submit({ kind: 'claim', id: eventId, meta: checkClaimMeta(meta) });
  }

  async complete(eventId, token) {
    return this.#submit({ kind: 'complete', id: checkEventId(eventId), token: checkToken(token) });
  }

  async fail(eventId, token, error, maxAttempts) {
    checkEventId(eventId);
    checkToken(token);
    checkFailArgs(error, maxAttempts);
    return this.#submit({ kind: 'fail', id: eventId, token, error, maxAttempts });
  }

  async lastApplied(objectId) {
    return this.#submit({ kind: 'lastApplied', id: checkObjectId(objectId) });
  }

  async markApplied(objectId, created, eventId) {
    checkObjectId(objectId);
    checkCreated(created);
    checkEventId(eventId);
    await this.#submit({ kind: 'markApplied', id: objectId, created, eventId });
  }

  async get(eventId) {
    return this.#submit({ kind: 'get', id: checkEventId(eventId) });
  }

  async list(query) {
    return this.#submit({ kind: 'list', query: normalizeListQuery(query) });
  }

  async requeue(eventId) {
    return this.#submit({ kind: 'requeue', id: checkEventId(eventId) });
  }

  async purge(olderThanMs) {
    return this.#submit({ kind: 'purge', olderThanMs: checkOlderThan(olderThanMs) });
  }

  // The billing-state capability (lib/stores/billing-args.js).
  async billingGet(customerId) {
    return this.#submit({ kind: 'billingGet', id: checkCustomerId(customerId) });
  }

  async billingFind(query) {
    return this.#submit({ kind: 'billingFind', id: checkBillingFind(query) });
  }

  async billingPut(customerId, doc, expectedVersion) {
    return this.#submit({ kind: 'billingPut', put: checkBillingPut(customerId, doc, expectedVersion) });
  }

  /**
   * The transactional capability (docs/stores.md, "Optional store capabilities";
   * lib/transactional.js drives it): BEGIN IMMEDIATE on this store's connection,
   * the claim, then the handlers with ctx.db (the connection itself: node:sqlite's
   * DatabaseSync or bun:sqlite's Database), then the completion and COMMIT.
   * While it is open it holds SQLite's write lock on the file: this store's other
   * operations wait for it (a second transactional delivery of any event waits,
   * then sees the first one's outcome), and other processes' writers wait up to
   * the busy timeout. Keep such handlers short (node:sqlite is synchronous anyway).
   */
  async claimInTransaction(eventId, meta) {
    checkEventId(eventId);
    const claimMeta = checkClaimMeta(meta);
    if (this.#closed) throw storeError('closed', 'the store is closed');
    // One transaction at a time on this connection, in arrival order.
    const previous = this.#txTail;
    let endHold;
    const held = new Promise((resolve) => (endHold = resolve));
    this.#txTail = previous.then(() => held);
    await previous;
    while (this.#draining) await this.#drained;
    // From here no batch starts until release(): #drain waits for #held.
    this.#held = held;
    const release = () => {
      this.#held = null;
      endHold();
    };
    const conn = await this.#beginHeld(release);
    let claim;
    try {
      claim = this.#claimOp({ id: eventId, meta: claimMeta });
      if (claim.status === 'acquired') conn.exec('SAVEPOINT hookwise_handlers');
    } catch (err) {
      rollbackQuietly(conn);
      release();
      throw err instanceof StoreError ? err : this.#fail(err, 'cannot record the claim');
    }
    if (claim.status !== 'acquired') {
      rollbackQuietly(conn);
      release();
      return claim;
    }
    const { token } = claim;
    let ended = false;
    // Each ends the transaction exactly once, and lets the waiting operations run.
    const end = (fn) => {
      if (ended) throw new Error('hookwise: this event transaction has already ended');
      ended = true;
      try {
        return fn();
      } catch (err) {
        rollbackQuietly(conn);
        throw err instanceof StoreError ? err : this.#fail(err, 'cannot commit');
      } finally {
        release();
      }
    };
    const transaction = {
      context: Object.freeze({ db: conn.raw }),
      lastApplied: async (objectId) => this.#lastAppliedOp({ id: checkObjectId(objectId) }),
      commit: async (mark) =>
        end(() => {
          // Under the write lock nothing else can take the claim; without a completion
          // (the handlers changed hookwise's own row) the writes must not commit.
          if (!this.#completeOp({ id: eventId, token })) throw storeError('internal', 'the completion matched no claimed row; rolled back');
          if (mark) this.#markAppliedOp({ id: mark.objectId, created: mark.created, eventId });
          conn.exec('COMMIT');
          return true;
        }),
      rollback: async () => {
        if (ended) throw new Error('hookwise: this event transaction has already ended');
        ended = true;
        rollbackQuietly(conn);
        release();
      },
      fail: async (error, maxAttempts) =>
        end(() => {
          conn.exec('ROLLBACK TO SAVEPOINT hookwise_handlers');
          const result = this.#failOp({ id: eventId, token, error, maxAttempts });
          conn.exec('COMMIT');
          return result;
        }),
    };
    return { ...claim, transaction };
  }

  // Opens the connection if needed and starts the held transaction; on failure releases the hold.
  async #beginHeld(release) {
    try {
      if (this.#conn === null) await this.#open();
      this.#sweepIfDue();
      this.#conn.exec('BEGIN IMMEDIATE');
      return this.#conn;
    } catch (err) {
      release();
      throw err instanceof StoreError ? err : this.#fail(err, 'cannot start a transaction');
    }
  }

  /** Commits everything already submitted, then closes the file; the same promise while closing. */
  close() {
    this.#closing ??= (async () => {
      this.#closed = true;
      while (this.#held !== null) await this.#held;
      while (this.#draining) await this.#drained;
      this.#closeConnection();
    })();
    return this.#closing;
  }

  [ADVANCE_CLOCK](ms) {
    this.#clockOffset += ms;
  }

  // -------------------------------------------------------------------------

  #now() {
    return Date.now() + this.#clockOffset;
  }

  #submit(op) {
    if (this.#closed) return Promise.reject(storeError('closed', 'the store is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      if (!this.#draining) {
        this.#draining = true;
        this.#drained = new Promise((done) => {
          queueMicrotask(() => this.#drain().finally(done));
        });
      }
    });
  }

  #drained = null;

  async #drain() {
    try {
      while (this.#queue.length > 0) {
        if (this.#held !== null) {
          // A transactional claim holds the connection (claimInTransaction).
          await this.#held;
          continue;
        }
        if (this.#conn === null) {
          try {
            await this.#open();
          } catch (err) {
            for (const p of this.#queue.splice(0, MAX_BATCH)) p.reject(err);
            continue;
          }
        }
        this.#runBatch(this.#queue.splice(0, MAX_BATCH));
      }
    } finally {
      this.#draining = false;
    }
  }

  async #open() {
    const { file, durability } = this.#options;
    const conn = await open(this.#driver, file, durability);
    this.#statements.clear();
    this.#conn = conn;
    this.#nextSweep = 0;
  }

  #closeConnection() {
    this.#statements.clear();
    if (this.#conn !== null) {
      try {
        this.#conn.close();
      } finally {
        this.#conn = null;
      }
    }
  }

  #statement(sql) {
    let s = this.#statements.get(sql);
    if (s === undefined) {
      s = this.#conn.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  #fail(err, what) {
    return sqliteFailure(err, what, this.#options.file);
  }

  #runBatch(batch) {
    this.#sweepIfDue();
    const readsOnly = batch.every((p) => READS.has(p.op.kind));
    const conn = this.#conn;
    const results = [];
    let abort = null;
    try {
      conn.exec(readsOnly ? 'BEGIN' : 'BEGIN IMMEDIATE');
    } catch (err) {
      abort = this.#fail(err, 'cannot start a transaction');
    }
    if (abort === null) {
      for (const p of batch) {
        try {
          results.push(this.#apply(p.op));
        } catch (err) {
          abort = err;
          break;
        }
      }
      if (abort === null) {
        try {
          conn.exec('COMMIT');
        } catch (err) {
          abort = this.#fail(err, 'cannot commit');
        }
      }
      if (abort !== null) rollbackQuietly(conn);
    }
    batch.forEach((p, i) => (abort === null ? p.resolve(results[i]) : p.reject(abort)));
  }

  // Best effort, in its own transaction: a failure here (another process
  // holds the lock) must not fail the operations that triggered it.
  #sweepIfDue() {
    const now = this.#now();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + SWEEP_INTERVAL_MS;
    const cutoff = saturatingSub(now, this.#options.retention);
    try {
      this.#conn.exec('BEGIN IMMEDIATE');
      this.#statement(SQL.purgeEvents).run(cutoff);
      this.#statement(SQL.purgeApplied).run(cutoff);
      this.#statement(SQL.purgeSlots).run(int(now)); // slots whose lease ended hold nothing
      this.#conn.exec('COMMIT');
    } catch {
      rollbackQuietly(this.#conn);
    }
  }

  // Each runs inside the batch's transaction; a throw aborts the batch.
  #apply(op) {
    switch (op.kind) {
      case 'claim':
        return this.#claimOp(op);
      case 'complete':
        return this.#completeOp(op);
      case 'fail':
        return this.#failOp(op);
      case 'requeue':
        return this.#requeueOp(op);
      case 'lastApplied':
        return this.#lastAppliedOp(op);
      case 'markApplied':
        return this.#markAppliedOp(op);
      case 'get':
        return this.#getOp(op);
      case 'list':
        return this.#listOp(op);
      case 'purge':
        return this.#purgeOp(op);
      case 'billingGet':
        return this.#billingReadOp(SQL.billingGet, op.id);
      case 'billingFind':
        return this.#billingReadOp(SQL.billingFind, op.id);
      case 'billingPut':
        return this.#billingPutOp(op.put);
      default:
        throw storeError('internal', 'unknown operation');
    }
  }

  // The record as the rules need it (no payload bytes, the lease as a flag).
  #load(id, now) {
    try {
      return this.#statement(SQL.load).get(id, int(now));
    } catch (err) {
      throw this.#fail(err, 'cannot read the event');
    }
  }

  #write(what, sql, ...params) {
    try {
      this.#statement(sql).run(...params);
    } catch (err) {
      throw this.#fail(err, what);
    }
  }

  // status, attempts, last_error, updated_at, token, lease_expires_at, payload, order (as loaded, or the claim's)
  #update(what, id, r, payload = null) {
    const o = orderColumns(r.order);
    this.#write(what, SQL.update, id, r.status, int(r.attempts), r.lastError, int(r.updatedAt), r.token, int(r.lease), payload, ...o);
  }

  // Atomic ordering: the object's marker ({ created, rank } or null) and whether another event's lease holds its slot.
  #loadOrder(objectId, id, now) {
    try {
      const mark = this.#statement(SQL.loadMark).get(objectId);
      const slot = this.#statement(SQL.loadSlot).get(objectId, int(now));
      return {
        mark: mark === undefined ? null : { created: Number(mark.created), rank: Number(mark.rank) },
        heldByOther: slot !== undefined && slot.event_id !== id && Number(slot.live) === 1,
      };
    } catch (err) {
      throw this.#fail(err, 'cannot read the ordering marker');
    }
  }

  // The completion of an ordered claim marks its object (only forward) and frees the slot.
  #markAndRelease(id, order, now) {
    this.#write('cannot record the completion', SQL.markApplied, order.objectId, int(order.created), id, int(now), int(order.rank));
    this.#write('cannot record the completion', SQL.deleteSlot, order.objectId, id);
  }

  #claimOp({ id, meta }) {
    const now = this.#now();
    const row = this.#load(id, now);
    const keep = this.#options.keepPayloads;
    const payload = keep ? payloadBytes(meta.payload) : null;
    const lease = saturatingAdd(now, meta.leaseMs);
    const attempts = row === undefined ? 0 : Number(row.attempts);
    if (row !== undefined) {
      switch (row.status) {
        case 'completed':
          return { status: 'duplicate', attempt: attempts };
        case 'dead_lettered':
          return { status: 'dead_lettered', attempt: attempts };
        case 'processing':
          if (Number(row.live) === 1) return { status: 'in_progress', attempt: attempts };
          break; // the holder's lease ran out: take the event over
        default:
          break; // failed: a redelivery runs it again
      }
    }
    // Atomic ordering, in this same transaction: stale, blocked, or take the slot.
    const { order } = meta;
    if (order !== null) {
      const { mark, heldByOther } = this.#loadOrder(order.objectId, id, now);
      if (markerIsNewer(mark, order)) {
        const done = { status: 'completed', attempts: attempts + 1, updatedAt: now, token: null, lease: 0, order: null };
        if (row === undefined) this.#insert(id, meta, now, done, payload);
        else this.#update('cannot record the claim', id, { ...done, lastError: row.last_error });
        this.#write('cannot record the claim', SQL.touchMark, order.objectId, int(now));
        return { status: 'stale', attempt: attempts + 1 };
      }
      if (heldByOther) return { status: 'blocked', attempt: attempts };
      this.#write('cannot record the claim', SQL.upsertSlot, order.objectId, id, lease);
    }
    const token = newFencingToken();
    const taken = { status: 'processing', attempts: attempts + 1, updatedAt: now, token, lease, order };
    if (row === undefined) this.#insert(id, meta, now, taken, payload);
    else this.#update('cannot record the claim', id, { ...taken, lastError: row.last_error }, payload);
    return { status: 'acquired', token, attempt: attempts + 1 };
  }

  #insert(id, meta, now, r, payload) {
    this.#write(
      'cannot record the claim', SQL.insert,
      id, meta.type, int(meta.created), meta.objectId, r.status, int(r.attempts), null, int(now), int(now), r.token, int(r.lease), payload,
      ...orderColumns(r.order),
    );
  }

  #holds(row, token) {
    return row !== undefined && row.status === 'processing' && token !== '' && row.token === token;
  }

  #completeOp({ id, token }) {
    const now = this.#now();
    const row = this.#load(id, now);
    if (!this.#holds(row, token)) return false;
    const order = loadedOrder(row);
    this.#update('cannot record the completion', id, {
      status: 'completed', attempts: row.attempts, lastError: row.last_error, updatedAt: now, token: null, lease: 0, order,
    });
    if (order !== null) this.#markAndRelease(id, order, now);
    return true;
  }

  #failOp({ id, token, error, maxAttempts }) {
    const now = this.#now();
    const row = this.#load(id, now);
    if (row === undefined) return { deadLettered: false, attempt: 0, stale: true };
    const attempts = Number(row.attempts);
    if (!this.#holds(row, token)) return { deadLettered: false, attempt: attempts, stale: true };
    const dead = attempts >= maxAttempts;
    const order = loadedOrder(row);
    this.#update('cannot record the failure', id, {
      status: dead ? 'dead_lettered' : 'failed', attempts, lastError: truncateLastError(error), updatedAt: now, token: null, lease: 0, order,
    });
    if (order !== null) this.#write('cannot record the failure', SQL.deleteSlot, order.objectId, id);
    return { deadLettered: dead, attempt: attempts };
  }

  #requeueOp({ id }) {
    const now = this.#now();
    const row = this.#load(id, now);
    if (row === undefined || (row.status !== 'failed' && row.status !== 'dead_lettered')) return false;
    this.#update('cannot requeue the event', id, {
      status: 'failed', attempts: 0, lastError: row.last_error, updatedAt: now, token: null, lease: 0, order: loadedOrder(row),
    });
    return true;
  }

  #lastAppliedOp({ id }) {
    let row;
    try {
      row = this.#statement(SQL.lastApplied).get(id);
    } catch (err) {
      throw this.#fail(err, 'cannot read lastApplied');
    }
    return row === undefined ? null : Number(row.created);
  }

  #markAppliedOp({ id, created, eventId }) {
    this.#write('cannot record markApplied', SQL.markApplied, id, int(created), eventId, int(this.#now()), 0n);
  }

  #record(row) {
    const record = {
      id: row.id,
      type: row.type,
      created: Number(row.created),
      objectId: row.object_id ?? null,
      status: row.status,
      attempts: Number(row.attempts),
      lastError: row.last_error ?? null,
      receivedAt: Number(row.received_at),
      updatedAt: Number(row.updated_at),
    };
    if (this.#options.keepPayloads) record.payload = row.payload == null ? null : toBuffer(row.payload);
    return record;
  }

  #getOp({ id }) {
    let row;
    try {
      row = this.#statement(SQL.get).get(id);
    } catch (err) {
      throw this.#fail(err, 'cannot read the event');
    }
    return row === undefined ? null : this.#record(row);
  }

  #listOp({ query }) {
    const { status, type, before, limit } = query;
    let rows;
    try {
      // All four numbered parameters are bound; a statement without a filter
      // does not name its parameter, and SQLite ignores it.
      rows = this.#statement(listSql(status, type, before))
        .all(status, type, before === null ? null : clampInt64(BigInt(before)), int(limit));
    } catch (err) {
      throw this.#fail(err, 'cannot list events');
    }
    return rows.map((row) => this.#record(row));
  }

  #billingReadOp(sql, key) {
    let row;
    try {
      row = this.#statement(sql).get(key);
    } catch (err) {
      throw this.#fail(err, 'cannot read billing state');
    }
    if (row === undefined) return null;
    return {
      customerId: row.customer_id,
      userId: row.user_id ?? null,
      record: row.record,
      version: Number(row.version),
      updatedAt: Number(row.updated_at),
    };
  }

  // Compare-and-set: the insert when no document is expected, else the update at the expected version.
  #billingPutOp({ customerId, userId, record, updatedAt, expectedVersion }) {
    const version = expectedVersion + 1;
    let changes;
    try {
      changes =
        expectedVersion === 0
          ? this.#statement(SQL.billingInsert).run(customerId, userId, record, int(version), int(updatedAt))
          : this.#statement(SQL.billingUpdate).run(customerId, userId, record, int(version), int(updatedAt), int(expectedVersion));
    } catch (err) {
      throw this.#fail(err, 'cannot record billing state');
    }
    return Number(changes) === 0 ? null : version;
  }

  #purgeOp({ olderThanMs }) {
    const cutoff = saturatingSub(this.#now(), olderThanMs);
    let deleted;
    try {
      deleted = this.#statement(SQL.purgeEvents).run(cutoff);
      this.#statement(SQL.purgeApplied).run(cutoff);
    } catch (err) {
      throw this.#fail(err, 'cannot purge');
    }
    return deleted;
  }
}

// listSql: for the tests, which check each list form's query plan.
module.exports = { SqliteStore, listSql };
