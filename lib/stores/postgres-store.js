'use strict';
// PostgresStore: the Store interface (API.md §5) on a PostgreSQL the app
// already runs, for deployments with several instances. It is given a `pg` Pool
// (or anything with pg's `query`), never requires `pg` itself and never ends
// the pool.
//
// Every operation is one SQL statement, sent as one round trip (pg sends
// parse/bind/execute together), atomic by itself in READ COMMITTED: a claim is
// an INSERT … ON CONFLICT DO UPDATE whose WHERE decides whether an existing row
// may be taken over, evaluated on the latest committed row version under its
// row lock, so of N concurrent claims exactly one acquires.
//
// Time is the server's (clock_timestamp()), so instances with skewed clocks
// agree on leases. The tables are created on first use under an advisory lock
// (CREATE … IF NOT EXISTS alone races when several instances start at once);
// PostgresStore.schemaSql(table) gives the same DDL for migrations.
//
// Retention runs on its own: a claim first deletes up to SWEEP_BATCH finished
// records (and ordering markers) older than retentionMs, at most once a
// minute per store (sooner while a sweep finds a full batch), as the native
// MemoryStore sweeps. No timer: nothing runs while no event arrives.

const { isString, invalidArgument } = require('../args');
const common = require('./distributed-common');
const { sha1Hex, sha1BigInt64 } = require('./sha1');
const { checkBillingFind } = require('./billing-args');
const { toBillingDocument, billingGetWith, billingPutWith } = require('./postgres-billing');
const ordering = require('./postgres-ordering');
const { StoreError } = require('../errors');
const { claimInTransaction } = require('./postgres-transaction');

const DEFAULT_TABLE = 'hookwise_events';
// The most records (and, separately, ordering markers) one retention sweep deletes.
const SWEEP_BATCH = 500;
// Identifier rules we accept: an optional schema and a table name, each an
// unquoted-style SQL identifier. The longest derived name (`<table>_applied`,
// index names) must fit PostgreSQL's 63-byte limit, so table names stop at 40.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

function parseTableName(table) {
  if (!isString(table)) throw invalidArgument('table', 'a string', table);
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new TypeError(
      `hookwise: table must be an SQL identifier (letters, digits, _; not starting with a digit; at most 40 characters), optionally schema-qualified as schema.table; got ${JSON.stringify(table).slice(0, 80)}`,
    );
  }
  return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { schema: null, name: parts[0] };
}

const quote = (identifier) => `"${identifier}"`; // validated above: no quotes inside
const qualified = ({ schema, name }, suffix = '') => (schema ? `${quote(schema)}.` : '') + quote(name + suffix);

const NOW_MS = `floor(extract(epoch from clock_timestamp()) * 1000)::bigint`;

// One read that says whether every table, index and column schemaStatements creates is there
// already. Its DDL, even when it changes nothing (CREATE INDEX IF NOT EXISTS, ALTER TABLE … ADD
// COLUMN IF NOT EXISTS), takes table locks that conflict with the row locks of running traffic, and
// a store starting beside busy ones (a second instance, a restarted process) then deadlocks with
// them. So the DDL runs only when this says something is missing: a new database or an upgrade.
function schemaCompleteSql(table) {
  const t = parseTableName(table);
  const literal = (name) => `'${name}'`; // identifiers are validated: no quotes inside
  const relation = (suffix) => literal(qualified(t, suffix));
  const index = (suffix) => literal((t.schema ? `${quote(t.schema)}.` : '') + quote(`${t.name}_${suffix}`));
  const column = (suffix, name, extra = '') =>
    `EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(${relation(suffix)}) AND attname = '${name}' AND NOT attisdropped${extra})`;
  const checks = [
    ...['received_idx', 'status_received_idx', 'type_received_idx', 'purge_idx', 'applied_updated_idx', 'due_idx', 'billing_user_idx'].map(
      (suffix) => `to_regclass(${index(suffix)}) IS NOT NULL`,
    ),
    `to_regclass(${relation('_billing')}) IS NOT NULL`,
    ...['payload', 'order_object_id', 'order_created', 'order_rank'].map((name) => column('', name)),
    ...['rank', 'slot_event_id', 'slot_until'].map((name) => column('_applied', name)),
    column('_applied', 'created', ' AND NOT attnotnull'),
    column('_applied', 'event_id', ' AND NOT attnotnull'),
  ];
  return `SELECT ${checks.join('\n  AND ')} AS complete`;
}

