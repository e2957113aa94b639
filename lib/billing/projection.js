'use strict';
// The billing projection: one customer's BillingRecord (the facts the
// CustomerState of API.md section 8 is derived from, each with its version)
// and the pure function that folds one Stripe event into it.
//
//   applyEvent(record | null, event, { now, userId?, graceDays?, fetched? })
//     -> { record, state, changed }
//
// No I/O and no clock: `now` (ms since the epoch) is the caller's, and only
// becomes `updatedAt` when the event changed something. Every fact keeps the
// version docs/billing.md gives it, and a fact is replaced only by a larger
// version, so the record after a set of events does not depend on their
// order or on duplicates. lib/billing/README.md says how a store keeps it.
const {
  isObject,
  stringOrNull,
  idOf,
  subscriptionSnapshot,
  invoiceSubscriptionId,
  eventKind,
  objectOf,
  billingCustomerId,
  defaultUserId,
} = require('./fields');
const {
  FINAL_STATUSES,
  INVOICE_SETTLED_RANK,
  subscriptionStatusRank,
  invoiceStatusRank,
  compareVersions,
} = require('./versions');
const { customerState } = require('./customer-state');
const { invalidArgument, isFunction } = require('../args');

const RECORD_VERSION = 1;

// Settled (paid or void) invoices kept per subscription; older ones are
// dropped and leave a floor below which events for that subscription's
// invoices are ignored (they could only describe settled history).
const SETTLED_INVOICES_KEPT = 12;

// Emails from the customer object outrank those seen on checkouts and invoices.
const EMAIL_FROM_CUSTOMER = 1;
const EMAIL_HINT = 0;

function emptyRecord(customerId) {
  return {
    v: RECORD_VERSION,
    customerId,
    updatedAt: 0,
    deleted: false,
    email: null,
    userId: null,
    subscriptions: {},
    invoices: {},
    invoiceFloors: {},
    entitlements: null,
    purchases: {},
  };
}

/**
 * Whether (incomingVersion, incomingValue) replaces the kept fact: a larger
 * version wins; equal versions fall back to comparing the values' JSON, so two
 * different facts with the same version end the same way in any order.
 */
function wins(version, value, kept) {
  if (kept == null) return true;
  const c = compareVersions(version, kept.v);
  if (c !== 0) return c > 0;
  return JSON.stringify(value) > JSON.stringify(valueOf(kept));
}

const valueOf = (kept) => {
  const { v, ...value } = kept;
  return value;
};

function checkOptions(options) {
  if (!isObject(options)) throw invalidArgument('options', 'an object with `now` (ms since the epoch)', options);
  const { now, userId = defaultUserId, graceDays = 0, fetched = null } = options;
  if (typeof now !== 'number' || !Number.isFinite(now)) throw invalidArgument('options.now', 'a number of ms since the epoch', now);
  if (!isFunction(userId)) throw invalidArgument('options.userId', 'a function (object) => string | null', userId);
  if (typeof graceDays !== 'number' || !(graceDays >= 0) || !Number.isFinite(graceDays)) {
    throw invalidArgument('options.graceDays', 'a non-negative number', graceDays);
  }
  if (fetched !== null && !(isObject(fetched) && typeof fetched.at === 'number')) {
    throw invalidArgument('options.fetched', 'null or a Refetcher result { at, customer?, subscriptions? }', fetched);
  }
  return { now, userId, graceDays, fetched };
}

// The record with updatedAt left out: what "changed" compares.
const factsOf = (record) => JSON.stringify({ ...record, updatedAt: 0 });

/** The same maps with their keys sorted, so equal records serialize equally. */
function canonical(record) {
  const sorted = (map) => Object.fromEntries(Object.keys(map).sort().map((k) => [k, map[k]]));
  record.subscriptions = sorted(record.subscriptions);
  record.invoices = sorted(record.invoices);
  record.invoiceFloors = sorted(record.invoiceFloors);
  record.purchases = sorted(record.purchases);
  return record;
}

