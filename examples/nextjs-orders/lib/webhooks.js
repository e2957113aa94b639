// The webhook handler: a paid checkout that names a cart (client_reference_id)
// becomes an order, exactly once.
import { createWebhookHandler, PostgresStore } from 'hookwise';
import { db, ensureSchema } from './db';
import { recordOrder } from './orders';

async function paidCheckout(event) {
  const session = event.data.object;
  // Delayed payment methods complete unpaid, then send async_payment_succeeded.
  if (!session.client_reference_id || session.payment_status !== 'paid') return;
  await ensureSchema();
  await stopgapTransaction(async (sql) => {
    // STOPGAP until hookwise's transactional handlers (`transactional: true`,
    // ctx.client) are in the released package: this transaction is ours, not
    // the one that records the event's completion, so a process that dies
    // between the two runs this handler again on Stripe's retry. The check
    // makes that second run a no-op. With `transactional: true` this becomes
    // `recordOrder(ctx.client, session)`: the order and the completion commit
    // together, and the check goes.
    const { rowCount } = await sql.query('SELECT 1 FROM orders WHERE checkout_session_id = $1', [session.id]);
    if (rowCount === 0) await recordOrder(sql, session);
  });
}

async function stopgapTransaction(fn) {
  const client = await db().connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export const webhooks = createWebhookHandler({
  secret: process.env.STRIPE_WEBHOOK_SECRET,
  store: new PostgresStore({ pool: db() }), // hookwise's table in the same database (hookwise_events)
  on: {
    'checkout.session.completed': paidCheckout,
    'checkout.session.async_payment_succeeded': paidCheckout,
  },
});