function schemaStatements(table) {
  const t = parseTableName(table);
  const events = qualified(t);
  const applied = qualified(t, '_applied');
  const idx = (suffix) => quote(`${t.name}_${suffix}`);
  return [
    ...(t.schema ? [`CREATE SCHEMA IF NOT EXISTS ${quote(t.schema)}`] : []),
    `CREATE TABLE IF NOT EXISTS ${events} (
  id          text    PRIMARY KEY,
  type        text    NOT NULL,
  created     bigint  NOT NULL,
  object_id   text,
  status      text    NOT NULL CHECK (status IN ('processing', 'completed', 'failed', 'dead_lettered')),
  attempts    integer NOT NULL,
  last_error  text,
  received_at bigint  NOT NULL,
  updated_at  bigint  NOT NULL,
  token       text,
  lease_until bigint
)`,
    // list(): newest first, ties by id; by status; by type.
    `CREATE INDEX IF NOT EXISTS ${idx('received_idx')} ON ${events} (received_at DESC, id)`,
    `CREATE INDEX IF NOT EXISTS ${idx('status_received_idx')} ON ${events} (status, received_at DESC, id)`,
    `CREATE INDEX IF NOT EXISTS ${idx('type_received_idx')} ON ${events} (type, received_at DESC, id)`,
    // purge(): only rows that may be deleted.
    `CREATE INDEX IF NOT EXISTS ${idx('purge_idx')} ON ${events} (updated_at) WHERE status <> 'processing'`,
    `CREATE TABLE IF NOT EXISTS ${applied} (
  object_id  text   PRIMARY KEY,
  created    bigint NOT NULL,
  event_id   text   NOT NULL,
  updated_at bigint NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${idx('applied_updated_idx')} ON ${applied} (updated_at)`,
    // Pending payloads (ack-first delivery): a column added to tables of earlier releases too,
    // only when missing (ALTER TABLE … IF NOT EXISTS would still take the table's exclusive lock,
    // and deadlock with the traffic of stores already running).
    `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('${events}') AND attname = 'payload' AND NOT attisdropped) THEN
    ALTER TABLE ${events} ADD COLUMN payload bytea;
  END IF;
END $$`,
    `CREATE INDEX IF NOT EXISTS ${idx('due_idx')} ON ${events} (received_at, id) WHERE payload IS NOT NULL AND status IN ('failed', 'processing')`,
    // Billing state (the billing-state capability): one document per customer, never purged.
    `CREATE TABLE IF NOT EXISTS ${qualified(t, '_billing')} (
  customer_id text   PRIMARY KEY,
  user_id     text,
  record      text   NOT NULL,
  version     bigint NOT NULL,
  updated_at  bigint NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${idx('billing_user_idx')} ON ${qualified(t, '_billing')} (user_id, updated_at DESC)`,
    // Atomic ordering (lib/stores/postgres-ordering.js), added to tables of every age.
    ...ordering.orderingSchemaStatements(events, applied),
  ];
}

