'use strict';
// The CustomerState of API.md section 8, derived from a BillingRecord.
// `hasAccess` depends on the time (graceDays), so it is computed for the
// `now` given: readers pass the current time, the projection the event's.
const { INVOICE_SETTLED_RANK, invoiceStatusRank } = require('./versions');

const DAY_SECONDS = 86_400;
const byIdDescending = (a, b) => (a < b ? 1 : a > b ? -1 : 0);

/**
 * What a subscription's invoices say: failedPaymentAttempts is the
 * attempt_count of its newest unpaid invoice (0 when none is unpaid), and the
 * grace period starts at the earliest failure of its unpaid invoices.
 */
function invoiceFacts(invoices, subscriptionId) {
  let newest = null;
  let graceStart = null;
  for (const [id, inv] of Object.entries(invoices)) {
    if (inv.subscription !== subscriptionId) continue;
    if (invoiceStatusRank(inv.status) >= INVOICE_SETTLED_RANK || !(inv.attempts > 0)) continue;
    if (newest === null || inv.created > newest.created || (inv.created === newest.created && id > newest.id)) newest = { id, ...inv };
    if (inv.firstFailedAt !== null && (graceStart === null || inv.firstFailedAt < graceStart)) graceStart = inv.firstFailedAt;
  }
  return { failedPaymentAttempts: newest === null ? 0 : newest.attempts, graceStart };
}

function hasAccessTo(sub, graceStart, nowSeconds, graceDays) {
  if (sub === null) return false;
  if (sub.status === 'active' || sub.status === 'trialing') return true;
  if (sub.status !== 'past_due' || !(graceDays > 0)) return false;
  // No failed invoice seen yet: a renewal fails at the start of the period it bills.
  const start = graceStart ?? sub.currentPeriodStart;
  return start !== null && nowSeconds < start + graceDays * DAY_SECONDS;
}

/** The CustomerState for a record at time `now` (ms since the epoch). */
function customerState(record, { now, graceDays = 0 }) {
  const rows = Object.values(record.subscriptions)
    .map(({ snap }) => {
      const { created, ...fields } = snap;
      const facts = invoiceFacts(record.invoices, snap.id);
      return { created: created ?? 0, graceStart: facts.graceStart, state: { ...fields, failedPaymentAttempts: facts.failedPaymentAttempts } };
    })
    .sort((a, b) => b.created - a.created || byIdDescending(a.state.id, b.state.id));
  const chosen = rows.find((r) => r.state.status === 'active' || r.state.status === 'trialing') ?? rows[0] ?? null;
  const subscription = chosen === null ? null : chosen.state;
  const purchases = Object.values(record.purchases).sort(
    (a, b) => (b.created ?? 0) - (a.created ?? 0) || byIdDescending(a.checkoutSessionId, b.checkoutSessionId),
  );
  return {
    customerId: record.customerId,
    userId: record.userId === null ? null : record.userId.value,
    email: record.email === null ? null : record.email.value,
    deleted: record.deleted,
    subscription,
    subscriptions: rows.map((r) => r.state),
    hasAccess: !record.deleted && chosen !== null && hasAccessTo(subscription, chosen.graceStart, now / 1000, graceDays),
    entitlements: record.entitlements === null ? [] : [...record.entitlements.keys],
    purchases: purchases.map((p) => ({ ...p })),
    updatedAt: record.updatedAt,
  };
}

module.exports = { customerState };
