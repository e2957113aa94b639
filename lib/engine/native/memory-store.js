'use strict';
// MemoryStore (API.md §5): the idempotency bookkeeping in process memory, in
// the native core. Instances created with the same `name` share one store
// across every worker_thread of the process; without a name an instance is
// private. Operations are synchronous map lookups under a lock; they are
// exposed as promises so every Store has the same shape.

const native = require('../../native');
const { memoryStoreOptions } = require('../../stores/store-args');
const { NativeStore } = require('./native-store');


class MemoryStore extends NativeStore {
  /**
   * @param {{ name?: string, maxEntries?: number, retentionMs?: number }} [options]
   * A named store is created by the first instance with that name; later
   * instances share it and their maxEntries/retentionMs are ignored.
   */
  constructor(options) {
    const { name, maxEntries, retentionMs } = memoryStoreOptions(options);
    super(new native.NativeMemoryStore(name ?? null, maxEntries, retentionMs), { passPayload: true });
    Object.defineProperty(this, 'name', { value: name ?? null, enumerable: true });
  }
}

module.exports = { MemoryStore };