// The pending-payload capability's statements (docs/stores.md, "Optional store capabilities").
function payloadStatementsFor(table) {
  const ev = qualified(parseTableName(table));
  return {
    save: `UPDATE ${ev} SET payload = $2 WHERE id = $1 AND payload IS NULL AND status IN ('processing', 'failed')`,
    load: `SELECT payload FROM ${ev} WHERE id = $1`,
    drop: `UPDATE ${ev} SET payload = NULL WHERE id = $1 AND status = 'completed'`,
    // What a worker should run now, oldest first: failed, or processing with the lease run out.
    due: `SELECT id, type, created, object_id, status, attempts, last_error, received_at, updated_at, payload FROM ${ev}
WHERE payload IS NOT NULL AND (status = 'failed' OR (status = 'processing' AND lease_until <= ${NOW_MS}))
ORDER BY received_at ASC, id ASC LIMIT $1`,
  };
}

// The statements of one store, built once from the validated table name.
function statementsFor(table) {
  const t = parseTableName(table);
  const ev = qualified(t);
  const applied = qualified(t, '_applied');
  const cols = 'id, type, created, object_id, status, attempts, last_error, received_at, updated_at';
  // The two branches of claim and fail: what the statement changed, else the row
  // as it stands. The second branch reads the statement's snapshot, which may
  // predate a concurrent insert that the ON CONFLICT saw; then it returns no
  // row and the store reads the row again (a rare second round trip).
  return {
    claim: `WITH now AS (SELECT ${NOW_MS} AS ms),
taken AS (
  INSERT INTO ${ev} AS e (id, type, created, object_id, status, attempts, last_error, received_at, updated_at, token, lease_until)
  SELECT $1, $2, $3, $4, 'processing', 1, NULL, now.ms, now.ms, $5, now.ms + $6 FROM now
  ON CONFLICT (id) DO UPDATE SET
    status = 'processing', attempts = e.attempts + 1, token = EXCLUDED.token,
    lease_until = EXCLUDED.lease_until, updated_at = EXCLUDED.updated_at
  WHERE e.status = 'failed' OR (e.status = 'processing' AND e.lease_until <= EXCLUDED.updated_at)
  RETURNING e.attempts
)
SELECT 'acquired' AS outcome, attempts FROM taken
UNION ALL
SELECT status, attempts FROM ${ev} WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
    current: `SELECT status, attempts FROM ${ev} WHERE id = $1`,
    // A token whose lease another claim took over no longer matches; a holder
    // whose lease ran out but that nobody replaced may still complete.
    // (complete: the ordering module's, which also marks the object of an ordered claim.)
    fail: `WITH done AS (
  UPDATE ${ev} SET status = CASE WHEN attempts >= $4 THEN 'dead_lettered' ELSE 'failed' END,
    last_error = $3, token = NULL, lease_until = NULL, updated_at = ${NOW_MS}
  WHERE id = $1 AND status = 'processing' AND token = $2
  RETURNING status, attempts, order_object_id
),
${ordering.releaseSlotAfter(applied)}
SELECT false AS stale, status, attempts FROM done
UNION ALL
SELECT true, status, attempts FROM ${ev} WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM done)`,
    requeue: `UPDATE ${ev} SET status = 'failed', attempts = 0, updated_at = ${NOW_MS}
WHERE id = $1 AND status IN ('failed', 'dead_lettered')`,
    get: `SELECT ${cols} FROM ${ev} WHERE id = $1`,
    // Built from fixed fragments only; every value is a parameter.
    list(status, type, before) {
      const where = [];
      const values = [];
      if (status !== null) where.push(`status = $${values.push(status)}`);
      if (type !== null) where.push(`type = $${values.push(type)}`);
      if (before !== null) where.push(`received_at < $${values.push(before)}`);
      const text = `SELECT ${cols} FROM ${ev}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
ORDER BY received_at DESC, id ASC LIMIT $${values.length + 1}`;
      return { text, values };
    },
    // Ordering markers go with the records they were kept for.
    purge: `WITH cutoff AS (SELECT ${NOW_MS} - $1::bigint AS ms),
gone AS (DELETE FROM ${ev} WHERE status <> 'processing' AND updated_at < (SELECT ms FROM cutoff) RETURNING 1),
markers AS (DELETE FROM ${applied} WHERE updated_at < (SELECT ms FROM cutoff) AND coalesce(slot_until, 0) <= ${NOW_MS} RETURNING 1)
SELECT (SELECT count(*) FROM gone)::integer AS deleted, (SELECT count(*) FROM markers)::integer AS markers`,
    // Retention: purge's rule, bounded ($2 rows of each table; the indexes on
    // updated_at find them), for the sweep a claim runs.
    sweep: `WITH cutoff AS (SELECT ${NOW_MS} - $1::bigint AS ms),
gone AS (DELETE FROM ${ev} WHERE id IN (
  SELECT id FROM ${ev} WHERE status <> 'processing' AND updated_at < (SELECT ms FROM cutoff) LIMIT $2) RETURNING 1),
markers AS (DELETE FROM ${applied} WHERE object_id IN (
  SELECT object_id FROM ${applied} WHERE updated_at < (SELECT ms FROM cutoff) AND coalesce(slot_until, 0) <= ${NOW_MS} LIMIT $2) RETURNING 1)
SELECT (SELECT count(*) FROM gone)::integer AS deleted, (SELECT count(*) FROM markers)::integer AS markers`,
    ...billingStatements(qualified(t, '_billing')),
    // Transactional handlers (lib/stores/postgres-transaction.js): the claim
    // inside the delivery's transaction, in one statement. A new event's row is
    // inserted already claimed (uncommitted: nobody else sees it, and a
    // concurrent insert of the same id waits on it — for the lock_timeout the
    // transaction sets, then fails with 55P03). An existing row is locked with
    // NOWAIT (55P03 at once if a delivery holds it) and claimed under that lock.
    // NOT EXISTS first: an insert's unique check would wait for a transaction
    // that holds (and has updated) the row. No row at all comes back when a
    // concurrent insert committed after this statement's snapshot: the caller
    // runs it again.
    txClaim: `WITH now AS (SELECT ${NOW_MS} AS ms),
inserted AS (
  INSERT INTO ${ev} (id, type, created, object_id, status, attempts, last_error, received_at, updated_at, token, lease_until)
  SELECT $1, $2, $3, $4, 'processing', 1, NULL, now.ms, now.ms, $5, now.ms + $6 FROM now
  WHERE NOT EXISTS (SELECT 1 FROM ${ev} WHERE id = $1)
  ON CONFLICT (id) DO NOTHING
  RETURNING attempts
),
locked AS (
  SELECT id, status, attempts, lease_until FROM ${ev} WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM inserted) FOR UPDATE NOWAIT
),
taken AS (
  UPDATE ${ev} AS e SET status = 'processing', attempts = e.attempts + 1, token = $5,
    lease_until = now.ms + $6, updated_at = now.ms
  FROM locked, now
  WHERE e.id = locked.id AND (locked.status = 'failed' OR (locked.status = 'processing' AND locked.lease_until <= now.ms))
  RETURNING e.attempts
)
SELECT 'acquired' AS outcome, attempts FROM inserted
UNION ALL
SELECT 'acquired', attempts FROM taken
UNION ALL
SELECT status, attempts FROM locked WHERE NOT EXISTS (SELECT 1 FROM taken)`,
    // A failed run whose transaction could not record it (its connection
    // died, so its claim is gone too): counted on its own — a new row for an
    // event seen for the first time — only while the event is claimable
    // (nobody completed it or holds a live lease since); it waits for a row
    // lock a delivery holds and re-checks after it.
    txFailAlone: `WITH now AS (SELECT ${NOW_MS} AS ms)
