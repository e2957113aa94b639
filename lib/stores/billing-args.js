'use strict';
// The billing-state capability of the built-in stores (docs/stores.md,
// "Optional store capabilities: billing state"): one JSON document per Stripe
// customer, written with compare-and-set on a version, plus a userId lookup.
//
//   billingGet(customerId)                       -> BillingDocument | null
//   billingFind({ userId })                      -> BillingDocument | null  (newest updatedAt, then smallest customerId)
//   billingPut(customerId, { record, userId, updatedAt }, expectedVersion)
//                                                -> the new version, or null when the stored version is not expectedVersion
//   BillingDocument = { customerId, userId: string | null, record: string (JSON), version: number, updatedAt: number }
//
// expectedVersion 0 means "not stored yet"; a put that wins stores version expectedVersion + 1.
// Documents are state, not bookkeeping: purge() and retention never delete them.
// The checks here run in every JavaScript store before it touches its backend.
const { isString, isPlainObject, invalidArgument } = require('../args');
const { checkKey, checkInteger, utf8Length } = require('./store-args');

// A customer's record is 1-3 KB (lib/billing/README.md); the bound keeps one
// runaway document from filling a Redis or Convex row limit.
const MAX_BILLING_RECORD_BYTES = 1024 * 1024;

const BILLING_STORE_METHODS = Object.freeze(['billingGet', 'billingFind', 'billingPut']);

const checkCustomerId = (value) => checkKey('customerId', value);

function checkBillingFind(query) {
  if (!isPlainObject(query)) throw invalidArgument('billingFind query', 'an object { userId }', query);
  return checkKey('userId', query.userId);
}

/** billingPut's arguments: { customerId, record, userId (null when absent), updatedAt, expectedVersion }. */
function checkBillingPut(customerId, doc, expectedVersion) {
  checkCustomerId(customerId);
  if (!isPlainObject(doc)) throw invalidArgument('document', 'an object { record, userId, updatedAt }', doc);
  if (!isString(doc.record)) throw invalidArgument('document.record', 'a string (the record as JSON)', doc.record);
  const bytes = doc.record.length * 3 <= MAX_BILLING_RECORD_BYTES ? doc.record.length : utf8Length(doc.record);
  if (bytes > MAX_BILLING_RECORD_BYTES) {
    throw new RangeError(`hookwise: document.record must be at most ${MAX_BILLING_RECORD_BYTES} bytes, got ${bytes}`);
  }
  const userId = doc.userId === undefined || doc.userId === null ? null : checkKey('document.userId', doc.userId);
  const updatedAt = checkInteger('document.updatedAt', doc.updatedAt, 0, 'an integer (ms since the epoch)');
  checkInteger('expectedVersion', expectedVersion, 0);
  return { customerId, record: doc.record, userId, updatedAt, expectedVersion };
}

/** Whether document `a` answers billingFind before `b`: newest updatedAt, then smallest customerId. */
function findsBefore(a, b) {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
  return a.customerId < b.customerId;
}

/** True when `store` implements the capability (the handler feature-detects it). */
const hasBillingCapability = (store) =>
  store !== null && typeof store === 'object' && BILLING_STORE_METHODS.every((m) => typeof store[m] === 'function');

module.exports = {
  MAX_BILLING_RECORD_BYTES,
  BILLING_STORE_METHODS,
  checkCustomerId,
  checkBillingFind,
  checkBillingPut,
  findsBefore,
  hasBillingCapability,
};
