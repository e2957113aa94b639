// The one webhook handler of the app, shared by the webhook route and the
// admin log page (which replays dead letters through it).
import path from 'node:path';
import { createWebhookHandler, generateTestHeaderString, SqliteStore } from 'hookwise';
import { dataDir, linkCustomer } from './db';
import { stopgapMembershipHandlers } from './stopgap-membership';

// Payloads are kept so that a dead letter can be replayed from the log page.
export const store = new SqliteStore({ path: path.join(dataDir, 'events.db'), keepPayloads: true });

// `next build` evaluates this module without your runtime secrets: hookwise
// then reports a missing STRIPE_WEBHOOK_SECRET at the first request instead.
export const webhooks = createWebhookHandler({
  secret: process.env.STRIPE_WEBHOOK_SECRET,
  store,
  maxAttempts: 3, // then the event is a dead letter, shown on /admin/webhooks
  ordering: 'skip-stale', // STOPGAP (lib/stopgap-membership.js): billing: true orders events itself
  on: {
    // Checkout names our user (client_reference_id): remember which Stripe
    // customer they are. Throws while the user is not in our table yet (a
    // checkout can complete before the auth provider's user.created arrives):
    // Stripe retries, and a dead letter can be replayed once the user exists.
    'checkout.session.completed': async (event) => {
      const session = event.data.object;
      if (session.client_reference_id && session.customer) linkCustomer(session.client_reference_id, session.customer);
    },
    ...stopgapMembershipHandlers,
  },
});

/**
 * Runs a failed or dead-lettered event again from its kept payload: requeued
 * (its attempts start again at 1), then handled as a new delivery, signed here
 * with the endpoint's own secret, as `npx hookwise replay` does.
 */
export async function replay(eventId) {
  const record = await store.get(eventId);
  if (!record || !record.payload) return { outcome: 'not_found' };
  await store.requeue(eventId);
  const payload = record.payload.toString('utf8');
  const header = generateTestHeaderString({ payload, secret: process.env.STRIPE_WEBHOOK_SECRET });
  const { outcome } = await webhooks.handle(payload, header);
  return { outcome };
}
