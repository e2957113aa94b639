// The Stripe webhook endpoint: hookwise verifies each delivery, records it in
// PostgreSQL (PostgresStore: hookwise_events, created on first use) so that
// each event is handled once however many processes receive it, and runs the
// handler for its type.
import { createWebhookHandler, PostgresStore } from 'hookwise';
import { checkoutCompleted, subscriptionChanged } from './billing.js';

export function stripeWebhooks(pool) {
  return createWebhookHandler({
    secret: process.env.STRIPE_WEBHOOK_SECRET,
    store: new PostgresStore({ pool }),
    // Each event's handler runs in one transaction with hookwise's record of the
    // event: ctx.client is that transaction's connection. The app's writes and
    // "this event is done" commit together, or (a crash, a throw) not at all.
    transactional: true,
    on: {
      'checkout.session.completed': (event, ctx) => checkoutCompleted(ctx.client, event),
      'customer.subscription.created': (event, ctx) => subscriptionChanged(ctx.client, event),
      'customer.subscription.updated': (event, ctx) => subscriptionChanged(ctx.client, event),
      'customer.subscription.deleted': (event, ctx) => subscriptionChanged(ctx.client, event),
    },
  });
}
