'use strict';
// Reading the Stripe objects the billing projection consumes: which customer an
// event is about, the SubscriptionState fields of a subscription in either API
// shape, and the default userId link. Pure functions of their arguments.
const { subscriptionPeriodEnd, invoiceSubscriptionId } = require('../stripe-fields');

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTimestamp = (v) => typeof v === 'number' && Number.isFinite(v);
const timestampOrNull = (v) => (isTimestamp(v) ? v : null);
const stringOrNull = (v) => (typeof v === 'string' && v.length > 0 ? v : null);

/** A reference to another Stripe object: its id, or an expanded object's id. */
function idOf(ref) {
  if (typeof ref === 'string') return ref.length > 0 ? ref : null;
  if (isObject(ref) && typeof ref.id === 'string' && ref.id.length > 0) return ref.id;
  return null;
}

function itemsOf(subscription) {
  const items = isObject(subscription.items) && Array.isArray(subscription.items.data) ? subscription.items.data : [];
  return items.filter(isObject);
}

/**
 * The start of the subscription's current period, read the way
 * subscriptionPeriodEnd reads the end: the latest
 * `items.data[].current_period_start` (basil and later) when the items carry
 * one, else the top-level `current_period_start`, else null.
 */
function subscriptionPeriodStart(subscription) {
  let latest = null;
  for (const item of itemsOf(subscription)) {
    if (isTimestamp(item.current_period_start) && (latest === null || item.current_period_start > latest)) {
      latest = item.current_period_start;
    }
  }
  if (latest !== null) return latest;
  return timestampOrNull(subscription.current_period_start);
}

/**
 * The SubscriptionState fields a subscription object determines (all but
 * failedPaymentAttempts, which comes from its invoices), plus `created`, the
 * subscription's own creation time that orders "newest first".
 * Price, product and quantity are those of the first item (the top-level
 * `plan` / `quantity` of old API versions when there are no items).
 */
function subscriptionSnapshot(subscription) {
  const item = itemsOf(subscription)[0] ?? null;
  const price = (item && (item.price ?? item.plan)) ?? subscription.plan ?? null;
  const quantity = item && Number.isInteger(item.quantity) ? item.quantity : Number.isInteger(subscription.quantity) ? subscription.quantity : null;
  return {
    id: subscription.id,
    status: typeof subscription.status === 'string' ? subscription.status : 'incomplete',
    priceId: idOf(price),
    productId: isObject(price) ? idOf(price.product) : null,
    quantity,
    currentPeriodStart: subscriptionPeriodStart(subscription),
    currentPeriodEnd: subscriptionPeriodEnd(subscription),
    cancelAtPeriodEnd: subscription.cancel_at_period_end === true,
    cancelAt: timestampOrNull(subscription.cancel_at),
    canceledAt: timestampOrNull(subscription.canceled_at),
    trialEnd: timestampOrNull(subscription.trial_end),
    created: timestampOrNull(subscription.created),
  };
}

/** The event types the projection reads, by what their data.object is. */
const CUSTOMER_EVENTS = ['customer.created', 'customer.updated', 'customer.deleted'];
const SUBSCRIPTION_EVENTS = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'customer.subscription.trial_will_end',
];
const INVOICE_EVENTS = ['invoice.paid', 'invoice.payment_succeeded', 'invoice.payment_failed'];
const CHECKOUT_EVENTS = ['checkout.session.completed'];
const ENTITLEMENT_EVENTS = ['entitlements.active_entitlement_summary.updated'];

const KIND = new Map([
  ...CUSTOMER_EVENTS.map((t) => [t, 'customer']),
  ...SUBSCRIPTION_EVENTS.map((t) => [t, 'subscription']),
  ...INVOICE_EVENTS.map((t) => [t, 'invoice']),
  ...CHECKOUT_EVENTS.map((t) => [t, 'checkout']),
  ...ENTITLEMENT_EVENTS.map((t) => [t, 'entitlements']),
]);

const BILLING_EVENT_TYPES = [...KIND.keys()];

/** 'customer' | 'subscription' | 'invoice' | 'checkout' | 'entitlements' | null (not a billing event). */
function eventKind(event) {
  return isObject(event) ? KIND.get(event.type) ?? null : null;
}

function objectOf(event) {
  return isObject(event) && isObject(event.data) && isObject(event.data.object) ? event.data.object : null;
}

/**
 * The Stripe customer id a billing event is about, or null when the event is
 * not one the projection reads or names no customer (a guest checkout).
 */
function billingCustomerId(event) {
  const kind = eventKind(event);
  const object = objectOf(event);
  if (kind === null || object === null) return null;
  return kind === 'customer' ? idOf(object.id) : idOf(object.customer);
}

/** The default userId link: `metadata.userId`, then a checkout session's `client_reference_id`. */
function defaultUserId(object) {
  if (!isObject(object)) return null;
  const fromMetadata = isObject(object.metadata) ? stringOrNull(object.metadata.userId) : null;
  if (fromMetadata !== null) return fromMetadata;
  return object.object === 'checkout.session' ? stringOrNull(object.client_reference_id) : null;
}

module.exports = {
  isObject,
  isTimestamp,
  stringOrNull,
  idOf,
  subscriptionPeriodStart,
  subscriptionSnapshot,
  invoiceSubscriptionId,
  BILLING_EVENT_TYPES,
  eventKind,
  objectOf,
  billingCustomerId,
  defaultUserId,
};
