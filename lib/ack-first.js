'use strict';
// Ack-first delivery (createWebhookHandler({ delivery: 'ack-first' })): a
// delivery is answered 200 as soon as its event is durably recorded with its
// payload, and runs after the answer; failures are retried from the store by
// webhooks.drain() / `hookwise work`. Nothing acknowledged is lost, because the
// answer waits for the record, and the record is only ever taken off the
// store's "due" list by a run that completed (or dead-lettered) it.
//
// Recording ("queueing") uses the Store interface only, so every store that can
// keep a payload supports it:
//   new event:  claim (the payload goes along to a keepPayloads store) ->
//               savePayload (stores with the payload capability) ->
//               fail + requeue: the record is `failed` with attempts 0 (what
//               requeue() documents), claimable at once by any worker, so an
//               event whose process died right after the 200 is run by the next
//               drain() without waiting out a lease.
//   existing, failed or processing: its payload is made sure of; the worker's
//               claim decides (a live lease answers in_progress to the worker,
//               and the holder finishes or fails it).
//               A keepPayloads record without a body (recorded before ack-first
//               was on) is claimed and run in the request instead, as inline.
//   completed / dead-lettered: answered as today (duplicate / dead_lettered).
// The run itself is the handler's usual claim -> handlers -> complete/fail, so
// claims, leases and fencing tokens keep every event to one completed run, and
// concurrent drains cannot both run one event.
//
// Where the payload lives (docs/stores.md, "Optional store capabilities"):
//   - stores created with keepPayloads (SqliteStore): in the record, via claim();
//   - stores with savePayload/loadPayload/deletePayload (PostgresStore,
//     RedisStore, ConvexStore): beside the record until the event completes;
//   - the engine's MemoryStore: in this handler's memory (the store itself is
//     in-process, so nothing more durable is possible there; say so).
// Any other store is refused at creation: it could not give the payload back.
const { isFunction } = require('./args');
const { decodedPayload } = require('./verify');
const { WebhookConfigError } = require('./errors');

// The lastError of a queued record that never ran, so `hookwise events` explains it.
const QUEUED_NOTE = 'hookwise: recorded by ack-first delivery; not run yet';
// fail()'s maxAttempts while queueing: never dead-letters the queueing claim.
const NEVER_DEAD = 2 ** 31 - 1;
// drain()'s default and the most records one call looks at.
const DEFAULT_DRAIN_LIMIT = 100;
const MAX_DRAIN_LIMIT = 10_000;
const DELIVERIES = ['inline', 'ack-first'];

/** How a store keeps payloads for ack-first: 'record' | 'beside' | 'memory' | null (cannot). */
function payloadMode(store, isMemoryStore) {
  if (store === undefined || isMemoryStore(store)) return 'memory';
  if (store.keepPayloads === true) return 'record';
  if (isFunction(store.savePayload) && isFunction(store.loadPayload)) return 'beside';
  return null;
}

/** The delivery / after options (lib/handler-options.js calls this once each). */
function checkDelivery(delivery) {
  if (delivery === undefined) return 'inline';
  if (!DELIVERIES.includes(delivery)) {
    throw new TypeError(`hookwise: delivery must be 'inline' (the default) or 'ack-first', got ${JSON.stringify(delivery)}`);
  }
  return delivery;
}

function checkAfter(after, delivery) {
  if (after === undefined) return undefined;
  if (!isFunction(after)) {
    throw new TypeError('hookwise: after must be a function (work) => …, e.g. Next.js after, or (work) => waitUntil(work())');
  }
  if (delivery !== 'ack-first') throw new TypeError("hookwise: the after option only applies with delivery: 'ack-first'");
  return after;
}

function checkDrainOptions(options) {
  if (options === undefined || options === null) return DEFAULT_DRAIN_LIMIT;
  if (typeof options !== 'object') throw new TypeError('hookwise: drain() takes { limit? }');
  for (const key of Object.keys(options)) {
    if (key !== 'limit') throw new TypeError(`hookwise: unknown drain() option "${key}" (expected limit)`);
  }
  const limit = options.limit ?? DEFAULT_DRAIN_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_DRAIN_LIMIT) {
    throw new RangeError(`hookwise: drain() limit must be an integer from 1 to ${MAX_DRAIN_LIMIT}`);
  }
  return limit;
}

const copyOf = (raw) => (typeof raw === 'string' ? raw : Uint8Array.prototype.slice.call(raw));

class AckFirst {
  #mode;
  #after;
  #logger;
  #memory = new Map(); // eventId -> raw body, for the in-process MemoryStore only
  #running = new Set(); // in-process runs not yet settled (drain() and close() wait for them)

  /**
   * @param {{ store: object | undefined, isMemoryStore: (store) => boolean, after?: Function, logger }} options
   */
  constructor({ store, isMemoryStore, after, logger }) {
    this.#mode = payloadMode(store, isMemoryStore);
    if (this.#mode === null) {
      throw new WebhookConfigError(
        "hookwise: delivery: 'ack-first' needs a store that keeps the payload of events not yet run: " +
          'new SqliteStore({ keepPayloads: true }), PostgresStore, RedisStore, ConvexStore or MemoryStore (in-process only), ' +
          'or a store with savePayload() and loadPayload() (docs/stores.md, "Optional store capabilities")',
        'ack_first_store',
      );
    }
    this.#after = after;
    this.#logger = logger;
  }

