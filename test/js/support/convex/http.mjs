// An app's convex/http.ts taking Stripe webhooks in Convex's default runtime
// (no "use node"): webhooks.fetch inside an httpAction, the bookkeeping in
// Convex tables through ConvexStore. `hookwise` is whatever the bundler
// resolves it to; Convex's (npx convex deploy) resolves the portable build.
// anyApi stands for the app's generated `internal` references.
import { anyApi, httpActionGeneric, httpRouter } from 'convex/server';
import { createWebhookHandler, implementation } from 'hookwise';
import { ConvexStore } from 'hookwise/convex';

const stripeWebhook = httpActionGeneric(async (ctx, request) => {
  const webhooks = createWebhookHandler({
    secret: process.env.STRIPE_WEBHOOK_SECRET,
    store: new ConvexStore({ ctx, functions: anyApi.hookwise }),
  }).on('invoice.paid', async (event) => {
    const invoice = event.data.object;
    await ctx.runMutation(anyApi.payments.record, { eventId: event.id, invoiceId: invoice.id, amount: invoice.amount_paid });
  });
  return webhooks.fetch(request);
});

const http = httpRouter();
http.route({ path: '/stripe/webhook', method: 'POST', handler: stripeWebhook });
http.route({
  path: '/implementation',
  method: 'GET',
  handler: httpActionGeneric(async () => new Response(implementation)),
});
export default http;
