'use strict';
// The argument rules of the Store interface (API.md §5), written once and
// applied by every store — MemoryStore, SqliteStore, RedisStore, PostgresStore
// and ConvexStore — before any native call or I/O, so an app that moves from
// one store to another meets the same errors: a TypeError for a value of the
// wrong type, a RangeError for one out of range, each naming the argument.
//
// Pure JavaScript with no Node built-ins: hookwise/convex imports it, and that
// module also runs inside Convex's own (non-Node) runtime.

const { isString, isBytes, isPlainObject, describe, invalidArgument } = require('../args');

// The longest event id, object id and event type a store accepts, in UTF-8
// bytes. Stripe's ids are ~30 bytes; 255 keeps keys small in every backend
// (the native core refuses longer ones, so every store does).
const MAX_KEY_BYTES = 255;
const DEFAULT_LIST_LIMIT = 100;
// One list() call returns at most this many records (one Redis script, one
// SQL query, one Convex query); page with `before` for more.
const MAX_LIST_LIMIT = 10_000;
const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const STATUSES = Object.freeze(['processing', 'completed', 'failed', 'dead_lettered']);
// A failure's message is kept as lastError cut to this many bytes of UTF-8 (on
// a character boundary), in every store: one huge message must not bloat a
// record (a multi-MiB one breaks Convex's 1 MiB document limit).
const MAX_LAST_ERROR_BYTES = 2048;
// Retention runs on its own: a claim deletes what is past retentionMs at most
// this often (or every retentionMs, when that is shorter), as the native
// MemoryStore does. No timer: nothing runs while no event arrives.
const SWEEP_INTERVAL_MS = 60 * 1000;

// Tests only: `store[ADVANCE_CLOCK](ms)` moves a native store's clock forward
// so leases expire and records age without sleeping.
const ADVANCE_CLOCK = Symbol.for('hookwise.store.advanceClock');

// UTF-8 length of a JS string without encoding it (no Buffer here). A lone
// surrogate counts 3 bytes, as U+FFFD, which is what encoders write for it.
function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length &&
      text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

// fail()'s error as every store keeps it: UTF-8 (a lone surrogate becomes
// U+FFFD, as an encoder writes it), cut to MAX_LAST_ERROR_BYTES without
// splitting a character. TextEncoder/TextDecoder are globals in every runtime
// hookwise supports (Node, Bun, Deno, workerd, Convex).
let encoder = null;
let decoder = null;
function truncateLastError(text) {
  if (text.length * 3 <= MAX_LAST_ERROR_BYTES && typeof text.isWellFormed === 'function' && text.isWellFormed()) {
    return text;
  }
  encoder ??= new TextEncoder();
  decoder ??= new TextDecoder();
  const bytes = encoder.encode(text);
  let end = bytes.length;
  if (end > MAX_LAST_ERROR_BYTES) {
    end = MAX_LAST_ERROR_BYTES;
    while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  }
  return decoder.decode(bytes.subarray(0, end));
}

// When the next retention sweep is due after one at `now`.
const nextSweepAfter = (now, retentionMs) => now + Math.min(SWEEP_INTERVAL_MS, Math.max(retentionMs, 1));

function outOfRange(name, expected, value) {
  return new RangeError(`hookwise: ${name} must be ${expected}, got ${value}`);
}

// An event id, object id or event type: 1 to 255 bytes of UTF-8.
const isKey = (value) => isString(value) && value.length > 0 && utf8Length(value) <= MAX_KEY_BYTES;

function checkKey(name, value) {
  if (!isString(value)) throw invalidArgument(name, 'a string', value);
  const bytes = utf8Length(value);
  if (bytes === 0 || bytes > MAX_KEY_BYTES) {
    throw outOfRange(name, `1 to ${MAX_KEY_BYTES} bytes of UTF-8`, `${bytes}`);
  }
  return value;
}

const checkEventId = (value) => checkKey('eventId', value);
const checkObjectId = (value, name = 'objectId') => checkKey(name, value);

function checkToken(value) {
  if (!isString(value)) throw invalidArgument('token', 'a string', value);
  return value;
}

// A safe integer of at least `min` (TypeError when not an integer at all).
function checkInteger(name, value, min, expected = 'an integer') {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidArgument(name, expected, value);
  if (value < min) throw outOfRange(name, `at least ${min}`, value);
  return value;
}

const checkCreated = (value, name = 'created') => checkInteger(name, value, Number.MIN_SAFE_INTEGER, 'an integer (Unix seconds)');

// claim(eventId, meta): { type, created, objectId (null when absent), leaseMs, payload (null when absent) }
function checkClaimMeta(meta) {
  if (!isPlainObject(meta)) throw invalidArgument('meta', 'an object { type, created, objectId?, leaseMs, payload? }', meta);
  const type = checkKey('meta.type', meta.type);
  const created = checkCreated(meta.created, 'meta.created');
  const objectId = meta.objectId === undefined || meta.objectId === null ? null : checkObjectId(meta.objectId, 'meta.objectId');
  const leaseMs = checkInteger('meta.leaseMs', meta.leaseMs, 1, 'an integer (milliseconds)');
  let payload = null;
  if (meta.payload !== undefined && meta.payload !== null) {
    if (!isString(meta.payload) && !isBytes(meta.payload)) {
      throw invalidArgument('meta.payload', 'a string, Buffer or Uint8Array', meta.payload);
    }
    payload = meta.payload;
  }
  const order = meta.order === undefined || meta.order === null ? null : checkOrder(meta.order);
  return { type, created, objectId, leaseMs, payload, order };
}

