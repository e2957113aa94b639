'use strict';
// MemoryStore (API.md §5): the idempotency bookkeeping in process memory, in
// the native core. Instances created with the same `name` share one store
// across every worker_thread of the process; without a name an instance is
// private. Operations are synchronous map lookups under a lock; they are
// exposed as promises so every Store has the same shape.

const native = require('../../native');
const { isString, invalidArgument } = require('../../args');
const { checkInteger, checkOptions, checkRetention } = require('../../stores/store-args');
const { NativeStore } = require('./native-store');

const DEFAULT_MAX_ENTRIES = 100000;

class MemoryStore extends NativeStore {
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
    super(new native.NativeMemoryStore(name ?? null, maxEntries, checkRetention(retentionMs)), { passPayload: true });
    Object.defineProperty(this, 'name', { value: name ?? null, enumerable: true });
  }
}

module.exports = { MemoryStore };
