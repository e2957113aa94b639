// The webhook handler: a paid checkout that names a cart (client_reference_id)
// becomes an order, exactly once.
import { createWebhookHandler, PostgresStore } from 'hookwise';
import { db, ensureSchema } from './db';
import { recordOrder } from './orders';

async function paidCheckout(event, ctx) {
  const session = event.data.object;
  // Delayed payment methods complete unpaid, then send async_payment_succeeded.
  if (!session.client_reference_id || session.payment_status !== 'paid') return;
  await ensureSchema();
  // ctx.client: the pg client inside the transaction that also records this
  // event's completion. The order, its items and the outbox row commit with it
  // or not at all: a retried or concurrent delivery never makes a second order,
  // and a crash mid-way leaves nothing behind.
  await recordOrder(ctx.client, session);
}

export const webhooks = createWebhookHandler({
  secret: process.env.STRIPE_WEBHOOK_SECRET,
  store: new PostgresStore({ pool: db() }), // hookwise's table in the same database (hookwise_events)
  transactional: true,
  on: {
    'checkout.session.completed': paidCheckout,
    'checkout.session.async_payment_succeeded': paidCheckout,
  },
});
