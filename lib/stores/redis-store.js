'use strict';
// RedisStore: the Store interface (API.md §5) on a Redis the app already runs,
// for deployments with several instances. Every operation is one Lua script
// (lib/stores/redis-scripts.js): one round trip, atomic on the server.
//
// The store is given a connected client — ioredis or node-redis (v4+) — and
// never requires either library itself, never connects and never closes it.
// Scripts run by EVALSHA; on NOSCRIPT (a restarted or flushed server) the store
// sends the script with EVAL, which also caches it again.

const { isString, invalidArgument } = require('../args');
const scripts = require('./redis-scripts');
const common = require('./distributed-common');
const { sha1Hex } = require('./sha1');
const { checkCustomerId, checkBillingFind, checkBillingPut } = require('./billing-args');

const DEFAULT_PREFIX = 'hookwise:';
const DEFAULT_TIMEOUT_MS = 10_000;
const PURGE_BATCH = 500;
// Index entries one list() script looks at before it hands back a cursor.
const LIST_SCAN_BUDGET = 2000;

// Each script's source and SHA-1, computed on first use (not at import).
let SCRIPTS = null;
const scriptsByName = () =>
  (SCRIPTS ??= Object.fromEntries(Object.entries(scripts).map(([name, source]) => [name, { source, sha: sha1Hex(source) }])));

// Returns a function sending one raw command (an array of strings) through the
// given client, whichever library made it.
function rawCommandSender(client) {
  if (client && typeof client.call === 'function' && typeof client.evalsha === 'function') {
    return { library: 'ioredis', send: (args) => client.call(...args) };
  }
  if (client && typeof client.sendCommand === 'function') {
    return { library: 'node-redis', send: (args) => client.sendCommand(args) };
  }
  throw invalidArgument('client', 'an ioredis or node-redis (v4+) client', client);
}

const isNoScript = (err) => Boolean(err && typeof err.message === 'string' && err.message.startsWith('NOSCRIPT'));

// HGETALL's flat [field, value, ...] as an EventRecord.
function toRecord(id, flat) {
  if (!flat || flat.length === 0) return null;
  const h = {};
  for (let i = 0; i < flat.length; i += 2) h[String(flat[i])] = String(flat[i + 1]);
  return {
    id: id ?? h.id,
    type: h.type,
    created: Number(h.created),
    objectId: h.objectId === undefined ? null : h.objectId,
    status: h.status,
    attempts: Number(h.attempts),
    lastError: h.lastError === undefined ? null : h.lastError,
    receivedAt: Number(h.receivedAt),
    updatedAt: Number(h.updatedAt),
  };
}

// HMGET record, userId, version, updatedAt as a BillingDocument (null when absent).
function billingDocument(customerId, [record, userId, version, updatedAt]) {
  if (record === null || record === undefined) return null;
  const user = String(userId);
  return { customerId, userId: user === '' ? null : user, record: String(record), version: Number(version), updatedAt: Number(updatedAt) };
}

