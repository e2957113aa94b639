// A Convex action module for the billing tests: the app's webhook handler with
// `billing` on, in a real action (convex-test) with ConvexStore, exactly as in
// an app's convex/http.ts — and an app query reading the state through
// getCustomerState, the way an app asks "is this user premium?".
import { actionGeneric, anyApi, queryGeneric } from 'convex/server';
import { v } from 'convex/values';
import Stripe from 'stripe';
import { createWebhookHandler } from '../../../../lib/portable.mjs';
import { ConvexStore, getCustomerState } from '../../../../lib/convex/index.mjs';

const quiet = { info() {}, warn() {}, error() {} };

function handlerFor(ctx, secret, refetchPort) {
  let billing = true;
  if (refetchPort !== undefined) {
    // The tests' local Stripe API stand-in (test/js/support/stripe-api-server.js).
    billing = { refetch: new Stripe('sk_test_convex', { host: '127.0.0.1', port: refetchPort, protocol: 'http', telemetry: false, maxNetworkRetries: 0 }) };
  }
  return createWebhookHandler({ secret, store: new ConvexStore({ ctx, functions: anyApi.hookwise }), billing, logger: quiet });
}

// Delivers each sequence in order, the sequences at the same time; a delivery
// answered in_progress (its duplicate is running) is delivered again, as Stripe would.
export const deliver = actionGeneric({
  args: { secret: v.string(), sequences: v.array(v.array(v.object({ body: v.string(), header: v.string() }))), refetchPort: v.optional(v.number()) },
  handler: async (ctx, { secret, sequences, refetchPort }) => {
    const webhooks = handlerFor(ctx, secret, refetchPort);
    return Promise.all(
      sequences.map(async (sequence) => {
        const outcomes = [];
        for (const { body, header } of sequence) {
          let result;
          do result = await webhooks.handle(body, header);
          while (result.outcome === 'in_progress');
          outcomes.push(result.outcome);
        }
        return outcomes;
      }),
    );
  },
});

export const get = actionGeneric({
  args: { secret: v.string(), query: v.any() },
  handler: async (ctx, { secret, query }) => handlerFor(ctx, secret).billing.get(query),
});

// An app's own query: premium when hookwise says the user has access.
export const isPremium = queryGeneric({
  args: { userId: v.string() },
  handler: async (ctx, { userId }) => {
    const state = await getCustomerState(ctx, { userId });
    return { premium: state !== null && state.hasAccess, state };
  },
});