INSERT INTO ${ev} AS e (id, type, created, object_id, status, attempts, last_error, received_at, updated_at, token, lease_until)
SELECT $1, $2, $3, $4, CASE WHEN 1 >= $6 THEN 'dead_lettered' ELSE 'failed' END, 1, $5, now.ms, now.ms, NULL, NULL FROM now
ON CONFLICT (id) DO UPDATE SET attempts = e.attempts + 1,
  status = CASE WHEN e.attempts + 1 >= $6 THEN 'dead_lettered' ELSE 'failed' END,
  last_error = EXCLUDED.last_error, token = NULL, lease_until = NULL, updated_at = EXCLUDED.updated_at
WHERE e.status = 'failed' OR (e.status = 'processing' AND coalesce(e.lease_until, 0) <= EXCLUDED.updated_at)
RETURNING status, attempts`,
    lastApplied: `SELECT created FROM ${applied} WHERE object_id = $1`,
    // A row may hold only a slot (created NULL: no marker yet); markApplied marks rank 0.
    markApplied: `INSERT INTO ${applied} AS a (object_id, created, event_id, updated_at) VALUES ($1, $2, $3, ${NOW_MS})
ON CONFLICT (object_id) DO UPDATE SET created = GREATEST(a.created, EXCLUDED.created),
  rank = CASE WHEN a.created IS NULL OR EXCLUDED.created > a.created THEN 0 ELSE a.rank END,
  event_id = CASE WHEN a.created IS NULL OR EXCLUDED.created >= a.created THEN EXCLUDED.event_id ELSE a.event_id END,
  updated_at = EXCLUDED.updated_at`,
    ...ordering.orderingStatementsFor(ev, applied, NOW_MS),
  };
}

// The billing-state capability's statements. Compare-and-set: the insert when
// no document is expected, the update at the expected version; no row back
// means the other side of the race won. Ties in billingFind go to the smallest
// customer id in byte order (COLLATE "C"), as in every other store.
function billingStatements(billing) {
  const cols = 'customer_id, user_id, record, version, updated_at';
  return {
    billingGet: `SELECT ${cols} FROM ${billing} WHERE customer_id = $1`,
    billingFind: `SELECT ${cols} FROM ${billing} WHERE user_id = $1 ORDER BY updated_at DESC, customer_id COLLATE "C" ASC LIMIT 1`,
    billingInsert: `INSERT INTO ${billing} (${cols}) VALUES ($1, $2, $3, 1, $4) ON CONFLICT (customer_id) DO NOTHING RETURNING version`,
    billingUpdate: `UPDATE ${billing} SET user_id = $2, record = $3, version = version + 1, updated_at = $4
