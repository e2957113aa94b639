// Compile-time checks of hookwise/convex's defineWebhookMutation and webhookHttpAction
// (tsc --noEmit, run by test/js/types.test.js), as an ES module (see convex.mts). Lines marked @ts-expect-error must fail to compile.
import { defineWebhookMutation, webhookHttpAction, recordFailure } from 'hookwise/convex';
import { anyApi, httpRouter } from 'convex/server';

export const apply = defineWebhookMutation({
  on: {
    'invoice.paid': async (ctx, event, info) => {
      await ctx.db.insert('payments', { eventId: event.id, attempt: info.attempt });
      const id: string = info.eventId;
    },
    '*': [async (ctx, event) => {
      await ctx.scheduler.runAfter(0, anyApi.stripe.sendReceipt, { eventId: event.id });
    }],
  },
  ordering: 'skip-stale',
});
export { recordFailure };

// @ts-expect-error: ordering is 'off' or 'skip-stale'
defineWebhookMutation({ on: {}, ordering: 'sometimes' });

const http = httpRouter();
http.route({
  path: '/stripe/webhook',
  method: 'POST',
  handler: webhookHttpAction({
    secret: process.env.STRIPE_WEBHOOK_SECRET,
    mutation: anyApi.stripe.apply,
    functions: anyApi.hookwise as any,
    retry: { attempts: 1 },
    maxAttempts: 3,
  }),
});
// @ts-expect-error: mutation is required
webhookHttpAction({ secret: 'whsec_x', functions: anyApi.hookwise as any });

// billing: the state in info.billing; `on` optional with billing; no refetch.
export const applyBilling = defineWebhookMutation({
  billing: { graceDays: 3, userId: (object) => object.metadata?.uid ?? null },
  on: {
    'invoice.paid': async (ctx, event, info) => {
      const access: boolean | undefined = info.billing?.hasAccess;
      await ctx.db.insert('grants', { eventId: event.id, access: access === true });
    },
  },
});
export const billingOnly = defineWebhookMutation({ billing: true });
// @ts-expect-error: a mutation cannot refetch from Stripe
defineWebhookMutation({ billing: { refetch: {} } });
