import { httpRouter } from 'convex/server';
import { webhookHttpAction } from 'hookwise/convex';
import { internal } from './_generated/api';

const http = httpRouter();

// Stripe → https://<deployment>.convex.site/stripe/webhook. Runs in Convex's
// default runtime (no "use node"): hookwise verifies the signature, then runs
// the event in the mutation internal.membership.apply (convex/membership.ts).
http.route({
  path: '/stripe/webhook',
  method: 'POST',
  handler: webhookHttpAction({
    secret: process.env.STRIPE_WEBHOOK_SECRET,
    mutation: internal.membership.apply,
    functions: internal.hookwise,
  }),
});

export default http;
