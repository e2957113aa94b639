'use strict';
// SqliteStore (API.md §5): the idempotency bookkeeping in a SQLite file, in
// the native core. One writer thread per store commits the operations of many
// concurrent requests in one transaction (group commit) and settles their
// promises after the commit; with durability 'full' (the default,
// synchronous=FULL) a completed event survives power loss once `complete`
// resolves. Several processes may share the file (SQLite's locking, a busy
// timeout). Nothing is opened at construction: the file (and its directory,
// one level) is created on the first operation.

const path = require('node:path');
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

const DEFAULT_PATH = path.join('.hookwise', 'events.db');
const DURABILITIES = ['full', 'normal'];

class SqliteStore {
  #native;
  #keepPayloads;
  #closing = null;

  /**
   * @param {{ path?: string, retentionMs?: number, durability?: 'full' | 'normal', keepPayloads?: boolean }} [options]
   */
  constructor(options) {
    const {
      path: file = DEFAULT_PATH,
      retentionMs,
      durability = 'full',
      keepPayloads = false,
    } = checkOptions('SqliteStore', options, ['path', 'retentionMs', 'durability', 'keepPayloads']);
    if (!isString(file) || file === '') throw invalidArgument('SqliteStore path', 'a non-empty string', file);
    if (file.includes('\0')) throw new TypeError('hookwise: SqliteStore path must not contain NUL characters');
    if (!DURABILITIES.includes(durability)) {
      throw new TypeError(`hookwise: durability must be 'full' or 'normal', got ${JSON.stringify(durability)}`);
    }
    if (typeof keepPayloads !== 'boolean') throw invalidArgument('keepPayloads', 'a boolean', keepPayloads);
    // Resolved now, so a later process.chdir() does not move the database.
    const resolved = file === ':memory:' ? file : path.resolve(file);
    this.#keepPayloads = keepPayloads;
    this.#native = new native.NativeSqliteStore(resolved, checkRetention(retentionMs), durability, keepPayloads);
    Object.defineProperties(this, {
      path: { value: resolved, enumerable: true },
      durability: { value: durability, enumerable: true },
      keepPayloads: { value: keepPayloads, enumerable: true },
    });
  }

  async claim(eventId, meta) {
    const [type, created, objectId, leaseMs, payload] = claimMetaArgs(meta);
    // Without keepPayloads the body is not even copied to the writer thread.
    return this.#native.claim(checkEventId(eventId), type, created, objectId, leaseMs,
      this.#keepPayloads ? payload : null);
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
    await this.#native.markApplied(objectId, created, checkEventId(eventId));
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

  /** Commits everything already submitted, then closes the file. */
  async close() {
    this.#closing ??= this.#native.close();
    return this.#closing;
  }

  [ADVANCE_CLOCK](ms) {
    this.#native.advanceClock(ms);
  }
}

module.exports = { SqliteStore };
