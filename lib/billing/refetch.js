'use strict';
// `billing: { refetch: stripe }`: for customer and subscription events, read
// the customer's current objects from Stripe instead of trusting the payload,
// with one fetch per customer for a burst of events.
//
//   const refetcher = new Refetcher(stripe, { windowMs?, now? });
//   const fetched = await refetcher.fetch(event);   // null: this event uses its payload
//   applyEvent(record, event, { now, fetched, ... });
//
// Coalescing, per customer id:
// - A delivery that needs a fetch joins the customer's *pending* batch (one
//   that has not started yet), or opens one that starts `windowMs` later
//   (default 250 ms). Every delivery of the burst that arrives meanwhile
//   shares it: one burst, one fetch.
// - A delivery may also share a batch that is already *running*, but only if
//   that batch covers what it needs and started in a later second than the
//   event's `created`: a fetch that began before the change the event reports
//   could return the object as it was before it. Otherwise it opens the next
//   pending batch.
// - The calls: `GET /v1/customers/:id` for customer events; for subscription
//   events `GET /v1/subscriptions/:id` when the batch needs one subscription,
//   else one `GET /v1/subscriptions?customer=…&status=all` list (all pages).
//   Both run in parallel when a batch needs both.
// - A 404 (`resource_missing`) for a part leaves that part out: those events
//   fall back to their payload. Any other failure rejects every delivery
//   sharing the batch with a BillingRefetchError, and the next delivery
//   starts afresh; stripe-node's own retries (`maxNetworkRetries`) happen
//   inside the batch.
// No timer exists unless a batch is pending.
const { isObject, idOf, eventKind, objectOf } = require('./fields');
const { BillingRefetchError } = require('../errors');
const { invalidArgument, isFunction } = require('../args');

const DEFAULT_WINDOW_MS = 250;
const LIST_PAGE = 100;
const LIST_MAX = 1000;

/**
 * What an event needs from Stripe: `{ customerId, customer: true }` for
 * customer events, `{ customerId, subscriptionId }` for subscription events,
 * null for every other event (applied from its payload).
 */
function refetchNeeds(event) {
  const kind = eventKind(event);
  const object = objectOf(event);
  if (object === null) return null;
  if (kind === 'customer') {
    const customerId = idOf(object.id);
    return customerId === null ? null : { customerId, customer: true, subscriptionId: null };
  }
  if (kind === 'subscription') {
    const customerId = idOf(object.customer);
    const subscriptionId = idOf(object.id);
    return customerId === null || subscriptionId === null ? null : { customerId, customer: false, subscriptionId };
  }
  return null;
}

function isStripeClient(stripe) {
  if (stripe === null || typeof stripe !== 'object') return false;
  const { customers, subscriptions } = stripe;
  return isObject(customers) && isFunction(customers.retrieve) && isObject(subscriptions) && isFunction(subscriptions.retrieve) && isFunction(subscriptions.list);
}

function classify(err) {
  if (err && (err.type === 'StripeRateLimitError' || err.statusCode === 429)) return 'rate_limited';
  if (err && err.type === 'StripeConnectionError') return 'connection_error';
  return 'stripe_error';
}

const isMissing = (err) => Boolean(err) && (err.code === 'resource_missing' || err.statusCode === 404);

class Batch {
  constructor() {
    this.customer = false;
    this.subscriptionIds = new Set();
    this.startedAt = null;
    this.usedList = false;
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  add(needs) {
    if (needs.customer) this.customer = true;
    if (needs.subscriptionId !== null) this.subscriptionIds.add(needs.subscriptionId);
  }

  covers(needs) {
    if (needs.customer && !this.customer) return false;
    if (needs.subscriptionId !== null && !this.usedList && !this.subscriptionIds.has(needs.subscriptionId)) return false;
    return true;
  }
}

class Refetcher {
  #stripe;
  #windowMs;
  #now;
  #batches = new Map(); // customerId -> { pending: Batch | null, running: Set<Batch> }

  constructor(stripe, { windowMs = DEFAULT_WINDOW_MS, now = Date.now } = {}) {
    if (!isStripeClient(stripe)) {
      throw invalidArgument('billing.refetch', 'a stripe-node client (new Stripe(secretKey))', stripe);
    }
    if (!Number.isInteger(windowMs) || windowMs < 0) throw invalidArgument('windowMs', 'a non-negative integer', windowMs);
    if (!isFunction(now)) throw invalidArgument('now', 'a function returning ms since the epoch', now);
    this.#stripe = stripe;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /**
   * The current Stripe objects an event's state should be built from:
   * `{ at, customer?, subscriptions? }` (`at`: ms when the fetch started), or
   * null when the event is not refetched. Rejects with BillingRefetchError.
   */
  fetch(event) {
    const needs = refetchNeeds(event);
    if (needs === null) return Promise.resolve(null);
    const entry = this.#entry(needs.customerId);
    const created = Number.isSafeInteger(event.created) ? event.created : Infinity;
    for (const running of entry.running) {
      if (running.startedAt >= (created + 1) * 1000 && running.covers(needs)) return running.promise;
    }
    if (entry.pending === null) {
      const batch = new Batch();
      entry.pending = batch;
      setTimeout(() => this.#start(needs.customerId, batch), this.#windowMs);
    }
    entry.pending.add(needs);
    return entry.pending.promise;
  }

  /** Customers with a pending or running batch (for tests and shutdown checks). */
  get busy() {
    return this.#batches.size;
  }

  #entry(customerId) {
    let entry = this.#batches.get(customerId);
    if (entry === undefined) {
      entry = { pending: null, running: new Set() };
      this.#batches.set(customerId, entry);
    }
    return entry;
  }

  async #start(customerId, batch) {
    const entry = this.#entry(customerId);
    if (entry.pending === batch) entry.pending = null;
    entry.running.add(batch);
    batch.startedAt = this.#now();
    batch.usedList = batch.subscriptionIds.size > 1;
    try {
      batch.resolve(await this.#load(customerId, batch));
    } catch (err) {
      batch.reject(err instanceof BillingRefetchError ? err : new BillingRefetchError(classify(err), customerId, err));
    } finally {
      entry.running.delete(batch);
      if (entry.pending === null && entry.running.size === 0) this.#batches.delete(customerId);
    }
  }

  async #load(customerId, batch) {
    const stripe = this.#stripe;
    const part = (promise) => promise.catch((err) => (isMissing(err) ? undefined : Promise.reject(err)));
    const [customer, subscriptions] = await Promise.all([
      batch.customer ? part(stripe.customers.retrieve(customerId)) : undefined,
      batch.subscriptionIds.size === 0
        ? undefined
        : batch.usedList
          ? part(stripe.subscriptions.list({ customer: customerId, status: 'all', limit: LIST_PAGE }).autoPagingToArray({ limit: LIST_MAX }))
          : part(stripe.subscriptions.retrieve([...batch.subscriptionIds][0]).then((sub) => [sub])),
    ]);
    const result = { at: batch.startedAt };
    if (isObject(customer)) result.customer = customer;
    if (Array.isArray(subscriptions)) result.subscriptions = subscriptions;
    return result;
  }
}

module.exports = { Refetcher, refetchNeeds, isStripeClient, DEFAULT_WINDOW_MS };
