'use strict';
// Billing documents in process memory, for the portable MemoryStore (the
// native MemoryStore keeps the same map in C++, src/core/memory_store.cc).
// Each method runs synchronously, so a compare-and-set cannot interleave with
// another; the semantics are lib/stores/billing-args.js's.
const { findsBefore } = require('./billing-args');

class BillingDocuments {
  #docs = new Map(); // customerId -> BillingDocument
  #byUser = new Map(); // userId -> Set of customerIds

  get(customerId) {
    const doc = this.#docs.get(customerId);
    return doc === undefined ? null : { ...doc };
  }

  find(userId) {
    let best = null;
    for (const customerId of this.#byUser.get(userId) ?? []) {
      const doc = this.#docs.get(customerId);
      if (best === null || findsBefore(doc, best)) best = doc;
    }
    return best === null ? null : { ...best };
  }

  put({ customerId, record, userId, updatedAt, expectedVersion }) {
    const old = this.#docs.get(customerId);
    if ((old === undefined ? 0 : old.version) !== expectedVersion) return null;
    if (old !== undefined && old.userId !== null && old.userId !== userId) this.#unlink(old.userId, customerId);
    if (userId !== null) {
      if (!this.#byUser.has(userId)) this.#byUser.set(userId, new Set());
      this.#byUser.get(userId).add(customerId);
    }
    const version = expectedVersion + 1;
    this.#docs.set(customerId, { customerId, userId, record, version, updatedAt });
    return version;
  }

  #unlink(userId, customerId) {
    const set = this.#byUser.get(userId);
    set.delete(customerId);
    if (set.size === 0) this.#byUser.delete(userId);
  }
}

module.exports = { BillingDocuments };
