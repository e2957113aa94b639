'use strict';
// Versions: what decides, for one fact of one object, whether an incoming
// value replaces the kept one. A version is an array compared element by
// element (numbers numerically, strings by code unit); the larger one wins and
// an equal one changes nothing, so applying events in any order, any number of
// times, keeps the value whose version is the maximum — the same final state.
// docs/billing.md lists the version of every fact.

// Stripe's subscription lifecycle. Only consulted between events of the same
// second (and, for the final statuses, always: see FINAL_STATUSES). `paused`
// sits between `trialing` and `active`: Stripe pauses a subscription whose
// trial ended without a payment method, and resuming makes it active.
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

// A canceled or expired subscription never comes back in Stripe; a snapshot
// with one of these statuses outranks every snapshot without one.
const FINAL_STATUSES = new Set(['canceled', 'incomplete_expired']);

// An invoice's lifecycle: draft -> open -> paid | void, open -> uncollectible -> paid | void.
const INVOICE_STATUS_RANK = Object.freeze({ draft: 0, open: 1, uncollectible: 2, paid: 3, void: 3 });
const INVOICE_SETTLED_RANK = 3;

const subscriptionStatusRank = (status) => SUBSCRIPTION_STATUS_RANK[status] ?? 0;
const invoiceStatusRank = (status) => INVOICE_STATUS_RANK[status] ?? 0;

function compareVersions(a, b) {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** True when a fact with version `incoming` replaces one kept with version `kept` (none kept: always). */
const newer = (incoming, kept) => kept == null || compareVersions(incoming, kept) > 0;

module.exports = {
  SUBSCRIPTION_STATUS_RANK,
  FINAL_STATUSES,
  INVOICE_STATUS_RANK,
  INVOICE_SETTLED_RANK,
  subscriptionStatusRank,
  invoiceStatusRank,
  compareVersions,
  newer,
};
