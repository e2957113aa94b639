// An app's convex/http.ts with the exactly-once path, as hookwise's users
// write it: the handlers as one mutation (defineWebhookMutation) and the
// httpAction that verifies and runs it (webhookHttpAction), both from
// 'hookwise/convex' as the bundler resolves it. anyApi stands for the app's
// generated `internal` references.
import { anyApi, httpRouter } from 'convex/server';
import { defineWebhookMutation, webhookHttpAction } from 'hookwise/convex';

export const apply = defineWebhookMutation({
  on: {
    'invoice.paid': async (ctx, event) => {
      const invoice = event.data.object;
      await ctx.db.insert('payments', { eventId: event.id, invoiceId: invoice.id, amount: invoice.amount_paid });
    },
  },
});

const http = httpRouter();
http.route({
  path: '/stripe/webhook',
  method: 'POST',
  handler: webhookHttpAction({ secret: process.env.STRIPE_WEBHOOK_SECRET, mutation: anyApi.httpMutation.apply, functions: anyApi.hookwise }),
});
export default http;