/**
 * Fold one event into a customer's record. Events the projection does not
 * read, and events naming no customer, leave the record as it is (changed
 * false; a null record stays null).
 */
function applyEvent(record, event, options) {
  const opts = checkOptions(options);
  if (record !== null && !(isObject(record) && record.v === RECORD_VERSION)) {
    throw invalidArgument('record', `null or a BillingRecord (v: ${RECORD_VERSION})`, record);
  }
  const kind = eventKind(event);
  const object = objectOf(event);
  const customerId = billingCustomerId(event);
  if (kind === null || object === null || customerId === null) {
    return { record, state: record === null ? null : customerState(record, opts), changed: false };
  }
  if (record !== null && record.customerId !== customerId) {
    throw new TypeError(`hookwise: event ${event.id} is about customer ${customerId}, the record given is ${record.customerId}'s`);
  }
  if (!Number.isSafeInteger(event.created)) throw invalidArgument('event.created', 'an integer (Unix seconds)', event.created);

  const next = record === null ? emptyRecord(customerId) : JSON.parse(JSON.stringify(record));
  const facts = new Facts(next, opts);
  const at = event.created;
  const fetched = opts.fetched;
  // A fetched object is at least as new as the fetch's start and as the event.
  const fetchedAt = fetched ? Math.max(Math.floor(fetched.at / 1000), at) : at;

  switch (kind) {
    case 'customer': {
      const fromStripe = fetched && isObject(fetched.customer) ? fetched.customer : null;
      const customer = fromStripe ?? object;
      const when = fromStripe ? fetchedAt : at;
      if (fromStripe === null && event.type === 'customer.deleted') facts.markDeleted();
      facts.customer(customer, when);
      break;
    }
    case 'subscription': {
      const fromStripe = (fetched && Array.isArray(fetched.subscriptions) ? fetched.subscriptions : []).filter(
        (sub) => isObject(sub) && idOf(sub.customer) === customerId,
      );
      for (const sub of fromStripe) facts.subscription(sub, fetchedAt);
      // Stripe did not return this subscription (404, or past the list's cap): its payload stands in.
      if (!fromStripe.some((sub) => sub.id === object.id)) facts.subscription(object, at);
      break;
    }
    case 'invoice':
      facts.link(object, at);
      facts.emailHint(object.customer_email, at);
      facts.invoice(object, event.type, at);
      break;
    case 'checkout':
      facts.link(object, at);
      facts.emailHint(isObject(object.customer_details) ? object.customer_details.email : null, at);
      facts.purchase(object);
      break;
    case 'entitlements':
      facts.entitlements(object, at);
      break;
    default:
      break;
  }

  canonical(next);
  const changed = record === null || factsOf(next) !== factsOf(record);
  if (!changed) return { record, state: customerState(record, opts), changed: false };
  next.updatedAt = opts.now;
  return { record: next, state: customerState(next, opts), changed: true };
}

/** The writers of each fact, applied to a record being built. */
class Facts {
  #r;
  #userId;

  constructor(record, opts) {
    this.#r = record;
    this.#userId = opts.userId;
  }

  markDeleted() {
    this.#r.deleted = true;
  }

  customer(customer, at) {
    if (customer.deleted === true) this.markDeleted();
    this.link(customer, at);
    // The API's stub for a deleted customer has no email field: it says nothing about the email.
    if (Object.prototype.hasOwnProperty.call(customer, 'email')) this.#email(EMAIL_FROM_CUSTOMER, stringOrNull(customer.email), at);
  }

  emailHint(email, at) {
    const value = stringOrNull(email);
    if (value !== null) this.#email(EMAIL_HINT, value, at);
  }

