'use strict';
// Versions: what decides, for one fact of one object, whether an incoming
// value replaces the kept one. A version is an array compared element by
// element (numbers numerically, strings by code unit); the larger one wins and
// an equal one changes nothing, so applying events in any order, any number of
// times, keeps the value whose version is the maximum — the same final state.
// docs/billing.md lists the version of every fact.

// The status ranks are the lifecycle ranks skip-stale ordering uses too, defined
// once in lib/lifecycle-rank.js (only consulted between events of the same
// second and, for the final statuses, always: see FINAL_STATUSES).
const {
  SUBSCRIPTION_STATUS_RANK,
  INVOICE_STATUS_RANK,
  subscriptionStatusRank,
  invoiceStatusRank,
} = require('../lifecycle-rank');

// A canceled or expired subscription never comes back in Stripe; a snapshot
// with one of these statuses outranks every snapshot without one.
const FINAL_STATUSES = new Set(['canceled', 'incomplete_expired']);

// Paid or void: the invoice is settled.
const INVOICE_SETTLED_RANK = 3;

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
