'use strict';
// MemoryStore (API.md §5) in JavaScript: the native MemoryStore's semantics
// (src/core/memory_store.cc and store_rules.cc) rule for rule, for runtimes
// without the addon. The contract suite (test/js/support/store-contract.js)
// and the differential test hold the two to the same answers.
//
// Instances created with the same `name` in one JavaScript realm share one
// store (worker threads and isolates are other realms: there is no shared
// memory to hold it). Nothing random is made and no timer is started until an
// operation runs (workerd forbids both at global scope, where a route module
// creates its handler): tokens are made in claim(), and retention is swept
// by claim() at most once a minute, as the native store does.

const { webCrypto } = require('../../runtime');
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
  memoryStoreOptions,
  truncateLastError,
  nextSweepAfter,
} = require('../../stores/store-args');
const { StoreError } = require('../../errors');
const { checkCustomerId, checkBillingFind, checkBillingPut } = require('../../stores/billing-args');
const { BillingDocuments } = require('../../stores/billing-documents');
const { markerIsNewer, slotHeldByOther } = require('../../stores/ordering-rules');

// Named stores of this realm; on globalThis so that two copies of this module
// (a bundle and node_modules, CJS and a bundler's ESM) still share them.
const REGISTRY = Symbol.for('hookwise.portable.memoryStores');

const closedError = () => new StoreError('HOOKWISE_STORE_CLOSED', 'hookwise: the store is closed');

// A fencing token as the native store makes it: 128 random bits, 32 lowercase hex characters.
function newToken() {
  const bytes = webCrypto().getRandomValues(new Uint8Array(16));
  let hex = '';
  for (let i = 0; i < 16; i++) hex += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return hex;
}

