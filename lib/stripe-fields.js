'use strict';
// API.md section 3: fields that moved between Stripe API versions. Stripe's
// 2025-03-31.basil release moved a subscription's billing period onto its
// items and an invoice's subscription under `parent.subscription_details`;
// webhook endpoints pinned to older versions still send the old shapes, so
// code that reads either must look in both places.
const { invalidArgument } = require('./args');

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function requireObject(name, value) {
  if (!isObject(value)) {
    throw invalidArgument(name, `the ${name} object (expanded, e.g. event.data.object)`, value);
  }
}

const isTimestamp = (v) => typeof v === 'number' && Number.isFinite(v);

/**
 * The end of the subscription's current period (Unix seconds): the latest
 * `items.data[].current_period_end` (basil and later) when the items carry
 * one, else the top-level `current_period_end` (earlier versions), else null.
 */
function subscriptionPeriodEnd(subscription) {
  requireObject('subscription', subscription);
  const items = isObject(subscription.items) && Array.isArray(subscription.items.data) ? subscription.items.data : [];
  let latest = null;
  for (const item of items) {
    if (isObject(item) && isTimestamp(item.current_period_end) && (latest === null || item.current_period_end > latest)) {
      latest = item.current_period_end;
    }
  }
  if (latest !== null) return latest;
  return isTimestamp(subscription.current_period_end) ? subscription.current_period_end : null;
}

// A reference to another Stripe object: its id, or an expanded object's id.
function idOf(ref) {
  if (typeof ref === 'string') return ref.length > 0 ? ref : null;
  if (isObject(ref) && typeof ref.id === 'string') return ref.id;
  return null;
}

/**
 * The id of the subscription an invoice belongs to:
 * `parent.subscription_details.subscription` (basil and later), else
 * `subscription` (earlier versions); an expanded subscription gives its id.
 * null for an invoice without a subscription.
 */
function invoiceSubscriptionId(invoice) {
  requireObject('invoice', invoice);
  const parent = invoice.parent;
  const details = isObject(parent) ? parent.subscription_details : undefined;
  const fromParent = isObject(details) ? idOf(details.subscription) : null;
  return fromParent ?? idOf(invoice.subscription);
}

module.exports = { subscriptionPeriodEnd, invoiceSubscriptionId };
