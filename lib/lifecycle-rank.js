'use strict';
// Lifecycle ranks: where a Stripe object's `status` sits in the lifecycle
// Stripe moves it through (forward only). Defined once and read by both users:
// - skip-stale ordering (lib/ordering.js): two events for one object with the
//   same `created` second are ordered by the rank of `data.object.status`;
// - the billing projection (lib/billing/versions.js): a fact's version breaks
//   same-second ties by the same ranks.
// An unknown status, or an object of another kind, ranks 0 (docs/stores.md,
// "Atomic ordering": the tie-break table).

// Stripe's subscription lifecycle. `paused` sits between `trialing` and
// `active`: Stripe pauses a subscription whose trial ended without a payment
// method, and resuming makes it active. canceled and incomplete_expired are
// final (a subscription never leaves them).
const SUBSCRIPTION_STATUS_RANK = Object.freeze({
  incomplete: 0,
  trialing: 1,
  paused: 2,
  active: 3,
  past_due: 4,
  unpaid: 5,
  canceled: 6,
  incomplete_expired: 6,
});

// An invoice's lifecycle: draft -> open -> paid | void, open -> uncollectible -> paid | void.
const INVOICE_STATUS_RANK = Object.freeze({ draft: 0, open: 1, uncollectible: 2, paid: 3, void: 3 });

const own = (table, status) => (typeof status === 'string' && Object.hasOwn(table, status) ? table[status] : 0);
const subscriptionStatusRank = (status) => own(SUBSCRIPTION_STATUS_RANK, status);
const invoiceStatusRank = (status) => own(INVOICE_STATUS_RANK, status);

// By the object's kind (`data.object.object`).
const RANK_BY_OBJECT = Object.freeze({ subscription: subscriptionStatusRank, invoice: invoiceStatusRank });

/** The lifecycle rank of an object of kind `objectType` in `status`; 0 when either is unknown. */
function lifecycleRank(objectType, status) {
  const rank = typeof objectType === 'string' && Object.hasOwn(RANK_BY_OBJECT, objectType) ? RANK_BY_OBJECT[objectType] : null;
  return rank === null ? 0 : rank(status);
}

module.exports = { SUBSCRIPTION_STATUS_RANK, INVOICE_STATUS_RANK, subscriptionStatusRank, invoiceStatusRank, lifecycleRank };