WHERE customer_id = $1 AND version = $5 RETURNING version`,
  };
}

function toRecord(row) {
  return {
    id: row.id,
    type: row.type,
    created: Number(row.created),
    objectId: row.object_id,
    status: row.status,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    receivedAt: Number(row.received_at),
    updatedAt: Number(row.updated_at),
  };
}

const STATUS_TO_CLAIM = { completed: 'duplicate', dead_lettered: 'dead_lettered', processing: 'in_progress' };

class PostgresStore {
  /**
   * @param {object} options
   * @param {object} options.pool  a pg Pool (anything with pg's query(); connect() for the first-use DDL)
   * @param {string} [options.table='hookwise_events']  table name, optionally schema-qualified
   * @param {boolean} [options.createTables=true]  false: the tables come from your migrations (schemaSql)
   * @param {number} [options.retentionMs=30 days]  finished records and ordering markers older than this are deleted by claims
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw invalidArgument('PostgresStore options', 'an object { pool, table? }', options);
    }
    common.checkOptions('PostgresStore', options, ['pool', 'table', 'createTables', 'retentionMs']);
    const { pool, table = DEFAULT_TABLE, createTables = true, retentionMs } = options;
    if (!pool || typeof pool.query !== 'function') {
      throw new TypeError('hookwise: PostgresStore needs { pool }: a pg Pool (new Pool({ connectionString }))');
    }
    if (typeof createTables !== 'boolean') throw invalidArgument('createTables', 'a boolean', createTables);
    parseTableName(table);
    this._pool = pool;
    this._table = table;
    this._sql = statementsFor(table);
    this._payloadSql = payloadStatementsFor(table);
    this._createTables = createTables;
    this._retentionMs = common.checkRetention(retentionMs);
    this._nextSweep = 0; // this process's clock: only when to try, never what to delete
    this._sweeping = null;
    this._ready = null;
    this._closed = false;
    // Named statements are parsed once per connection; the name is per table.
    this._statementPrefix = `hookwise_${sha1Hex(table).slice(0, 12)}_`;
    // Transactional handlers need one client per delivery (pool.connect()).
    if (typeof pool.connect !== 'function') this.claimInTransaction = undefined;
  }

  /** The DDL PostgresStore runs on first use, for migrations: an array of statements. */
  static schemaSql(table = DEFAULT_TABLE) {
    return schemaStatements(table).map((s) => `${s};`).join('\n');
  }

  // Creates the tables once per store, under a transaction-scoped advisory lock
  // so instances starting together do not race on the catalog. A failure is not
  // remembered: the next operation tries again.
  _ensureTables() {
    if (!this._createTables) return null;
    if (!this._ready) {
      this._ready = this._createTablesNow().catch((err) => {
        this._ready = null;
        throw err;
      });
    }
    return this._ready;
  }

  async _createTablesNow() {
    const lockKey = sha1BigInt64(`hookwise:${this._table}`);
    const statements = schemaStatements(this._table);
    const { rows } = await this._pool.query(schemaCompleteSql(this._table));
    if (rows[0] && rows[0].complete === true) return;
    if (typeof this._pool.connect !== 'function') {
      // A bare client: one statement per query, still under the (session) lock.
      await this._pool.query('SELECT pg_advisory_lock($1)', [lockKey.toString()]);
      try {
        for (const s of statements) await this._pool.query(s);
      } finally {
        await this._pool.query('SELECT pg_advisory_unlock($1)', [lockKey.toString()]);
      }
      return;
    }
    await ordering.inTransaction(this._pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey.toString()]);
      for (const s of statements) await client.query(s);
    });
  }

  async _query(operation, name, text, values) {
    if (this._closed) throw common.closedError('PostgresStore', operation);
    try {
      await this._ensureTables();
      const query = name ? { name: this._statementPrefix + name, text, values } : { text, values };
      return await this._pool.query(query);
    } catch (err) {
      throw common.storeError('PostgresStore', operation, err);
    }
  }

  // Retention, run by claims: best effort (a failure here must not fail the
  // claim; the next sweep tries again), one at a time per store. The cutoff is
  // the server's clock, like updated_at.
  async _sweepIfDue() {
    const now = Date.now();
    if (this._sweeping !== null || now < this._nextSweep) return;
    this._nextSweep = common.nextSweepAfter(now, this._retentionMs);
    this._sweeping = (async () => {
      try {
        const { rows } = await this._query('claim', 'sweep', this._sql.sweep, [this._retentionMs, SWEEP_BATCH]);
        // A full batch: more is waiting, so the next claim sweeps again.
        if (rows[0].deleted === SWEEP_BATCH || rows[0].markers === SWEEP_BATCH) this._nextSweep = 0;
      } catch {
        // The claim that follows reports a server failure itself.
      } finally {
        this._sweeping = null;
      }
    })();
    await this._sweeping;
  }

  async claim(eventId, meta) {
    common.checkEventId(eventId);
    const { order } = common.checkClaimMeta(meta);
    await this._sweepIfDue();
    const token = common.newToken();
    if (order !== null && this.atomicOrdering) return this._claimOrdered(eventId, meta, order, token);
    const row = await this._claimRow((q) => this._query('claim', q.name, q.text, q.values), eventId, meta, token);
    const attempt = Number(row.attempts);
    if (row.outcome === 'acquired') return { status: 'acquired', token, attempt };
    // A 'failed' row would have been taken over; seen here only when it was read
    // from an older snapshot than the conflict check, it means another claim has it.
    return { status: STATUS_TO_CLAIM[row.outcome] ?? 'in_progress', attempt };
  }

  // The claim statement (and, when its snapshot missed a concurrent insert, a
  // second read) through `run` (the pool, or the ordered claim's client).
  async _claimRow(run, eventId, meta, token) {
    const objectId = meta.objectId === undefined ? null : meta.objectId;
    const { rows } = await run({ name: 'claim', text: this._sql.claim, values: [eventId, meta.type, meta.created, objectId, token, meta.leaseMs] });
    let row = rows[0];
    if (!row) {
      // Inserted by a claim that committed after this statement's snapshot.
      const again = await run({ name: 'current', text: this._sql.current, values: [eventId] });
      row = again.rows[0] && { outcome: again.rows[0].status, attempts: again.rows[0].attempts };
      if (!row) throw common.storeError('PostgresStore', 'claim', new Error('the event row vanished during the claim'));
    }
    return row;
  }

  // Atomic ordering (lib/stores/postgres-ordering.js): one transaction under the object's row lock.
  async _claimOrdered(eventId, meta, order, token) {
    if (this._closed) throw common.closedError('PostgresStore', 'claim');
    const named = (name, text, values) => ({ name: this._statementPrefix + name, text, values });
    for (;;) {
      let claim;
      try {
        await this._ensureTables();
        claim = await ordering.claimOrdered({
          pool: this._pool,
          sql: this._sql,
          named,
          eventId,
          meta,
          order,
          claimRow: (client) => this._claimRow((q) => client.query(named(q.name, q.text, q.values)), eventId, meta, token),
          mapOutcome: (status) => STATUS_TO_CLAIM[status] ?? 'in_progress',
        });
      } catch (err) {
        throw err instanceof StoreError ? err : common.storeError('PostgresStore', 'claim', err);
      }
      if (claim === null) continue; // the record changed under the stale step: decide again
      if (claim.status === 'acquired') claim.token = token;
      return claim;
    }
  }

  /**
   * Atomic ordering (docs/stores.md): claim takes meta.order's slot, complete sets the marker.
   * Only with a pool: the ordered claim holds one client for its transaction.
   */
  get atomicOrdering() {
    return typeof this._pool.connect === 'function';
  }

  async complete(eventId, token) {
    common.checkEventId(eventId);
    common.checkToken(token);
    const { rows } = await this._query('complete', 'complete', this._sql.complete, [eventId, token]);
    return rows[0].completed === 1;
  }

  async fail(eventId, token, error, maxAttempts) {
    common.checkEventId(eventId);
    common.checkToken(token);
    common.checkFailArgs(error, maxAttempts);
    const { rows } = await this._query('fail', 'fail', this._sql.fail, [eventId, token, common.truncateLastError(error), maxAttempts]);
    const row = rows[0];
    if (!row) return { deadLettered: false, attempt: 0, stale: true };
    if (row.stale) return { deadLettered: false, attempt: Number(row.attempts), stale: true };
    return { deadLettered: row.status === 'dead_lettered', attempt: Number(row.attempts) };
  }

  async lastApplied(objectId) {
    common.checkObjectId(objectId);
    const { rows } = await this._query('lastApplied', 'last_applied', this._sql.lastApplied, [objectId]);
    // A row holding only an ordering slot has no marker yet (created NULL).
    return rows.length && rows[0].created !== null ? Number(rows[0].created) : null;
  }

  async markApplied(objectId, created, eventId) {
    common.checkObjectId(objectId);
    common.checkCreated(created);
    common.checkEventId(eventId);
    await this._query('markApplied', 'mark_applied', this._sql.markApplied, [objectId, created, eventId]);
  }

  async get(eventId) {
    common.checkEventId(eventId);
    const { rows } = await this._query('get', 'get', this._sql.get, [eventId]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async list(query) {
    const q = common.normalizeListQuery(query);
    const { text, values } = this._sql.list(q.status, q.type, q.before);
    const { rows } = await this._query('list', null, text, [...values, q.limit]);
    return rows.map(toRecord);
  }

  async requeue(eventId) {
    common.checkEventId(eventId);
    const result = await this._query('requeue', 'requeue', this._sql.requeue, [eventId]);
    return result.rowCount === 1;
  }

  async purge(olderThanMs) {
    common.checkOlderThan(olderThanMs);
    const { rows } = await this._query('purge', 'purge', this._sql.purge, [olderThanMs]);
    return Number(rows[0].deleted);
  }

  // ---- Pending payloads (ack-first delivery) ----

  /** Keeps the raw body of an event until it completes (the first one given stays). */
  async savePayload(eventId, payload) {
    common.checkEventId(eventId);
    const bytes = common.payloadBytes(payload);
    await this._query('savePayload', 'save_payload', this._payloadSql.save, [eventId, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  }

  /** The kept raw body (a Buffer), or null. */
  async loadPayload(eventId) {
    common.checkEventId(eventId);
    const { rows } = await this._query('loadPayload', 'load_payload', this._payloadSql.load, [eventId]);
    return rows.length && rows[0].payload !== null ? rows[0].payload : null;
  }

  /** Drops the kept body of an event that completed. */
  async deletePayload(eventId) {
    common.checkEventId(eventId);
    await this._query('deletePayload', 'drop_payload', this._payloadSql.drop, [eventId]);
  }

  /** Records with a kept payload that a worker should run now (failed, or lease run out), oldest first, payload included. */
  async due(query) {
    const limit = query && query.limit !== undefined ? query.limit : common.DEFAULT_LIST_LIMIT;
    common.checkInteger('limit', limit, 1);
    if (limit > common.MAX_LIST_LIMIT) throw new RangeError(`hookwise: limit must be at most ${common.MAX_LIST_LIMIT}`);
    const { rows } = await this._query('due', 'due', this._payloadSql.due, [limit]);
    return rows.map((row) => ({ ...toRecord(row), payload: row.payload }));
  }

  /**
   * The transactional capability (docs/stores.md, "Optional store capabilities"):
   * takes a client from the pool, BEGINs and claims the event under a row lock.
   * Resolves { status, attempt } and, when acquired, `transaction` (a
   * PostgresEventTransaction holding the client until it commits or rolls back).
   * Only with a pool: a bare Client cannot give each delivery its own transaction
   * (the constructor removes this method then, so createWebhookHandler refuses it).
   */
  async claimInTransaction(eventId, meta) {
    common.checkEventId(eventId);
    common.checkClaimMeta(meta);
    if (this._closed) throw common.closedError('PostgresStore', 'claim');
    await this._sweepIfDue();
    return claimInTransaction(this, eventId, meta);
  }

  // The pool belongs to the caller: close() only stops this store's use of it.
  // The billing-state capability (lib/stores/billing-args.js), table <table>_billing.
  async billingGet(customerId) {
    return billingGetWith((name, key, values) => this._query('billingGet', name, this._sql[key], values), customerId);
  }

  async billingFind(query) {
    const userId = checkBillingFind(query);
    const { rows } = await this._query('billingFind', 'billing_find', this._sql.billingFind, [userId]);
    return rows.length === 0 ? null : toBillingDocument(rows[0]);
  }

  async billingPut(customerId, doc, expectedVersion) {
    return billingPutWith((name, key, values) => this._query('billingPut', name, this._sql[key], values), customerId, doc, expectedVersion);
  }

  /** Whether transactional: true can apply billing state inside the event's transaction (lib/transactional.js). */
  get billingInTransactions() {
    return true;
  }

  async close() {
    this._closed = true;
  }
}

module.exports = { PostgresStore, DEFAULT_TABLE };
