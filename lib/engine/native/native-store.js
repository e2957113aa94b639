'use strict';
// The Store methods (API.md §5) of the stores implemented in the native core.
// MemoryStore and SqliteStore differ only in how they are created and in what
// their native objects do; the argument checks and the calls are the same, so
// they live here once. Native methods may return a value (MemoryStore: a map
// lookup under a lock) or a promise (SqliteStore: settled after the commit);
// every method here is async, so callers always get a promise. A native
// failure is rethrown as a StoreError made here, after the await, so its stack
// is the caller's (lib/errors.js fromNativeStoreError).

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
} = require('../../stores/store-args');
const { checkCustomerId, checkBillingFind, checkBillingPut } = require('../../stores/billing-args');
const { fromNativeStoreError } = require('../../errors');
const native = require('../../native');

// An inline store's claim (MemoryStore) writes its status code and attempt
// into a Float64Array and returns the token, and the object is made here:
// cheaper than building it through Node-API (src/addon/store_binding.h, which
// defines the layout this reads).
const CLAIM = native.claimResultLayout;
const CLAIM_STATUSES = CLAIM.statuses;

// Awaits a native call's result (a value, a promise, or a synchronous throw
// already turned into a rejection by the async caller) with errors mapped.
async function settle(call) {
  try {
    return await call();
  } catch (err) {
    throw fromNativeStoreError(err);
  }
}

class NativeStore {
  #native;
  #passPayload;
  // The Float64Array an inline store's claims answer through; null for the others.
  #claimSlots;

  /**
   * @param {object} nativeStore the addon's store object
   * @param {{ passPayload: boolean }} options whether claim() hands the raw body
   *   to the native store (SqliteStore without keepPayloads would only copy it
   *   to its writer thread for nothing)
   */
  constructor(nativeStore, { passPayload }) {
    this.#native = nativeStore;
    this.#passPayload = passPayload;
    const slots = new Float64Array(CLAIM.size);
    this.#claimSlots = nativeStore.useClaimSlots(slots) === true ? slots : null;
  }

  // claim and complete run once per delivery: they make the native call in
  // place rather than through settle(), which costs a closure and an async
  // function per call (the same mapping, the same caller's stack).
  async claim(eventId, meta) {
    checkEventId(eventId);
    const { type, created, objectId, leaseMs, payload, order } = checkClaimMeta(meta);
    const p = this.#passPayload ? payload : null;
    let answer;
    try {
      answer = order === null
        ? this.#native.claim(eventId, type, created, objectId, leaseMs, p)
        : this.#native.claim(eventId, type, created, objectId, leaseMs, p, order.objectId, order.created, order.rank);
      // An inline store has answered already: its slots are read before anything else
      // can run (no await in between), since the next claim writes the same slots.
      if (this.#claimSlots !== null) return this.#claimFromSlots(answer);
      return await answer;
    } catch (err) {
      throw fromNativeStoreError(err);
    }
  }

  /** `token` is the native claim's answer: the token, or undefined unless acquired. */
  #claimFromSlots(token) {
    const slots = this.#claimSlots;
    const status = CLAIM_STATUSES[slots[CLAIM.status]];
    const attempt = slots[CLAIM.attempt];
    // The same shape as every store's claim result: token only when acquired.
    return token === undefined ? { status, attempt } : { status, token, attempt };
  }

  /** Atomic ordering (docs/stores.md): claim takes meta.order's slot, complete sets the marker. */
  get atomicOrdering() {
    return true;
  }

  async complete(eventId, token) {
    checkEventId(eventId);
    checkToken(token);
    try {
      return await this.#native.complete(eventId, token);
    } catch (err) {
      throw fromNativeStoreError(err);
    }
  }

  async fail(eventId, token, error, maxAttempts) {
    checkEventId(eventId);
    checkToken(token);
    checkFailArgs(error, maxAttempts);
    return settle(() => this.#native.fail(eventId, token, error, maxAttempts));
  }

  async lastApplied(objectId) {
    checkObjectId(objectId);
    return settle(() => this.#native.lastApplied(objectId));
  }

  async markApplied(objectId, created, eventId) {
    checkObjectId(objectId);
    checkCreated(created);
    checkEventId(eventId);
    await settle(() => this.#native.markApplied(objectId, created, eventId));
  }

  async get(eventId) {
    checkEventId(eventId);
    return settle(() => this.#native.get(eventId));
  }

  async list(query) {
    const { status, type, before, limit } = normalizeListQuery(query);
    return settle(() => this.#native.list(status, type, before, limit));
  }

  async requeue(eventId) {
    checkEventId(eventId);
    return settle(() => this.#native.requeue(eventId));
  }

  async purge(olderThanMs) {
    checkOlderThan(olderThanMs);
    return settle(() => this.#native.purge(olderThanMs));
  }

  // The billing-state capability (lib/stores/billing-args.js).
  async billingGet(customerId) {
    checkCustomerId(customerId);
    return settle(() => this.#native.billingGet(customerId));
  }

  async billingFind(query) {
    const userId = checkBillingFind(query);
    return settle(() => this.#native.billingFind(userId));
  }

  async billingPut(customerId, doc, expectedVersion) {
    const put = checkBillingPut(customerId, doc, expectedVersion);
    return settle(() => this.#native.billingPut(customerId, put.userId, put.record, put.updatedAt, put.expectedVersion));
  }

  async close() {
    await settle(() => this.#native.close());
  }

  [ADVANCE_CLOCK](ms) {
    this.#native.advanceClock(ms);
  }
}

module.exports = { NativeStore };
