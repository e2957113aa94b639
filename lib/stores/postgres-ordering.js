'use strict';
// PostgresStore's atomic ordering (docs/stores.md, "Optional store
// capabilities: atomic ordering"). The object's row in <table>_applied holds
// both its marker (created, rank) and its ordering slot (slot_event_id,
// slot_until), so one row lock orders everything that touches the object:
// - an ordered claim runs in one transaction on one pooled client: it locks
//   the object's row (an upsert, which also returns the row's latest committed
//   version), decides stale / blocked / take from it, and claims the event and
//   takes the slot under that lock;
// - the completion is one statement that completes the event and, on the same
//   object row, raises the marker (only forward) and frees the slot; failing
//   frees the slot in the fail statement. Both wait for the row lock of a
//   claim in progress and then see its result (PostgreSQL re-checks an UPDATE
//   on the latest row version).
// The slot and marker columns are added to existing tables by ALTER … IF NOT
// EXISTS on first use (and are in PostgresStore.schemaSql for migrations).

const { connectListening } = require('./pg-connect');

/** The DDL that brings a table created before atomic ordering to this version (idempotent). */
function orderingSchemaStatements(events, applied) {
  return [
    `ALTER TABLE ${events} ADD COLUMN IF NOT EXISTS order_object_id text,
  ADD COLUMN IF NOT EXISTS order_created bigint, ADD COLUMN IF NOT EXISTS order_rank bigint`,
    // A row may now hold a slot before its object has any marker: created and event_id may be NULL.
    `ALTER TABLE ${applied} ADD COLUMN IF NOT EXISTS rank bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS slot_event_id text, ADD COLUMN IF NOT EXISTS slot_until bigint,
  ALTER COLUMN created DROP NOT NULL, ALTER COLUMN event_id DROP NOT NULL`,
  ];
}

// (created, rank) of the completing event is not older than the marker (none counts as older).
const NOT_OLDER = `a.created IS NULL OR (d.order_created, d.order_rank) >= (a.created, a.rank)`;

/** The statements of the ordered path, over the qualified table names. */
function orderingStatementsFor(ev, applied, nowMs) {
  return {
    // Locks the object's row (creating it, marker-less), renews its age, and
    // returns its latest version with the event's record as this statement sees it.
    lockObject: `WITH obj AS (
  INSERT INTO ${applied} AS a (object_id, created, rank, event_id, updated_at) VALUES ($1, NULL, 0, NULL, ${nowMs})
  ON CONFLICT (object_id) DO UPDATE SET updated_at = EXCLUDED.updated_at
  RETURNING a.created, a.rank, a.slot_event_id, a.slot_until, a.updated_at AS now
)
SELECT obj.*, e.status AS ev_status, e.attempts AS ev_attempts, e.lease_until AS ev_lease_until
FROM obj LEFT JOIN ${ev} e ON e.id = $2`,
    // A claim older than its object's marker: recorded completed, one more attempt.
    completeStale: `WITH now AS (SELECT ${nowMs} AS ms)
INSERT INTO ${ev} AS e (id, type, created, object_id, status, attempts, last_error, received_at, updated_at, token, lease_until)
SELECT $1, $2, $3, $4, 'completed', 1, NULL, now.ms, now.ms, NULL, NULL FROM now
ON CONFLICT (id) DO UPDATE SET status = 'completed', attempts = e.attempts + 1, token = NULL,
  lease_until = NULL, updated_at = EXCLUDED.updated_at
WHERE e.status = 'failed' OR (e.status = 'processing' AND e.lease_until <= EXCLUDED.updated_at)
RETURNING e.attempts`,
    // After the claim statement acquired (same transaction): the record keeps its order, the object's slot is its lease.
    takeSlot: `WITH rec AS (UPDATE ${ev} SET order_object_id = $2, order_created = $3, order_rank = $4 WHERE id = $1 RETURNING lease_until)
UPDATE ${applied} SET slot_event_id = $1, slot_until = (SELECT lease_until FROM rec) WHERE object_id = $2`,
    // The completion, with the marker and the slot in the same statement.
    complete: `WITH done AS (
  UPDATE ${ev} SET status = 'completed', token = NULL, lease_until = NULL, updated_at = ${nowMs}
  WHERE id = $1 AND status = 'processing' AND token = $2
  RETURNING id, order_object_id, order_created, order_rank
),
marked AS (
  UPDATE ${applied} AS a SET
    created = CASE WHEN ${NOT_OLDER} THEN d.order_created ELSE a.created END,
    rank = CASE WHEN ${NOT_OLDER} THEN d.order_rank ELSE a.rank END,
    event_id = CASE WHEN ${NOT_OLDER} THEN d.id ELSE a.event_id END,
    slot_event_id = CASE WHEN a.slot_event_id = d.id THEN NULL ELSE a.slot_event_id END,
    slot_until = CASE WHEN a.slot_event_id = d.id THEN NULL ELSE a.slot_until END,
    updated_at = ${nowMs}
  FROM done d WHERE a.object_id = d.order_object_id
  RETURNING 1
)
SELECT count(*)::integer AS completed FROM done`,
  };
}

