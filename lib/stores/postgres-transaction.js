'use strict';
// PostgresStore's transactional capability (docs/stores.md, "Optional store
// capabilities"; lib/transactional.js drives it): one delivery's claim, the
// app's writes (the handlers get the client) and the completion in ONE
// PostgreSQL transaction on one client of the store's pool, so that they
// commit or roll back together.
//
//   BEGIN; SET LOCAL lock_timeout
//   the claim: INSERT a new event's row already claimed, or      -- a concurrent delivery: 55P03 -> in_progress
//              SELECT … FOR UPDATE NOWAIT + UPDATE an existing one
//   SET LOCAL lock_timeout TO DEFAULT; SAVEPOINT hookwise_handlers
//   … the handlers, on the same client …
//   UPDATE … completed (+ ordering marker); COMMIT           -- or, after a throw:
//   ROLLBACK                                                 -- another run follows (fresh transaction)
//   ROLLBACK TO SAVEPOINT; UPDATE … failed/dead_lettered; COMMIT   -- the last run: failure recorded under the lock
//
// NOWAIT rather than waiting for the lock: a waiting delivery would hold a pool
// client (and Stripe's connection) for as long as the first one's handlers run,
// and it would only find the event completed; 409 lets Stripe come back later.
// The insert of a brand-new event cannot say NOWAIT: a concurrent insert of the
// same id waits for the first transaction, so the claim runs under a short
// lock_timeout (CLAIM_LOCK_TIMEOUT) that turns that wait into the same 55P03.
//
// A connection that dies anywhere in this leaves nothing committed: the row is
// as it was before the delivery, or absent (claimable: no lease to wait out).

const common = require('./distributed-common');
const { connectListening } = require('./pg-connect');
const { billingGetWith, billingPutWith } = require('./postgres-billing');

const LOCK_NOT_AVAILABLE = '55P03'; // SQLSTATE of FOR UPDATE NOWAIT on a locked row
const SAVEPOINT = 'hookwise_handlers';
// How long the claim may wait for a concurrent first insert of the same event
// (an autocommit claim() commits within it; a transactional one holds it longer).
const CLAIM_LOCK_TIMEOUT = '50ms';
// A claim that sees no row at all (a concurrent insert committed after its
// snapshot) runs again, with a new snapshot: this many times at most.
const CLAIM_STATEMENTS = 3;
const STATUS_TO_CLAIM = { completed: 'duplicate', dead_lettered: 'dead_lettered', processing: 'in_progress', failed: 'in_progress' };

// One of the store's statements on `client`, prepared once per connection
// under the store's names (the same text the store's pool.query uses).
function run(store, client, name, key, values) {
  return client.query({ name: store._statementPrefix + name, text: store._sql[key], values });
}

// A checked-out pg client whose connection dies (server restart,
// pg_terminate_backend) emits 'error'; with no listener that would be an
// uncaught exception in the app. The failure reaches us anyway, as the
// rejection of the client's next query, so while we hold a client we listen.
const ignoreConnectionError = () => {};

// Gives the client back (destroyed instead, after a failure of its connection).
function release(client, err) {
  client.removeListener('error', ignoreConnectionError);
  client.release(err === undefined ? undefined : err instanceof Error ? err : true);
}

// Ends the transaction (whatever state it is in) and gives the client back.
async function rollbackAndRelease(client) {
  try {
    await client.query('ROLLBACK');
    release(client);
  } catch (err) {
    release(client, err);
  }
}

/**
 * The claim of one transactional run. Resolves { status, attempt } and, when
 * acquired, `transaction`: the open transaction, which the caller must end
 * with commit(), rollback() or fail().
 */
async function claimInTransaction(store, eventId, meta) {
  const storeError = (err) => common.storeError('PostgresStore', 'claim', err);
  let client;
  try {
    await store._ensureTables();
    // Listening from the first moment (lib/stores/pg-connect.js: `await pool.connect()` leaves a gap).
    client = await connectListening(store._pool, ignoreConnectionError);
  } catch (err) {
    throw storeError(err);
  }
  const objectId = meta.objectId === undefined ? null : meta.objectId;
  const token = common.newToken();
  try {
    await client.query(`BEGIN; SET LOCAL lock_timeout = '${CLAIM_LOCK_TIMEOUT}'`);
  } catch (err) {
    release(client, err);
    throw storeError(err);
  }
  let row;
  try {
    const values = [eventId, meta.type, meta.created, objectId, token, meta.leaseMs];
    for (let i = 0; row === undefined && i < CLAIM_STATEMENTS; i++) {
      ({ rows: [row] } = await run(store, client, 'tx_claim', 'txClaim', values));
    }
  } catch (err) {
    await rollbackAndRelease(client);
    if (err && err.code === LOCK_NOT_AVAILABLE) return lockedClaim(store, eventId);
    throw storeError(err);
  }
  if (!row) {
    await rollbackAndRelease(client);
    throw storeError(new Error('the event row could not be read or inserted during the claim'));
  }
  const attempt = Number(row.attempts);
  if (row.outcome !== 'acquired') {
    await rollbackAndRelease(client);
    return { status: STATUS_TO_CLAIM[row.outcome] ?? 'in_progress', attempt };
  }
  try {
    await client.query(`SET LOCAL lock_timeout TO DEFAULT; SAVEPOINT ${SAVEPOINT}`);
  } catch (err) {
    await rollbackAndRelease(client);
    throw storeError(err);
  }
  return { status: 'acquired', token, attempt, transaction: new PostgresEventTransaction(store, client, eventId, token, meta) };
}