// meta.order (atomic ordering, docs/stores.md): the object whose ordering slot
// the claim takes and the (created, rank) its completion marks.
function checkOrder(order) {
  if (!isPlainObject(order)) throw invalidArgument('meta.order', 'an object { objectId, created, rank }', order);
  checkOptions('meta.order', order, ['objectId', 'created', 'rank']);
  const objectId = checkObjectId(order.objectId, 'meta.order.objectId');
  const created = checkCreated(order.created, 'meta.order.created');
  const rank = checkInteger('meta.order.rank', order.rank, 0);
  return { objectId, created, rank };
}

function checkFailArgs(error, maxAttempts) {
  if (!isString(error)) throw invalidArgument('error', 'a string', error);
  checkInteger('maxAttempts', maxAttempts, 1);
}

// list(query): { status, type, before (an integer, null when absent), limit }
function normalizeListQuery(query) {
  if (query === undefined || query === null) return { status: null, type: null, before: null, limit: DEFAULT_LIST_LIMIT };
  if (!isPlainObject(query)) throw invalidArgument('query', 'an object { status?, type?, before?, limit? }', query);
  // A misspelt filter would otherwise list everything.
  checkOptions('list query', query, ['status', 'type', 'before', 'limit']);
  const { status = null, type = null, before = null, limit = DEFAULT_LIST_LIMIT } = query;
  if (status !== null && !STATUSES.includes(status)) {
    throw new TypeError(`hookwise: query.status must be one of ${STATUSES.join(', ')}, got ${isString(status) ? JSON.stringify(status) : describe(status)}`);
  }
  if (type !== null) checkKey('query.type', type);
  if (before !== null && (typeof before !== 'number' || !Number.isFinite(before))) {
    throw invalidArgument('query.before', 'a receivedAt in milliseconds', before);
  }
  checkInteger('query.limit', limit, 1);
  if (limit > MAX_LIST_LIMIT) throw outOfRange('query.limit', `at most ${MAX_LIST_LIMIT}`, limit);
  // receivedAt is whole milliseconds: receivedAt < before <=> receivedAt < ceil(before), so every
  // backend gets an integer cursor (PostgreSQL's bigint refuses a fraction).
  return { status, type, before: before === null ? null : Math.ceil(before), limit };
}

const checkOlderThan = (value) => checkInteger('olderThanMs', value, 0, 'an integer (milliseconds)');

// A store's retentionMs option; the default when absent.
function checkRetention(value) {
  if (value === undefined) return DEFAULT_RETENTION_MS;
  return checkInteger('retentionMs', value, 1, 'an integer (milliseconds)');
}

// A constructor's options object, refusing keys it does not know (a typo
// would otherwise silently use a default).
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

// The options of the two embedded stores, checked once for both implementations
// (the native one in lib/engine/native/, the portable one in lib/engine/portable/
// and lib/stores/portable-sqlite-store.js), so they refuse and default alike.
const DEFAULT_MAX_ENTRIES = 100000;
const DEFAULT_SQLITE_PATH = '.hookwise/events.db';
const DURABILITIES = ['full', 'normal'];

/** MemoryStore's options: { name: string | undefined, maxEntries, retentionMs (checked) }. */
function memoryStoreOptions(options) {
  const { name, maxEntries = DEFAULT_MAX_ENTRIES, retentionMs } = checkOptions('MemoryStore', options, [
    'name',
    'maxEntries',
    'retentionMs',
  ]);
  if (name !== undefined && (!isString(name) || name === '')) {
    throw invalidArgument('MemoryStore name', 'a non-empty string', name);
  }
  checkInteger('maxEntries', maxEntries, 1);
  return { name, maxEntries, retentionMs: checkRetention(retentionMs) };
}

/** SqliteStore's options: { path (as given), retentionMs (checked), durability, keepPayloads }. */
function sqliteStoreOptions(options) {
  const {
    path: file = DEFAULT_SQLITE_PATH,
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
  return { path: file, retentionMs: checkRetention(retentionMs), durability, keepPayloads };
}

// savePayload(eventId, payload) (the pending-payload capability, ack-first delivery): the raw
// body as bytes, a string as its UTF-8.
function payloadBytes(payload) {
  if (isString(payload)) return new TextEncoder().encode(payload);
  if (isBytes(payload)) return payload;
  throw invalidArgument('payload', 'a string, Buffer or Uint8Array', payload);
}

module.exports = {
  payloadBytes,
  memoryStoreOptions,
  sqliteStoreOptions,
  MAX_KEY_BYTES,
  MAX_LIST_LIMIT,
  DEFAULT_LIST_LIMIT,
  DEFAULT_RETENTION_MS,
  STATUSES,
  MAX_LAST_ERROR_BYTES,
  SWEEP_INTERVAL_MS,
  ADVANCE_CLOCK,
  truncateLastError,
  nextSweepAfter,
  utf8Length,
  isKey,
  checkKey,
  checkEventId,
  checkObjectId,
  checkToken,
  checkInteger,
  checkCreated,
  checkClaimMeta,
  checkFailArgs,
  normalizeListQuery,
  checkOlderThan,
  checkRetention,
  checkOptions,
};