/** The fail statement's extra step: a failed attempt frees its object's slot (`done` returns order_object_id). */
const releaseSlotAfter = (applied) => `released AS (
  UPDATE ${applied} AS a SET slot_event_id = NULL, slot_until = NULL
  FROM done d WHERE a.object_id = d.order_object_id AND a.slot_event_id = $1
  RETURNING 1
)`;

/** True when the object row's marker is strictly newer than `order`. */
function markerIsNewer(row, order) {
  if (row.created === null || row.created === undefined) return false;
  const created = Number(row.created);
  return created > order.created || (created === order.created && Number(row.rank) > order.rank);
}

/**
 * An ordered claim: one transaction on one pooled client (the row lock must be
 * held across its statements). `claimRow(client)` runs the store's ordinary
 * claim statement on that client and resolves { outcome, attempts }.
 * Resolves { status, attempt }; the caller adds the token when acquired.
 */
async function claimOrdered({ pool, sql, named, eventId, meta, order, claimRow, mapOutcome }) {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query(named('order_lock', sql.lockObject, [order.objectId, eventId]));
    const o = rows[0];
    const now = Number(o.now);
    const attempts = o.ev_attempts === null ? 0 : Number(o.ev_attempts);
    if (o.ev_status === 'completed' || o.ev_status === 'dead_lettered' || (o.ev_status === 'processing' && Number(o.ev_lease_until) > now)) {
      return { status: mapOutcome(o.ev_status), attempt: attempts };
    }
    if (markerIsNewer(o, order)) {
      const objectId = meta.objectId === undefined ? null : meta.objectId;
      const stale = await client.query(named('order_stale', sql.completeStale, [eventId, meta.type, meta.created, objectId]));
      // null: the record changed under the stale step; the caller claims again.
      return stale.rows[0] ? { status: 'stale', attempt: Number(stale.rows[0].attempts) } : null;
    }
    if (o.slot_event_id !== null && o.slot_event_id !== eventId && Number(o.slot_until) > now) {
      return { status: 'blocked', attempt: attempts };
    }
    const row = await claimRow(client);
    const claim = { status: row.outcome === 'acquired' ? 'acquired' : mapOutcome(row.outcome), attempt: Number(row.attempts) };
    if (claim.status === 'acquired') {
      await client.query(named('order_take', sql.takeSlot, [eventId, order.objectId, order.created, order.rank]));
    }
    return claim;
  });
}

/**
 * Runs `fn(client)` in one transaction on a client of `pool`: COMMIT when it
 * resolves, ROLLBACK (and the client discarded) when anything throws.
 */
async function inTransaction(pool, fn) {
  // Listening from the first moment: a connection that dies while we hold the client (the
  // server killed or restarted) emits 'error', and unheard that crashes the app
  // (lib/stores/pg-connect.js; found by the crash test). The next query rejects anyway.
  const client = await connectListening(pool, ignoreConnectionError);
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = true;
    try {
      await client.query('ROLLBACK');
    } catch {}
    throw err;
  } finally {
    client.removeListener('error', ignoreConnectionError);
    client.release(broken ? true : undefined);
  }
}

const ignoreConnectionError = () => {};

module.exports = { orderingSchemaStatements, orderingStatementsFor, releaseSlotAfter, claimOrdered, inTransaction };
