'use strict';
// The handler's side of billing state (API.md section 8): createWebhookHandler's
// `billing` option, applied to the handler's store through its billing-state
// capability (lib/stores/billing-args.js). The projection itself is pure
// (lib/billing/projection.js); this module owns the I/O around it:
//   - per delivery, after the claim is acquired and before the user's handlers:
//     refetch (outside any store operation), then read - apply - compare-and-set,
//     again on a conflict (two events of one customer may run at once; re-applying
//     an event is a no-op, so the retry converges);
//   - reads: webhooks.billing.get({ customerId } | { userId }).
const { applyEvent, RECORD_VERSION } = require('./projection');
const { customerState } = require('./customer-state');
const { BILLING_EVENT_TYPES, billingCustomerId } = require('./fields');
const { Refetcher } = require('./refetch');
const { withStoreRetries } = require('../pending-completions');
const { checkKey } = require('../stores/store-args');
const { isPlainObject, invalidArgument } = require('../args');
const { WebhookConfigError } = require('../errors');

// Conflicts only come from deliveries of the same customer racing; each retry
// re-reads the winner's record, so a handful is plenty. Past this the store is
// not doing compare-and-set right (or something writes the document in a loop).
const MAX_CONFLICTS = 32;
const CONSUMED = new Set(BILLING_EVENT_TYPES);

/** A stored document's record, or null (absent, or written in a format this version does not read). */
function recordOf(doc) {
  if (doc === null || doc === undefined) return null;
  let record;
  try {
    record = JSON.parse(doc.record);
  } catch {
    return null;
  }
  return record !== null && typeof record === 'object' && record.v === RECORD_VERSION ? record : null;
}

class HandlerBilling {
  #options;
  #refetcher;

  /** @param {{ userId?: Function, graceDays: number, refetch?: object }} options checked by lib/handler-options.js */
  constructor(options) {
    this.#options = options;
    this.#refetcher = options.refetch ? new Refetcher(options.refetch) : null;
  }

  /** Whether the projection reads events of `type` (they are processed even without a user handler). */
  consumes(type) {
    return CONSUMED.has(type);
  }

  /**
   * Applies `event` to its customer's state in `store`; the CustomerState after it, or
   * null for an event that names no customer. Throws a BillingRefetchError or a store
   * error: the delivery then fails like a throwing handler (nothing was written).
   */
  async apply(store, event) {
    const customerId = billingCustomerId(event);
    if (customerId === null) return null;
    const fetched = this.#refetcher === null ? null : await this.#refetcher.fetch(event);
    const { userId, graceDays } = this.#options;
    for (let conflicts = 0; conflicts <= MAX_CONFLICTS; conflicts++) {
      const doc = await withStoreRetries(() => store.billingGet(customerId));
      const out = applyEvent(recordOf(doc), event, { now: Date.now(), userId, graceDays, fetched });
      if (!out.changed) return out.state;
      const put = { record: JSON.stringify(out.record), userId: out.state.userId, updatedAt: out.record.updatedAt };
      // Not retried on a store error: a put that failed after writing would then
      // conflict with itself; the delivery fails instead and Stripe sends it again.
      const version = await store.billingPut(customerId, put, doc ? doc.version : 0);
      if (version !== null) return out.state;
    }
    throw new Error(
      `hookwise: the billing state of customer ${customerId} kept changing under this delivery ` +
        `(${MAX_CONFLICTS} compare-and-set conflicts in a row); the delivery fails and Stripe sends it again`,
    );
  }

  /** webhooks.billing.get: the CustomerState now, or null when the store has none. */
  async get(store, query) {
    const doc = await billingDocument(store, query);
    const record = recordOf(doc);
    return record === null ? null : customerState(record, { now: Date.now(), graceDays: this.#options.graceDays });
  }
}

/** The stored document a `{ customerId } | { userId }` query names. */
function billingDocument(store, query) {
  const keys = isPlainObject(query) ? Object.keys(query) : [];
  if (keys.length !== 1 || (keys[0] !== 'customerId' && keys[0] !== 'userId')) {
    throw invalidArgument('billing.get query', 'an object { customerId } or { userId }', query);
  }
  if (keys[0] === 'customerId') return store.billingGet(checkKey('customerId', query.customerId));
  return store.billingFind({ userId: checkKey('userId', query.userId) });
}

/** `webhooks.billing` for a handler created without `billing`: every read says how to turn it on. */
const BILLING_OFF = Object.freeze({
  async get() {
    throw new WebhookConfigError(
      'hookwise: webhooks.billing.get() needs billing state; create the handler with createWebhookHandler({ billing: true, ... })',
      'billing_off',
    );
  },
});

module.exports = { HandlerBilling, BILLING_OFF, recordOf, billingDocument };