// UTF-8 byte order (the native store compares std::string ids), which is code
// point order; JS's `<` compares UTF-16 units and differs for astral characters.
function compareIds(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function listsBefore(a, b) {
  if (a.receivedAt !== b.receivedAt) return b.receivedAt - a.receivedAt;
  return compareIds(a.id, b.id);
}

function compareAge(a, b) {
  if (a.at !== b.at) return a.at - b.at;
  return compareIds(a.id, b.id);
}

function publicRecord(r) {
  return {
    id: r.id,
    type: r.type,
    created: r.created,
    objectId: r.objectId,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    receivedAt: r.receivedAt,
    updatedAt: r.updatedAt,
  };
}

/** The bookkeeping one store (named or not) holds; shared by its instances. */
class MemoryState {
  constructor(maxEntries, retentionMs) {
    this.maxEntries = maxEntries;
    this.retentionMs = retentionMs;
    this.records = new Map(); // id -> record (with token and leaseExpiresAt)
    this.applied = new Map(); // objectId -> { created, rank, eventId, updatedAt }
    this.slots = new Map(); // objectId -> { eventId, expiresAt }: atomic ordering's slot
    // Completed records by (updatedAt, id), oldest first from `head`: the eviction order.
    this.completed = [];
    this.head = 0;
    this.nextSweep = 0;
    this.offset = 0; // ADVANCE_CLOCK
    this.billing = new BillingDocuments(); // the billing-state capability (never purged)
  }

  now() {
    return Date.now() + this.offset;
  }

  addCompleted(entry) {
    const list = this.completed;
    let i = list.length;
    while (i > this.head && compareAge(list[i - 1], entry) > 0) i--;
    list.splice(i, 0, entry);
  }

  evictCompletedOverLimit() {
    while (this.records.size > this.maxEntries && this.head < this.completed.length) {
      const oldest = this.completed[this.head];
      this.completed[this.head++] = undefined;
      this.records.delete(oldest.id);
    }
    if (this.head > 1024 && this.head * 2 > this.completed.length) {
      this.completed = this.completed.slice(this.head);
      this.head = 0;
    }
  }

  eraseWhere(cutoff) {
    let erased = 0;
    let anyCompleted = false;
    for (const [id, r] of this.records) {
      if (r.status !== 'processing' && r.updatedAt < cutoff) {
        if (r.status === 'completed') anyCompleted = true;
        this.records.delete(id);
        erased++;
      }
    }
    if (anyCompleted) {
      this.completed = this.completed.slice(this.head).filter((e) => this.records.has(e.id));
      this.head = 0;
    }
    for (const [objectId, a] of this.applied) {
      if (a.updatedAt < cutoff) this.applied.delete(objectId);
    }
    const now = this.now();
    for (const [objectId, slot] of this.slots) {
      if (slot.expiresAt <= now) this.slots.delete(objectId);
    }
    return erased;
  }

  sweepIfDue(now) {
    if (now < this.nextSweep) return;
    this.nextSweep = nextSweepAfter(now, this.retentionMs);
    this.eraseWhere(now - this.retentionMs);
  }

  claim(id, meta) {
    const now = this.now();
    this.sweepIfDue(now);
    const r = this.records.get(id);
    if (r !== undefined) {
      switch (r.status) {
        case 'completed':
          return { status: 'duplicate', attempt: r.attempts };
        case 'dead_lettered':
          return { status: 'dead_lettered', attempt: r.attempts };
        case 'processing':
          if (now < r.leaseExpiresAt) return { status: 'in_progress', attempt: r.attempts };
          break; // the holder's lease ran out: take the event over
        default:
          break; // failed: a redelivery runs it again
      }
    }
    // Atomic ordering: the stale check and the slot, in this same step.
    const order = meta.order ?? null;
    if (order !== null) {
      const marker = this.applied.get(order.objectId);
      if (markerIsNewer(marker, order)) return this.completeStale(id, r, meta, marker, now);
      if (slotHeldByOther(this.slots.get(order.objectId), id, now)) return { status: 'blocked', attempt: r === undefined ? 0 : r.attempts };
      this.slots.set(order.objectId, { eventId: id, expiresAt: now + meta.leaseMs });
    }
    if (r === undefined) {
      const token = newToken();
      this.records.set(id, {
        id,
        type: meta.type,
        created: meta.created,
        objectId: meta.objectId,
        status: 'processing',
        attempts: 1,
        lastError: null,
        receivedAt: now,
        updatedAt: now,
        token,
        leaseExpiresAt: now + meta.leaseMs,
        order,
      });
      this.evictCompletedOverLimit();
      return { status: 'acquired', token, attempt: 1 };
    }
    r.status = 'processing';
    r.attempts += 1;
    r.updatedAt = now;
    r.token = newToken();
    r.leaseExpiresAt = now + meta.leaseMs;
    r.order = order;
    return { status: 'acquired', token: r.token, attempt: r.attempts };
  }

  // A claim older than its object's marker: recorded completed (it counts as
  // an attempt), never run; the marker is renewed like any mark.
  completeStale(id, r, meta, marker, now) {
    let record = r;
    if (record === undefined) {
      record = { id, type: meta.type, created: meta.created, objectId: meta.objectId, attempts: 0, lastError: null, receivedAt: now };
      this.records.set(id, record);
    }
    record.status = 'completed';
    record.attempts += 1;
    record.updatedAt = now;
    record.token = '';
    record.leaseExpiresAt = 0;
    record.order = null;
    marker.updatedAt = now;
    this.addCompleted({ at: now, id });
    this.evictCompletedOverLimit();
    return { status: 'stale', attempt: record.attempts };
  }

  // Lets go of the ordering slot `id` holds for its order's object, if it still does.
  releaseSlot(id, order) {
    if (order === null || order === undefined) return;
    const slot = this.slots.get(order.objectId);
    if (slot !== undefined && slot.eventId === id) this.slots.delete(order.objectId);
  }

  holds(r, token) {
    return r !== undefined && r.status === 'processing' && token !== '' && r.token === token;
  }

  complete(id, token) {
    const r = this.records.get(id);
    if (!this.holds(r, token)) return false;
    r.status = 'completed';
    r.token = '';
    r.leaseExpiresAt = 0;
    r.updatedAt = this.now();
    // Atomic ordering: the completion sets the marker and frees the slot, in this same step.
    if (r.order !== null && r.order !== undefined) {
      this.raiseMarker(r.order.objectId, r.order.created, r.order.rank, id);
      this.releaseSlot(id, r.order);
      r.order = null;
    }
    this.addCompleted({ at: r.updatedAt, id });
    this.evictCompletedOverLimit();
    return true;
  }

  fail(id, token, error, maxAttempts) {
    const r = this.records.get(id);
    if (r === undefined) return { deadLettered: false, attempt: 0, stale: true };
    if (!this.holds(r, token)) return { deadLettered: false, attempt: r.attempts, stale: true };
    r.lastError = truncateLastError(error);
    r.token = '';
    r.leaseExpiresAt = 0;
    r.updatedAt = this.now();
    this.releaseSlot(id, r.order);
    r.order = null;
    const dead = r.attempts >= maxAttempts;
    r.status = dead ? 'dead_lettered' : 'failed';
    return { deadLettered: dead, attempt: r.attempts };
  }

  lastApplied(objectId) {
    const a = this.applied.get(objectId);
    return a === undefined ? null : a.created;
  }

  markApplied(objectId, created, eventId) {
    this.raiseMarker(objectId, created, 0, eventId);
  }

  raiseMarker(objectId, created, rank, eventId) {
    const now = this.now();
    const a = this.applied.get(objectId);
    if (a === undefined) {
      this.applied.set(objectId, { created, rank, eventId, updatedAt: now });
      return;
    }
    // Keep the newest: marking an older event after a newer one changes nothing.
    if (!markerIsNewer(a, { created, rank })) {
      a.created = created;
      a.rank = rank;
      a.eventId = eventId;
    }
    a.updatedAt = now;
  }

  get(id) {
    const r = this.records.get(id);
    return r === undefined ? null : publicRecord(r);
  }

  list({ status, type, before, limit }) {
    const matches = [];
    for (const r of this.records.values()) {
      if (status !== null && r.status !== status) continue;
      if (type !== null && r.type !== type) continue;
      if (before !== null && r.receivedAt >= before) continue;
      matches.push(r);
    }
    matches.sort(listsBefore);
    return matches.slice(0, limit).map(publicRecord);
  }

  requeue(id) {
    const r = this.records.get(id);
    if (r === undefined || (r.status !== 'failed' && r.status !== 'dead_lettered')) return false;
    r.status = 'failed';
    r.attempts = 0;
    r.token = '';
    r.leaseExpiresAt = 0;
    r.updatedAt = this.now();
    return true;
  }

  purge(olderThanMs) {
    return this.eraseWhere(this.now() - olderThanMs);
  }
}

function namedState(name, maxEntries, retentionMs) {
  const registry = (globalThis[REGISTRY] ??= new Map());
  let state = registry.get(name);
  if (state === undefined) {
    state = new MemoryState(maxEntries, retentionMs);
    registry.set(name, state);
  }
  return state;
}

class MemoryStore {
  #state;
  #closed = false;

  /**
   * @param {{ name?: string, maxEntries?: number, retentionMs?: number }} [options]
   * A named store is created by the first instance with that name in this
   * realm; later instances share it and their maxEntries/retentionMs are ignored.
   */
  constructor(options) {
    const { name, maxEntries, retentionMs: retention } = memoryStoreOptions(options);
    this.#state = name === undefined ? new MemoryState(maxEntries, retention) : namedState(name, maxEntries, retention);
    Object.defineProperty(this, 'name', { value: name ?? null, enumerable: true });
  }

  #open() {
    if (this.#closed) throw closedError();
    return this.#state;
  }

  async claim(eventId, meta) {
    checkEventId(eventId);
    const m = checkClaimMeta(meta);
    return this.#open().claim(eventId, m);
  }

  async complete(eventId, token) {
    checkEventId(eventId);
    checkToken(token);
    return this.#open().complete(eventId, token);
  }

  async fail(eventId, token, error, maxAttempts) {
    checkEventId(eventId);
    checkToken(token);
    checkFailArgs(error, maxAttempts);
    return this.#open().fail(eventId, token, error, maxAttempts);
  }

  async lastApplied(objectId) {
    checkObjectId(objectId);
    return this.#open().lastApplied(objectId);
  }

  async markApplied(objectId, created, eventId) {
    checkObjectId(objectId);
    checkCreated(created);
    checkEventId(eventId);
    this.#open().markApplied(objectId, created, eventId);
  }

  async get(eventId) {
    checkEventId(eventId);
    return this.#open().get(eventId);
  }

  async list(query) {
    const q = normalizeListQuery(query);
    return this.#open().list(q);
  }

  async requeue(eventId) {
    checkEventId(eventId);
    return this.#open().requeue(eventId);
  }

  async purge(olderThanMs) {
    checkOlderThan(olderThanMs);
    return this.#open().purge(olderThanMs);
  }

  // The billing-state capability (lib/stores/billing-args.js).
  async billingGet(customerId) {
    checkCustomerId(customerId);
    return this.#open().billing.get(customerId);
  }

  async billingFind(query) {
    const userId = checkBillingFind(query);
    return this.#open().billing.find(userId);
  }

  async billingPut(customerId, doc, expectedVersion) {
    const put = checkBillingPut(customerId, doc, expectedVersion);
    return this.#open().billing.put(put);
  }

  async close() {
    this.#closed = true;
  }

  /** Atomic ordering (docs/stores.md): claim takes meta.order's slot, complete sets the marker. */
  get atomicOrdering() {
    return true;
  }

  [ADVANCE_CLOCK](ms) {
    this.#state.offset += ms;
  }
}

module.exports = { MemoryStore };
