// Pages Router: POST /api/pages-webhook. The body parser must be off: Stripe
// signs the raw bytes, and a parsed body cannot be verified.
import { createWebhookHandler, SqliteStore } from 'hookwise';
import { recordReceived } from '../../lib/received';

export const config = { api: { bodyParser: false } };

const webhooks = createWebhookHandler({
  secret: process.env.STRIPE_WEBHOOK_SECRET,
  store: new SqliteStore(),
  on: {
    '*': async (event, ctx) => recordReceived('pages', event, ctx),
  },
});

export default webhooks.node;