class RedisStore {
  /**
   * @param {object} options
   * @param {object} options.client  a connected ioredis or node-redis (v4+) client
   * @param {string} [options.prefix='hookwise:']  every key starts with it
   * @param {number} [options.retentionMs=30 days]  records and ordering markers expire after this
   * @param {number} [options.timeoutMs=10000]  an operation not answered in time rejects (0: never)
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw invalidArgument('RedisStore options', 'an object { client, prefix? }', options);
    }
    common.checkOptions('RedisStore', options, ['client', 'prefix', 'retentionMs', 'timeoutMs']);
    const { client, prefix = DEFAULT_PREFIX, retentionMs = common.DEFAULT_RETENTION_MS, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    if (client === undefined || client === null) {
      throw new TypeError('hookwise: RedisStore needs { client }: a connected ioredis or node-redis (v4+) client');
    }
    const sender = rawCommandSender(client);
    if (!isString(prefix)) throw invalidArgument('prefix', 'a string', prefix);
    common.checkRetention(retentionMs);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
      throw invalidArgument('timeoutMs', 'a non-negative integer (milliseconds)', timeoutMs);
    }
    this._send = sender.send;
    this._library = sender.library;
    this._prefix = prefix;
    this._retention = String(retentionMs);
    this._timeoutMs = timeoutMs;
    this._closed = false;
    this._pending = new Set();
    this._watchdog = null;
  }

  _eventKey(eventId) {
    return `${this._prefix}e:${eventId}`;
  }

  // Runs one script; rejects with a store error naming the operation when the
  // server or the connection fails, or when no answer comes within timeoutMs.
  async _run(operation, name, keys, args) {
    if (this._closed) throw common.closedError('RedisStore', operation);
    const script = scriptsByName()[name];
    const tail = [String(keys.length), ...keys, this._prefix, ...args];
    const attempt = async () => {
      try {
        return await this._send(['EVALSHA', script.sha, ...tail]);
      } catch (err) {
        if (!isNoScript(err)) throw err;
        return this._send(['EVAL', script.source, ...tail]);
      }
    };
    try {
      return await this._withDeadline(attempt());
    } catch (err) {
      throw common.storeError('RedisStore', operation, err);
    }
  }

  // Rejects when `promise` has not settled within timeoutMs. One interval timer
  // per store checks all pending operations (a timer per operation halved the
  // store's throughput); a timeout is therefore noticed up to 100 ms late.
  _withDeadline(promise) {
    if (this._timeoutMs === 0) return promise;
    return new Promise((resolve, reject) => {
      const entry = { deadline: Date.now() + this._timeoutMs, reject };
      this._pending.add(entry);
      if (!this._watchdog) {
        this._watchdog = setInterval(() => this._expireOverdue(), Math.min(this._timeoutMs, 100));
        this._watchdog.unref();
      }
      promise.then(
        (value) => {
          this._pending.delete(entry);
          resolve(value);
        },
        (err) => {
          this._pending.delete(entry);
          reject(err);
        },
      );
    });
  }

  _expireOverdue() {
    const now = Date.now();
    for (const entry of this._pending) {
      if (entry.deadline <= now) {
        this._pending.delete(entry);
        entry.reject(new Error(`no answer from Redis within ${this._timeoutMs} ms (timeoutMs)`));
      }
    }
    if (this._pending.size === 0) {
      clearInterval(this._watchdog);
      this._watchdog = null;
    }
  }

  async claim(eventId, meta) {
    common.checkEventId(eventId);
    const { order } = common.checkClaimMeta(meta);
    const token = common.newToken();
    const hasObject = meta.objectId !== undefined && meta.objectId !== null;
    const [status, attempt] = await this._run('claim', 'CLAIM', [this._eventKey(eventId)], [
      eventId,
      meta.type,
      String(meta.created),
      hasObject ? meta.objectId : '',
      hasObject ? '1' : '0',
      String(meta.leaseMs),
      token,
      this._retention,
      order === null ? '0' : '1',
      order === null ? '' : order.objectId,
      order === null ? '0' : String(order.created),
      order === null ? '0' : String(order.rank),
    ]);
    const claim = { status: String(status), attempt: Number(attempt) };
    if (claim.status === 'acquired') claim.token = token;
    return claim;
  }

  /** Atomic ordering (docs/stores.md): claim takes meta.order's slot, complete sets the marker. */
  get atomicOrdering() {
    return true;
  }

  async complete(eventId, token) {
    common.checkEventId(eventId);
    common.checkToken(token);
    const done = await this._run('complete', 'COMPLETE', [this._eventKey(eventId)], [eventId, token, this._retention]);
    return Number(done) === 1;
  }

  async fail(eventId, token, error, maxAttempts) {
    common.checkEventId(eventId);
    common.checkToken(token);
    common.checkFailArgs(error, maxAttempts);
    const [dead, attempt, stale] = await this._run('fail', 'FAIL', [this._eventKey(eventId)], [
      eventId,
      token,
      common.truncateLastError(error),
      String(maxAttempts),
      this._retention,
    ]);
    const result = { deadLettered: Number(dead) === 1, attempt: Number(attempt) };
    if (Number(stale) === 1) result.stale = true;
    return result;
  }

  async lastApplied(objectId) {
    common.checkObjectId(objectId);
    const created = await this._run('lastApplied', 'LAST_APPLIED', [`${this._prefix}a:${objectId}`], []);
    return created === null || created === undefined ? null : Number(created);
  }

  async markApplied(objectId, created, eventId) {
    common.checkObjectId(objectId);
    common.checkCreated(created);
    common.checkEventId(eventId);
    await this._run('markApplied', 'MARK_APPLIED', [`${this._prefix}a:${objectId}`], [
      String(created),
      eventId,
      this._retention,
    ]);
  }