  #email(tier, value, at) {
    const version = [tier, at];
    if (wins(version, { value }, this.#r.email)) this.#r.email = { v: version, value };
  }

  /** userId: whatever options.userId finds on the object links it; nothing found links nothing. */
  link(object, at) {
    const found = this.#userId(object);
    if (typeof found !== 'string' || found.length === 0) return;
    const version = [at];
    if (wins(version, { value: found }, this.#r.userId)) this.#r.userId = { v: version, value: found };
  }

  subscription(sub, at) {
    if (typeof sub.id !== 'string' || sub.id.length === 0) return;
    this.link(sub, at);
    const snap = subscriptionSnapshot(sub);
    const version = [FINAL_STATUSES.has(snap.status) ? 1 : 0, at, subscriptionStatusRank(snap.status)];
    const kept = this.#r.subscriptions[sub.id];
    if (wins(version, { snap }, kept)) this.#r.subscriptions[sub.id] = { v: version, snap };
  }

  invoice(inv, type, at) {
    const id = idOf(inv.id);
    const subscription = invoiceSubscriptionId(inv);
    if (id === null || subscription === null) return; // one-off invoices decide no subscription's state
    const failed = type === 'invoice.payment_failed';
    const status = typeof inv.status === 'string' ? inv.status : failed ? 'open' : 'paid';
    const attempts = Number.isInteger(inv.attempt_count) ? inv.attempt_count : failed ? 1 : 0;
    const created = Number.isSafeInteger(inv.created) ? inv.created : at;
    const invoices = this.#r.invoices;
    const kept = invoices[id];
    const floor = this.#r.invoiceFloors[subscription];
    if (kept === undefined && floor !== undefined && created <= floor) return;

    const value = { subscription, created, status, attempts };
    const version = [at, invoiceStatusRank(status), attempts];
    // The first failure is the earliest payment_failed seen, whatever else won.
    const firstFailedAt = failed ? Math.min(kept?.firstFailedAt ?? at, at) : kept?.firstFailedAt ?? null;
    const take = kept === undefined || wins(version, value, { v: kept.v, ...valueFields(kept) });
    invoices[id] = take ? { v: version, ...value, firstFailedAt } : { ...kept, firstFailedAt };
    this.#prune(subscription);
  }

  #prune(subscription) {
    const settled = Object.entries(this.#r.invoices)
      .filter(([, inv]) => inv.subscription === subscription && invoiceStatusRank(inv.status) >= INVOICE_SETTLED_RANK)
      .sort(([a, x], [b, y]) => y.created - x.created || (b < a ? -1 : b > a ? 1 : 0));
    for (const [id, inv] of settled.slice(SETTLED_INVOICES_KEPT)) {
      delete this.#r.invoices[id];
      const floor = this.#r.invoiceFloors[subscription];
      this.#r.invoiceFloors[subscription] = floor === undefined ? inv.created : Math.max(floor, inv.created);
    }
  }

  /** A paid one-off checkout; the same session always gives the same purchase. */
  purchase(session) {
    if (session.mode !== 'payment' || session.payment_status !== 'paid') return;
    const id = idOf(session.id);
    if (id === null) return;
    const purchase = {
      checkoutSessionId: id,
      paymentIntentId: idOf(session.payment_intent),
      amountTotal: Number.isFinite(session.amount_total) ? session.amount_total : null,
      currency: stringOrNull(session.currency),
      created: Number.isSafeInteger(session.created) ? session.created : null,
    };
    const kept = this.#r.purchases[id];
    if (kept === undefined || JSON.stringify(purchase) > JSON.stringify(kept)) this.#r.purchases[id] = purchase;
  }

  entitlements(summary, at) {
    const list = isObject(summary.entitlements) && Array.isArray(summary.entitlements.data) ? summary.entitlements.data : [];
    const keys = [...new Set(list.map((e) => (isObject(e) ? stringOrNull(e.lookup_key) : null)).filter((k) => k !== null))].sort();
    const version = [at];
    if (wins(version, { keys }, this.#r.entitlements)) this.#r.entitlements = { v: version, keys };
  }
}

const valueFields = (inv) => ({ subscription: inv.subscription, created: inv.created, status: inv.status, attempts: inv.attempts });

module.exports = { applyEvent, emptyRecord, RECORD_VERSION, SETTLED_INVOICES_KEPT };