// Another delivery's transaction holds the row. What it has committed so far
// decides the answer: completed (it just finished) is a duplicate; otherwise
// it is in progress, at the attempt after the committed ones.
async function lockedClaim(store, eventId) {
  const { rows } = await store._query('claim', 'current', store._sql.current, [eventId]);
  const current = rows[0];
  if (current && current.status === 'completed') return { status: 'duplicate', attempt: Number(current.attempts) };
  if (current && current.status === 'dead_lettered') return { status: 'dead_lettered', attempt: Number(current.attempts) };
  return { status: 'in_progress', attempt: current ? Number(current.attempts) + 1 : 1 };
}

/** One delivery's open transaction, holding the event's row lock and one pool client. */
class PostgresEventTransaction {
  #store;
  #client;
  #eventId;
  #token;
  #meta;
  #ended = false;

  constructor(store, client, eventId, token, meta) {
    this.#store = store;
    this.#client = client;
    this.#eventId = eventId;
    this.#token = token;
    this.#meta = meta;
    // What the handlers get in ctx: the client inside this transaction, and query shorthand.
    this.context = Object.freeze({ client, sql: (text, values) => client.query(text, values) });
    // The billing-state capability inside this transaction (billing with transactional: true):
    // the store's billing statements on this client, after the savepoint, so a failed run's
    // billing writes roll back with the handlers' and the state commits with the completion.
    const on = (operation) => async (name, key, values) => {
      try {
        return await run(store, client, name, key, values);
      } catch (err) {
        throw common.storeError('PostgresStore', operation, err);
      }
    };
    this.billing = Object.freeze({
      billingGet: (customerId) => billingGetWith(on('billingGet'), customerId),
      billingPut: (customerId, doc, expectedVersion) => billingPutWith(on('billingPut'), customerId, doc, expectedVersion),
    });
  }

  #end() {
    if (this.#ended) throw new Error('hookwise: this event transaction has already ended');
    this.#ended = true;
  }

  /** The ordering marker, read inside the transaction (ordering: 'skip-stale'). */
  async lastApplied(objectId) {
    try {
      const { rows } = await run(this.#store, this.#client, 'last_applied', 'lastApplied', [objectId]);
      // A row holding only an atomic-ordering slot has no marker yet (created NULL).
      return rows.length && rows[0].created !== null ? Number(rows[0].created) : null;
    } catch (err) {
      throw common.storeError('PostgresStore', 'lastApplied', err);
    }
  }

  /**
   * Records the completion (and the ordering marker `mark`, if given) in the
   * transaction and commits it with the handlers' writes. Resolves true. A
   * failure rejects with a StoreError and rolls back; nothing of the run is
   * then committed — unless COMMIT itself was lost on the way back, which no
   * client can tell.
   */
  async commit(mark) {
    this.#end();
    const client = this.#client;
    try {
      const done = await run(this.#store, client, 'complete', 'complete', [this.#eventId, this.#token]);
      // Under the row lock nothing else can take the claim; if the completion matched no row
      // anyway (the handlers changed hookwise's own row), the writes must not commit without it.
      // (The complete statement answers one row, { completed }: it also marks an ordered claim's object.)
      if (done.rows[0].completed !== 1) throw new Error('the completion matched no claimed row (was the event row changed inside the transaction?)');
      if (mark) await run(this.#store, client, 'mark_applied', 'markApplied', [mark.objectId, mark.created, this.#eventId]);
      await client.query('COMMIT');
      release(client);
      return true;
    } catch (err) {
      await rollbackAndRelease(client);
      throw common.storeError('PostgresStore', 'complete', err);
    }
  }

  /** Rolls everything back (the claim too): the event is as before this run. Never rejects. */
  async rollback() {
    this.#end();
    await rollbackAndRelease(this.#client);
  }

  /**
   * The handlers threw: their writes are rolled back to the savepoint and the
   * failed attempt is recorded in the same transaction, still under the row
   * lock. If that transaction is gone (its connection died, and with it the
   * claim), the attempt is recorded by a statement of its own on another
   * connection (creating the record for an event seen the first time).
   */
  async fail(error, maxAttempts) {
    this.#end();
    const client = this.#client;
    const message = common.truncateLastError(error);
    try {
      await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      const { rows } = await run(this.#store, client, 'fail', 'fail', [this.#eventId, this.#token, message, maxAttempts]);
      await client.query('COMMIT');
      release(client);
      const row = rows[0];
      if (!row || row.stale) return { deadLettered: false, attempt: row ? Number(row.attempts) : 0, stale: true };
      return { deadLettered: row.status === 'dead_lettered', attempt: Number(row.attempts) };
    } catch {
      await rollbackAndRelease(client);
    }
    const { type, created, objectId = null } = this.#meta;
    const values = [this.#eventId, type, created, objectId, message, maxAttempts];
    const { rows } = await this.#store._query('fail', 'tx_fail_alone', this.#store._sql.txFailAlone, values);
    const row = rows[0];
    if (!row) return { deadLettered: false, attempt: 0, stale: true };
    return { deadLettered: row.status === 'dead_lettered', attempt: Number(row.attempts) };
  }
}

module.exports = { claimInTransaction, PostgresEventTransaction };
