// App Router: POST /api/webhooks. Verifies the Stripe-Signature, runs each
// event's handlers at most once, and answers Stripe with the right status.
import { createWebhookHandler, SqliteStore } from 'hookwise';
import { recordReceived } from '../../../lib/received';

// The native addon needs Node.js; the Edge runtime cannot load it.
export const runtime = 'nodejs';

// `next build` evaluates this module without your runtime secrets: hookwise
// then reports a missing STRIPE_WEBHOOK_SECRET at the first request instead,
// and SqliteStore opens .hookwise/events.db only on first use.
const webhooks = createWebhookHandler({
  secret: process.env.STRIPE_WEBHOOK_SECRET,
  store: new SqliteStore(), // .hookwise/events.db: survives restarts, shared by every route and process on this machine
  on: {
    '*': async (event, ctx) => recordReceived('app', event, ctx),
  },
});

export const POST = webhooks.fetch;
