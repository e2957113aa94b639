// STOPGAP until hookwise's billing state (`billing: true`, API.md section 8)
// is in the released package: a hand-kept memberships table, fed by the
// subscription events, read back in the shape of hookwise's CustomerState.
// With `billing: true` this file goes: lib/membership.js then reads
// `webhooks.billing.get({ userId })`, which also handles same-second ties,
// invoices, grace periods and deleted customers that this does not.
import { subscriptionPeriodEnd } from 'hookwise';
import { database } from './db';

function table() {
  const db = database();
  db.exec(`CREATE TABLE IF NOT EXISTS stopgap_memberships (
    customer_id TEXT PRIMARY KEY, subscription_id TEXT, status TEXT,
    current_period_end INTEGER, cancel_at_period_end INTEGER)`);
  return db;
}

async function saveSubscription(event) {
  const sub = event.data.object;
  table()
    .prepare(`INSERT INTO stopgap_memberships VALUES (@customer, @id, @status, @end, @cancel)
      ON CONFLICT (customer_id) DO UPDATE SET subscription_id = excluded.subscription_id, status = excluded.status,
        current_period_end = excluded.current_period_end, cancel_at_period_end = excluded.cancel_at_period_end`)
    .run({ customer: sub.customer, id: sub.id, status: sub.status, end: subscriptionPeriodEnd(sub), cancel: sub.cancel_at_period_end ? 1 : 0 });
}

export const stopgapMembershipHandlers = {
  'customer.subscription.created': saveSubscription,
  'customer.subscription.updated': saveSubscription,
  'customer.subscription.deleted': saveSubscription,
};

/** The parts of a CustomerState the app reads, or null. */
export function stopgapBillingGet({ userId }) {
  const row = table()
    .prepare(`SELECT m.* FROM users u JOIN stopgap_memberships m ON m.customer_id = u.stripe_customer_id
      WHERE u.id = ? AND u.deleted_at IS NULL`)
    .get(userId);
  if (!row) return null;
  return {
    customerId: row.customer_id,
    hasAccess: row.status === 'active' || row.status === 'trialing',
    subscription: {
      id: row.subscription_id,
      status: row.status,
      currentPeriodEnd: row.current_period_end,
      cancelAtPeriodEnd: row.cancel_at_period_end === 1,
    },
  };
}