  get inProcessOnly() {
    return this.#mode === 'memory';
  }

  /**
   * Records the event with its payload. Resolves { status: 'queued' } once it is
   * durable, or the claim-like status of an event that needs no run
   * ('duplicate', 'dead_lettered'), or 'in_progress' when another delivery is
   * still queueing it.
   */
  async record(store, eventId, meta, rawBody) {
    const existing = await store.get(eventId);
    if (existing !== null) {
      if (existing.status === 'completed') return { status: 'duplicate', attempt: existing.attempts };
      if (existing.status === 'dead_lettered') return { status: 'dead_lettered', attempt: existing.attempts };
      if (this.#mode === 'record') {
        // Recorded without its body (before ack-first was on): nothing could run it later, so this
        // delivery runs it now, as inline delivery would; the claim stores the body meanwhile.
        if (existing.payload === null || existing.payload === undefined) return store.claim(eventId, { ...meta, payload: rawBody });
        // A processing record may stand on a claim-only commit that SqliteStore does not wait for
        // the disk for (docs/stores.md): answer as inline does (409, Stripe retries) rather than
        // acknowledge what a power loss could take back.
        if (existing.status === 'processing') return { status: 'in_progress', attempt: existing.attempts };
      } else {
        await this.#savePayload(store, eventId, rawBody);
      }
      return { status: 'queued', attempt: existing.attempts };
    }
    const claim = await store.claim(eventId, this.#mode === 'record' ? { ...meta, payload: rawBody } : meta);
    if (claim.status !== 'acquired') return claim;
    try {
      if (this.#mode !== 'record') await this.#savePayload(store, eventId, rawBody);
    } catch (err) {
      // Not durable: release the claim so Stripe's retry (the 500) finds the event claimable.
      await store.fail(eventId, claim.token, `hookwise: could not record the payload: ${err && err.message}`, NEVER_DEAD).catch(() => {});
      throw err;
    }
    const released = await store.fail(eventId, claim.token, QUEUED_NOTE, NEVER_DEAD);
    if (!released.stale) await store.requeue(eventId);
    return { status: 'queued', attempt: 0 };
  }

  async #savePayload(store, eventId, rawBody) {
    if (this.#mode === 'memory') {
      if (!this.#memory.has(eventId)) this.#memory.set(eventId, copyOf(rawBody));
      return;
    }
    await store.savePayload(eventId, rawBody);
  }

  /** The raw body of a record, or null when the store has none. */
  async payloadOf(store, record) {
    if (this.#mode === 'memory') return this.#memory.get(record.id) ?? null;
    if (this.#mode === 'record' || (record.payload !== undefined && record.payload !== null)) return record.payload ?? null;
    return store.loadPayload(record.id);
  }

  /** After a run: a finished event's payload is no longer needed. */
  settled(store, eventId, res) {
    if (res.outcome !== 'processed' && res.outcome !== 'stale' && res.outcome !== 'duplicate') return;
    if (this.#mode === 'memory') this.#memory.delete(eventId);
    else if (this.#mode === 'beside' && isFunction(store.deletePayload)) {
      store.deletePayload(eventId).catch((err) => {
        this.#logger.warn(`hookwise: ${eventId} completed, but its kept payload was not deleted (${err && err.message}); retention removes it`);
      });
    }
  }

  /**
   * Hands the run to `after` (Next.js after(), waitUntil, a scheduler) or starts
   * it in this process. Its failure is already recorded by the run (fail()), so
   * here it is only logged; the next drain() retries it.
   */
  async schedule(work, eventId) {
    const run = () => {
      const p = work().catch((err) => {
        this.#logger.error(`hookwise: the ack-first run of ${eventId} failed (${err && err.message}); drain() retries it`);
      });
      this.#running.add(p);
      p.finally(() => this.#running.delete(p));
      return p;
    };
    if (this.#after === undefined) {
      run();
      return;
    }
    await this.#after(run);
  }

  /** Waits for the in-process runs started so far. */
  async idle() {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /**
   * The records a worker should run now, oldest first: `failed` ones, and
   * `processing` ones (whose lease may have run out: the claim decides).
   * A store's own due() answers this in one query; otherwise list() does.
   */
  async due(store, limit) {
    if (isFunction(store.due)) return store.due({ limit });
    // list() is newest first: with a backlog larger than `limit` the newest of it run first.
    const listed = [];
    for (const status of ['failed', 'processing']) {
      listed.push(...(await store.list({ status, limit })));
    }
    listed.sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return listed.slice(0, limit);
  }
}

/** A stored payload back as the parsed event (it was verified when it arrived). */
function parseStored(payload) {
  return JSON.parse(decodedPayload(payload));
}

module.exports = { AckFirst, checkDelivery, checkAfter, checkDrainOptions, parseStored, QUEUED_NOTE, DEFAULT_DRAIN_LIMIT };
