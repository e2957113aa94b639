'use strict';
// MemoryStore (API.md §5): the idempotency bookkeeping in process memory, in
// the native core. Instances created with the same `name` share one store
// across every worker_thread of the process; without a name an instance is
// private. Operations are synchronous map lookups under a lock; they are
// exposed as promises so every Store has the same shape.

const native = require('../native');
const { isString, invalidArgument } = require('../args');
const {
  ADVANCE_CLOCK,
  checkEventId,
  checkKey,
  checkToken,
  checkInteger,
  checkDuration,
  checkOptions,
  checkRetention,
  claimMetaArgs,
  listArgs,
} = require('./store-args');

const DEFAULT_MAX_ENTRIES = 100000;

class MemoryStore {
  #native;

  /**
   * @param {{ name?: string, maxEntries?: number, retentionMs?: number }} [options]
   * A named store is created by the first instance with that name; later
   * instances share it and their maxEntries/retentionMs are ignored.
   */
  constructor(options) {
    const { name, maxEntries = DEFAULT_MAX_ENTRIES, retentionMs } = checkOptions('MemoryStore', options, [
      'name',
      'maxEntries',
      'retentionMs',
    ]);
    if (name !== undefined && (!isString(name) || name === '')) {
      throw invalidArgument('MemoryStore name', 'a non-empty string', name);
    }
    checkInteger('maxEntries', maxEntries, 1);
    this.#native = new native.NativeMemoryStore(name ?? null, maxEntries, checkRetention(retentionMs));
    Object.defineProperty(this, 'name', { value: name ?? null, enumerable: true });
  }

  async claim(eventId, meta) {
    const args = claimMetaArgs(meta);
    return this.#native.claim(checkEventId(eventId), ...args);
  }

  async complete(eventId, token) {
    return this.#native.complete(checkEventId(eventId), checkToken(token));
  }

  async fail(eventId, token, error, maxAttempts) {
    checkEventId(eventId);
    checkToken(token);
    checkInteger('maxAttempts', maxAttempts, 1);
    return this.#native.fail(eventId, token, String(error ?? ''), maxAttempts);
  }

  async lastApplied(objectId) {
    return this.#native.lastApplied(checkKey('objectId', objectId));
  }

  async markApplied(objectId, created, eventId) {
    checkKey('objectId', objectId);
    checkInteger('created', created, Number.MIN_SAFE_INTEGER);
    this.#native.markApplied(objectId, created, checkEventId(eventId));
  }

  async get(eventId) {
    return this.#native.get(checkEventId(eventId));
  }

  async list(query) {
    return this.#native.list(...listArgs(query));
  }

  async requeue(eventId) {
    return this.#native.requeue(checkEventId(eventId));
  }

  async purge(olderThanMs) {
    return this.#native.purge(checkDuration('olderThanMs', olderThanMs));
  }

  async close() {
    this.#native.close();
  }

  [ADVANCE_CLOCK](ms) {
    this.#native.advanceClock(ms);
  }
}

module.exports = { MemoryStore };
