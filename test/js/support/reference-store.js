'use strict';
// A plain-JS Store that follows API.md section 5 to the letter, for the handler
// and CLI tests. A test fixture, not shipped: the real stores are native.
// Honest where it matters to the handler: leases expire by the clock, every
// acquired claim gets a new fencing token, a stale token changes nothing,
// attempts count claims, fail() dead-letters at maxAttempts.
const { randomUUID } = require('node:crypto');

const STATUSES = new Set(['processing', 'completed', 'failed', 'dead_lettered']);

class ReferenceStore {
  #records = new Map(); // id -> record (with token, leaseUntil)
  #applied = new Map(); // objectId -> newest created applied
  #closed = false;

  constructor({ now = Date.now } = {}) {
    this.now = now;
    this.calls = { claim: 0, complete: 0, fail: 0, close: 0 };
  }

  #check() {
    if (this.#closed) throw new Error('ReferenceStore: closed');
  }

  async claim(eventId, meta) {
    this.#check();
    this.calls.claim++;
    const now = this.now();
    const rec = this.#records.get(eventId);
    if (rec === undefined) {
      const token = randomUUID();
      this.#records.set(eventId, {
        id: eventId,
        type: meta.type,
        created: meta.created,
        objectId: meta.objectId ?? null,
        status: 'processing',
        attempts: 1,
        lastError: null,
        receivedAt: now,
        updatedAt: now,
        ...(meta.payload !== undefined ? { payload: Buffer.from(meta.payload) } : {}),
        token,
        leaseUntil: now + meta.leaseMs,
      });
      return { status: 'acquired', token, attempt: 1 };
    }
    if (rec.status === 'completed') return { status: 'duplicate', attempt: rec.attempts };
    if (rec.status === 'dead_lettered') return { status: 'dead_lettered', attempt: rec.attempts };
    if (rec.status === 'processing' && rec.leaseUntil > now) return { status: 'in_progress', attempt: rec.attempts };
    // failed, or processing with an expired lease: take it over.
    rec.status = 'processing';
    rec.attempts += 1;
    rec.token = randomUUID();
    rec.leaseUntil = now + meta.leaseMs;
    rec.updatedAt = now;
    return { status: 'acquired', token: rec.token, attempt: rec.attempts };
  }

  async complete(eventId, token) {
    this.#check();
    this.calls.complete++;
    const rec = this.#records.get(eventId);
    if (!rec || rec.status !== 'processing' || rec.token !== token) return false;
    rec.status = 'completed';
    rec.token = null;
    rec.updatedAt = this.now();
    return true;
  }

  async fail(eventId, token, error, maxAttempts) {
    this.#check();
    this.calls.fail++;
    const rec = this.#records.get(eventId);
    if (!rec || rec.status !== 'processing' || rec.token !== token) {
      return { deadLettered: false, attempt: rec ? rec.attempts : 0, stale: true };
    }
    rec.lastError = error;
    rec.token = null;
    rec.updatedAt = this.now();
    rec.status = rec.attempts >= maxAttempts ? 'dead_lettered' : 'failed';
    return { deadLettered: rec.status === 'dead_lettered', attempt: rec.attempts };
  }

  async lastApplied(objectId) {
    this.#check();
    return this.#applied.has(objectId) ? this.#applied.get(objectId) : null;
  }

  async markApplied(objectId, created) {
    this.#check();
    const last = this.#applied.get(objectId);
    if (last === undefined || created > last) this.#applied.set(objectId, created);
  }

  async get(eventId) {
    this.#check();
    const rec = this.#records.get(eventId);
    return rec ? publicRecord(rec) : null;
  }

  async list({ status, type, limit = 100, before } = {}) {
    this.#check();
    if (status !== undefined && !STATUSES.has(status)) throw new TypeError(`unknown status ${status}`);
    return [...this.#records.values()]
      .filter((r) => (status === undefined || r.status === status) && (type === undefined || r.type === type))
      .filter((r) => before === undefined || r.receivedAt < before)
      .sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit)
      .map(publicRecord);
  }

  async requeue(eventId) {
    this.#check();
    const rec = this.#records.get(eventId);
    if (!rec || (rec.status !== 'failed' && rec.status !== 'dead_lettered')) return false;
    rec.status = 'failed';
    rec.attempts = 0;
    rec.updatedAt = this.now();
    return true;
  }

  async purge(olderThanMs) {
    this.#check();
    const cutoff = this.now() - olderThanMs;
    let n = 0;
    for (const [id, rec] of this.#records) {
      if (rec.status !== 'processing' && rec.updatedAt < cutoff) {
        this.#records.delete(id);
        n++;
      }
    }
    return n;
  }

  async close() {
    this.calls.close++;
    this.#closed = true;
  }
}

function publicRecord(rec) {
  const { token, leaseUntil, ...rest } = rec;
  return { ...rest };
}

module.exports = { ReferenceStore };
