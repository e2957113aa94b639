'use strict';
// The Store methods (API.md §5) of the stores implemented in the native core.
// MemoryStore and SqliteStore differ only in how they are created and in what
// their native objects do; the argument checks and the calls are the same, so
// they live here once. Native methods may return a value (MemoryStore: a map
// lookup under a lock) or a promise (SqliteStore: settled after the commit);
// every method here is async, so callers always get a promise.

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

class NativeStore {
  #native;
  #passPayload;

  /**
   * @param {object} nativeStore the addon's store object
   * @param {{ passPayload: boolean }} options whether claim() hands the raw body
   *   to the native store (SqliteStore without keepPayloads would only copy it
   *   to its writer thread for nothing)
   */
  constructor(nativeStore, { passPayload }) {
    this.#native = nativeStore;
    this.#passPayload = passPayload;
  }

  async claim(eventId, meta) {
    checkEventId(eventId);
    const { type, created, objectId, leaseMs, payload } = checkClaimMeta(meta);
    return this.#native.claim(eventId, type, created, objectId, leaseMs, this.#passPayload ? payload : null);
  }

  async complete(eventId, token) {
    return this.#native.complete(checkEventId(eventId), checkToken(token));
  }

  async fail(eventId, token, error, maxAttempts) {
    checkEventId(eventId);
    checkToken(token);
    checkFailArgs(error, maxAttempts);
    return this.#native.fail(eventId, token, error, maxAttempts);
  }

  async lastApplied(objectId) {
    return this.#native.lastApplied(checkObjectId(objectId));
  }

  async markApplied(objectId, created, eventId) {
    checkObjectId(objectId);
    checkCreated(created);
    await this.#native.markApplied(objectId, created, checkEventId(eventId));
  }

  async get(eventId) {
    return this.#native.get(checkEventId(eventId));
  }

  async list(query) {
    const { status, type, before, limit } = normalizeListQuery(query);
    return this.#native.list(status, type, before, limit);
  }

  async requeue(eventId) {
    return this.#native.requeue(checkEventId(eventId));
  }

  async purge(olderThanMs) {
    return this.#native.purge(checkOlderThan(olderThanMs));
  }

  async close() {
    await this.#native.close();
  }

  [ADVANCE_CLOCK](ms) {
    this.#native.advanceClock(ms);
  }
}

module.exports = { NativeStore };
