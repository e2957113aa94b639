import { httpRouter } from 'convex/server';
import { createWebhookHandler } from 'hookwise';
import { ConvexStore } from 'hookwise/convex';
import { internal } from './_generated/api';
import { httpAction } from './_generated/server';
import { handledEventTypes } from './membership';

const http = httpRouter();

// Stripe → https://<deployment>.convex.site/stripe/webhook. Runs in Convex's
// default runtime (no "use node"): hookwise resolves to its portable build there.
http.route({
  path: '/stripe/webhook',
  method: 'POST',
  handler: httpAction(async (ctx, request) => {
    const webhooks = createWebhookHandler({
      secret: process.env.STRIPE_WEBHOOK_SECRET!,
      store: new ConvexStore({ ctx, functions: internal.hookwise }),
      ordering: 'skip-stale', // an event older than one already applied to the same subscription is skipped
    }).on(handledEventTypes, async (event) => {
      await ctx.runMutation(internal.membership.apply, { event });
    });
    return webhooks.fetch(request);
  }),
});

export default http;
