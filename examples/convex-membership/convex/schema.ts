import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
import { hookwiseTables } from 'hookwise/convex';

export default defineSchema({
  // hookwise's tables: one record per Stripe event (hookwise_events), ordering markers, and the
  // billing state (hookwise_billing: each customer's subscriptions, read with getCustomerState).
  ...hookwiseTables,
  users: defineTable({
    name: v.string(),
    email: v.string(),
    tokenIdentifier: v.string(), // from the auth provider (ctx.auth.getUserIdentity())
    stripeCustomerId: v.optional(v.string()),
    stripeSubscriptionId: v.optional(v.string()), // the newest subscription the user started
  })
    .index('by_tokenIdentifier', ['tokenIdentifier'])
    .index('by_stripeCustomerId', ['stripeCustomerId']),
});