  async get(eventId) {
    common.checkEventId(eventId);
    const flat = await this._run('get', 'GET', [this._eventKey(eventId)], []);
    return toRecord(eventId, flat);
  }

  async list(query) {
    const q = common.normalizeListQuery(query);
    const before = q.before === null ? '' : String(q.before);
    const records = [];
    let resume = '';
    do {
      // The index key is declared so a cluster client routes to its slot.
      const [rows, resumeAfter] = await this._run('list', 'LIST', [`${this._prefix}i:all`], [
        q.status ?? '',
        q.type ?? '',
        before,
        String(q.limit - records.length),
        resume,
        String(LIST_SCAN_BUDGET),
      ]);
      for (const flat of rows) records.push(toRecord(null, flat));
      resume = String(resumeAfter);
    } while (resume !== '' && records.length < q.limit);
    return records;
  }

  async requeue(eventId) {
    common.checkEventId(eventId);
    return Number(await this._run('requeue', 'REQUEUE', [this._eventKey(eventId)], [eventId, this._retention])) === 1;
  }

  // In batches of PURGE_BATCH so one call never blocks Redis for long.
  async purge(olderThanMs) {
    common.checkOlderThan(olderThanMs);
    let deleted = 0;
    let kept = 0;
    for (;;) {
      const [d, k, scanned] = await this._run('purge', 'PURGE', [`${this._prefix}i:upd`], [String(olderThanMs), String(kept), String(PURGE_BATCH)]);
      deleted += Number(d);
      kept += Number(k);
      if (Number(scanned) < PURGE_BATCH) return deleted;
    }
  }

  // ---- Pending payloads (docs/stores.md, "Optional store capabilities"; ack-first delivery) ----
  // The raw body of an event not yet run, beside its record: P p:<id>, base64 (binary-safe with
  // either client library), expiring with the record's retention.

  _payloadKey(eventId) {
    return `${this._prefix}p:${eventId}`;
  }

  async _command(operation, args) {
    if (this._closed) throw common.closedError('RedisStore', operation);
    try {
      return await this._withDeadline(this._send(args));
    } catch (err) {
      throw common.storeError('RedisStore', operation, err);
    }
  }

  /** Keeps the raw body of a processing or failed event until it completes (the first one given stays). */
  async savePayload(eventId, payload) {
    common.checkEventId(eventId);
    const bytes = common.payloadBytes(payload);
    const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    await this._run('savePayload', 'SAVE_PAYLOAD', [this._eventKey(eventId), this._payloadKey(eventId)], [base64, this._retention]);
  }

  /** The kept raw body (a Buffer), or null. */
  async loadPayload(eventId) {
    common.checkEventId(eventId);
    const value = await this._command('loadPayload', ['GET', this._payloadKey(eventId)]);
    return value === null || value === undefined ? null : Buffer.from(String(value), 'base64');
  }

  /** Drops the kept body of an event that completed. */
  async deletePayload(eventId) {
    common.checkEventId(eventId);
    await this._run('deletePayload', 'DELETE_PAYLOAD', [this._eventKey(eventId), this._payloadKey(eventId)], []);
  }

  // The billing-state capability (lib/stores/billing-args.js), keys b: and bu: (redis-scripts.js).
  async billingGet(customerId) {
    checkCustomerId(customerId);
    const fields = await this._run('billingGet', 'BILLING_GET', [`${this._prefix}b:${customerId}`], []);
    return billingDocument(customerId, fields);
  }

  async billingFind(query) {
    const userId = checkBillingFind(query);
    const found = await this._run('billingFind', 'BILLING_FIND', [`${this._prefix}bu:${userId}`], []);
    return found ? billingDocument(String(found[0]), found.slice(1)) : null;
  }

  async billingPut(customerId, doc, expectedVersion) {
    const put = checkBillingPut(customerId, doc, expectedVersion);
    const version = await this._run('billingPut', 'BILLING_PUT', [`${this._prefix}b:${customerId}`], [
      customerId,
      put.userId ?? '',
      put.record,
      String(put.updatedAt),
      String(put.expectedVersion),
    ]);
    return version === null || version === undefined ? null : Number(version);
  }

  // The client belongs to the caller: close() only stops this store's use of it.
  async close() {
    this._closed = true;
  }
}

module.exports = { RedisStore };
