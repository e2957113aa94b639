'use strict';
// What RedisStore and PostgresStore share: argument checks for the Store
// interface (API.md §5), token generation and the error a store rejects with
// when its server fails. Both stores validate in JS before any I/O, so a bad
// argument is a TypeError/RangeError and never a half-written record.

const { randomUUID } = require('node:crypto');
const { isString, invalidArgument } = require('../args');

const STATUSES = Object.freeze(['processing', 'completed', 'failed', 'dead_lettered']);
const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 10_000;

const isPositiveInteger = (v) => Number.isSafeInteger(v) && v > 0;
const isTimestamp = (v) => typeof v === 'number' && Number.isFinite(v);
// Stripe's `created` is whole seconds since the epoch.
const isCreated = (v) => Number.isSafeInteger(v);

function checkEventId(eventId) {
  if (!isString(eventId) || eventId.length === 0) throw invalidArgument('eventId', 'a non-empty string', eventId);
}

function checkClaimMeta(meta) {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw invalidArgument('meta', 'an object { type, created, objectId?, leaseMs }', meta);
  }
  if (!isString(meta.type) || meta.type.length === 0) throw invalidArgument('meta.type', 'a non-empty string', meta.type);
  if (!isCreated(meta.created)) throw invalidArgument('meta.created', 'an integer (Unix seconds)', meta.created);
  if (meta.objectId !== undefined && meta.objectId !== null && !isString(meta.objectId)) {
    throw invalidArgument('meta.objectId', 'a string, null or undefined', meta.objectId);
  }
  if (!isPositiveInteger(meta.leaseMs)) throw invalidArgument('meta.leaseMs', 'a positive integer (milliseconds)', meta.leaseMs);
}

function checkToken(token) {
  if (!isString(token)) throw invalidArgument('token', 'a string', token);
}

function checkFailArgs(error, maxAttempts) {
  if (!isString(error)) throw invalidArgument('error', 'a string', error);
  if (!isPositiveInteger(maxAttempts)) throw invalidArgument('maxAttempts', 'a positive integer', maxAttempts);
}

function checkObjectId(objectId) {
  if (!isString(objectId) || objectId.length === 0) throw invalidArgument('objectId', 'a non-empty string', objectId);
}

function checkCreated(created) {
  if (!isCreated(created)) throw invalidArgument('created', 'an integer (Unix seconds)', created);
}

// Returns { status, type, before, limit } with defaults applied.
function normalizeListQuery(query) {
  if (query === undefined || query === null) query = {};
  if (typeof query !== 'object' || Array.isArray(query)) throw invalidArgument('query', 'an object', query);
  const { status, type, before, limit = DEFAULT_LIST_LIMIT } = query;
  if (status !== undefined && status !== null && !STATUSES.includes(status)) {
    throw invalidArgument('query.status', `one of ${STATUSES.join(', ')}`, status);
  }
  if (type !== undefined && type !== null && (!isString(type) || type.length === 0)) {
    throw invalidArgument('query.type', 'a non-empty string', type);
  }
  if (before !== undefined && before !== null && !isTimestamp(before)) {
    throw invalidArgument('query.before', 'a receivedAt timestamp (ms)', before);
  }
  if (!isPositiveInteger(limit) || limit > MAX_LIST_LIMIT) {
    throw invalidArgument('query.limit', `an integer from 1 to ${MAX_LIST_LIMIT}`, limit);
  }
  return { status: status ?? null, type: type ?? null, before: before ?? null, limit };
}

function checkOlderThan(olderThanMs) {
  if (!Number.isSafeInteger(olderThanMs) || olderThanMs < 0) {
    throw invalidArgument('olderThanMs', 'a non-negative integer (milliseconds)', olderThanMs);
  }
}

function checkRetention(retentionMs) {
  if (!isPositiveInteger(retentionMs)) throw invalidArgument('retentionMs', 'a positive integer (milliseconds)', retentionMs);
}

// A fencing token: unguessable, unique per acquired claim.
const newToken = () => randomUUID();

// The error a store rejects with when its server (or the connection to it)
// fails. It names the store and the operation and keeps the client's error as
// `cause`; it never contains payloads (the stores never send them in errors).
function storeError(storeName, operation, cause) {
  const detail = cause && cause.message ? cause.message : String(cause);
  const err = new Error(`hookwise ${storeName}: ${operation} failed: ${detail}`, { cause });
  err.code = 'store_unavailable';
  return err;
}

module.exports = {
  STATUSES,
  DEFAULT_RETENTION_MS,
  DEFAULT_LIST_LIMIT,
  checkEventId,
  checkClaimMeta,
  checkToken,
  checkFailArgs,
  checkObjectId,
  checkCreated,
  normalizeListQuery,
  checkOlderThan,
  checkRetention,
  isPositiveInteger,
  newToken,
  storeError,
};
