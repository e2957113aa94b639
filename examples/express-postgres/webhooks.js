// The Stripe webhook endpoint: hookwise verifies each delivery, records it in
// PostgreSQL (PostgresStore: hookwise_events, created on first use) so that
// each event is handled once however many processes receive it, and runs the
// handler for its type.
import { createWebhookHandler, PostgresStore } from 'hookwise';
import { checkoutCompleted, subscriptionChanged } from './billing.js';
import { inTransaction } from './db.js';

export function stripeWebhooks(pool) {
  // Each handler runs in a transaction of its own, committed before hookwise
  // marks the event completed. A process that dies between the two leaves the
  // event to be run again once its lease (leaseMs) runs out; billing.js makes
  // that second run change nothing (the activity row is the purchase's receipt).
  const transactionally = (apply) => (event) => inTransaction(pool, (db) => apply(db, event));
  return createWebhookHandler({
    secret: process.env.STRIPE_WEBHOOK_SECRET,
    store: new PostgresStore({ pool }),
    leaseMs: Number(process.env.WEBHOOK_LEASE_MS ?? 60_000),
    on: {
      'checkout.session.completed': transactionally(checkoutCompleted),
      'customer.subscription.created': transactionally(subscriptionChanged),
      'customer.subscription.updated': transactionally(subscriptionChanged),
      'customer.subscription.deleted': transactionally(subscriptionChanged),
    },
  });
}
