'use strict';
// Argument checks shared by the native stores (MemoryStore, SqliteStore):
// validate in JS, before any native call (the addon checks types again).

const { isString, isBytes, isPlainObject, invalidArgument } = require('../args');

// The longest event id, object id and event type a store accepts, in UTF-8
// bytes. Stripe's ids are ~30 bytes; 255 keeps keys small in every backend.
const MAX_KEY_BYTES = 255;
const DEFAULT_LIST_LIMIT = 100;
const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const STATUSES = new Set(['processing', 'completed', 'failed', 'dead_lettered']);

// Tests only: `store[ADVANCE_CLOCK](ms)` moves the store's clock forward so
// leases expire and records age without sleeping.
const ADVANCE_CLOCK = Symbol.for('hookwise.store.advanceClock');

function checkKey(name, value, { optional = false } = {}) {
  if (optional && (value === undefined || value === null)) return null;
  if (!isString(value)) throw invalidArgument(name, 'a string', value);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes === 0 || bytes > MAX_KEY_BYTES) {
    throw new RangeError(`hookwise: ${name} must be 1 to ${MAX_KEY_BYTES} bytes of UTF-8, got ${bytes}`);
  }
  return value;
}

const checkEventId = (value) => checkKey('eventId', value);

function checkToken(value) {
  if (!isString(value)) throw invalidArgument('token', 'a string', value);
  return value;
}

function checkInteger(name, value, min) {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalidArgument(name, 'an integer', value);
  }
  if (value < min) throw new RangeError(`hookwise: ${name} must be at least ${min}, got ${value}`);
  return value;
}

function checkDuration(name, value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidArgument(name, 'a finite number of milliseconds', value);
  }
  if (value < 0) throw new RangeError(`hookwise: ${name} must not be negative, got ${value}`);
  return Math.floor(value);
}

// claim(eventId, meta) -> [type, created, objectId|null, leaseMs, payload|null]
function claimMetaArgs(meta) {
  if (!isPlainObject(meta)) throw invalidArgument('meta', 'an object { type, created, leaseMs }', meta);
  if (!isString(meta.type)) throw invalidArgument('meta.type', 'a string', meta.type);
  if (Buffer.byteLength(meta.type, 'utf8') > MAX_KEY_BYTES) {
    throw new RangeError(`hookwise: meta.type must be at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  }
  const created = meta.created ?? 0;
  if (typeof created !== 'number' || !Number.isSafeInteger(created)) {
    throw invalidArgument('meta.created', 'an integer (Unix seconds)', meta.created);
  }
  const objectId = checkKey('meta.objectId', meta.objectId, { optional: true });
  const leaseMs = meta.leaseMs ?? 60000;
  if (typeof leaseMs !== 'number' || !Number.isFinite(leaseMs) || leaseMs < 1) {
    throw invalidArgument('meta.leaseMs', 'a positive number of milliseconds', meta.leaseMs);
  }
  let payload = null;
  if (meta.payload !== undefined && meta.payload !== null) {
    if (!isString(meta.payload) && !isBytes(meta.payload)) {
      throw invalidArgument('meta.payload', 'a string, Buffer or Uint8Array', meta.payload);
    }
    payload = meta.payload;
  }
  return [meta.type, created, objectId, Math.ceil(leaseMs), payload];
}

// list(query) -> [status|null, type|null, before|null, limit]
function listArgs(query) {
  if (query === undefined || query === null) return [null, null, null, DEFAULT_LIST_LIMIT];
  if (!isPlainObject(query)) throw invalidArgument('query', 'an object', query);
  const { status = null, type = null, before = null, limit = DEFAULT_LIST_LIMIT } = query;
  if (status !== null && !STATUSES.has(status)) {
    throw new TypeError(
      `hookwise: query.status must be one of ${[...STATUSES].join(', ')}, got ${JSON.stringify(status)}`,
    );
  }
  if (type !== null && !isString(type)) throw invalidArgument('query.type', 'a string', type);
  if (before !== null && (typeof before !== 'number' || !Number.isFinite(before))) {
    throw invalidArgument('query.before', 'a receivedAt in milliseconds', before);
  }
  checkInteger('query.limit', limit, 0);
  return [status, type, before, limit];
}

function checkOptions(name, options, allowed) {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw invalidArgument(`${name} options`, 'an object', options);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`hookwise: unknown ${name} option ${JSON.stringify(key)} (expected ${allowed.join(', ')})`);
    }
  }
  return options;
}

function checkRetention(value) {
  if (value === undefined) return DEFAULT_RETENTION_MS;
  return checkDuration('retentionMs', value);
}

module.exports = {
  MAX_KEY_BYTES,
  ADVANCE_CLOCK,
  checkKey,
  checkEventId,
  checkToken,
  checkInteger,
  checkDuration,
  checkOptions,
  checkRetention,
  claimMetaArgs,
  listArgs,
};
