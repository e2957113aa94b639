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
const native = require('../../native');
const { isString, invalidArgument } = require('../../args');
const { checkOptions, checkRetention } = require('../../stores/store-args');
const { NativeStore } = require('./native-store');

const DEFAULT_PATH = path.join('.hookwise', 'events.db');
const DURABILITIES = ['full', 'normal'];

class SqliteStore extends NativeStore {
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
    // Without keepPayloads the body is not even copied to the writer thread.
    super(new native.NativeSqliteStore(resolved, checkRetention(retentionMs), durability, keepPayloads), {
      passPayload: keepPayloads,
    });
    Object.defineProperties(this, {
      path: { value: resolved, enumerable: true },
      durability: { value: durability, enumerable: true },
      keepPayloads: { value: keepPayloads, enumerable: true },
    });
  }

  /** Commits everything already submitted, then closes the file; the same promise while closing. */
  close() {
    this.#closing ??= super.close();
    return this.#closing;
  }
}

module.exports = { SqliteStore };
