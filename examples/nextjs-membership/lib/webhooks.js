// The Stripe webhook handler, shared by the webhook route and the admin log
// page, which replays dead letters through it (or through Clerk's handler).
import { createWebhookHandler, generateTestHeaderString, signStandardWebhook } from 'hookwise';
import { clerkEventTypes, clerkWebhooks } from './clerk-users';
import { linkCustomer } from './db';
import { store } from './store';

export { store };

// `next build` evaluates this module without your runtime secrets: hookwise
// then reports a missing STRIPE_WEBHOOK_SECRET at the first request instead.
export const webhooks = createWebhookHandler({
  secret: process.env.STRIPE_WEBHOOK_SECRET,
  store,
  maxAttempts: 3, // then the event is a dead letter, shown on /admin/webhooks
  // Each Stripe customer's subscription, access and purchases, kept in the store
  // from the events, right under duplicates and any order (API.md section 8).
  // The user is the checkout's client_reference_id (or metadata.userId).
  billing: true,
  on: {
    // Checkout names our user (client_reference_id): remember which Stripe
    // customer they are. Throws while the user is not in our table yet (a
    // checkout can complete before the auth provider's user.created arrives):
    // Stripe retries, and a dead letter can be replayed once the user exists.
    'checkout.session.completed': async (event) => {
      const session = event.data.object;
      if (session.client_reference_id && session.customer) linkCustomer(session.client_reference_id, session.customer);
    },
  },
});

/**
 * Runs a failed or dead-lettered event again from its kept payload: requeued
 * (its attempts start again at 1), then handled as a new delivery by the
 * handler that received it (by the event's type), signed here with that
 * endpoint's secret, as `npx hookwise replay` does.
 */
export async function replay(eventId) {
  const record = await store.get(eventId);
  if (!record || !record.payload) return { outcome: 'not_found' };
  await store.requeue(eventId);
  const payload = record.payload.toString('utf8');
  const { outcome } = clerkEventTypes.includes(record.type)
    ? await clerkWebhooks.handle(payload, signStandardWebhook({ id: eventId, payload, secret: process.env.CLERK_WEBHOOK_SECRET }))
    : await webhooks.handle(payload, generateTestHeaderString({ payload, secret: process.env.STRIPE_WEBHOOK_SECRET }));
  return { outcome };
}
