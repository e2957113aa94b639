'use strict';
// What RedisStore and PostgresStore share: the Store argument rules (the same
// ones every store applies, from store-args.js), token generation and the
// error a store rejects with when its server fails. Both stores validate in JS
// before any I/O, so a bad argument is a TypeError/RangeError and never a
// half-written record.

const { randomUUID } = require('../runtime');
const args = require('./store-args');
const { StoreError } = require('../errors');

// A fencing token: unguessable, unique per acquired claim (made when claimed,
// never at module scope: workerd forbids random values there).
const newToken = () => randomUUID();

// The error a store rejects with when its server (or the connection to it)
// fails: a StoreError HOOKWISE_STORE_UNAVAILABLE naming the store and the
// operation, the client's error as `cause`; it never contains payloads (the
// stores never send them in errors).
function storeError(storeName, operation, cause) {
  const detail = cause && cause.message ? cause.message : String(cause);
  return new StoreError('HOOKWISE_STORE_UNAVAILABLE', `hookwise ${storeName}: ${operation} failed: ${detail}`, { cause });
}

// What every operation of a closed store rejects with.
const closedError = (storeName, operation) =>
  new StoreError('HOOKWISE_STORE_CLOSED', `hookwise ${storeName}: ${operation} called after close()`);

// The argument rules are the ones every store applies (store-args.js).
module.exports = {
  ...args,
  newToken,
  storeError,
  closedError,
};
