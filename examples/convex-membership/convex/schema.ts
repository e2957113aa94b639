import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
import { hookwiseTables } from 'hookwise/convex';

export const membership = v.union(v.literal('free'), v.literal('premium'), v.literal('past_due'));

export default defineSchema({
  // hookwise's bookkeeping: one record per Stripe event (hookwise_events), ordering markers.
  ...hookwiseTables,
  users: defineTable({
    name: v.string(),
    email: v.string(),
    tokenIdentifier: v.string(), // from the auth provider (ctx.auth.getUserIdentity())
    membership,
    // End of the period paid for (or of the trial), ms since the epoch; null when free.
    membershipExpiresAt: v.union(v.number(), v.null()),
    cancelAtPeriodEnd: v.boolean(), // cancelled in the portal: premium until membershipExpiresAt
    failedPayments: v.number(), // attempts of the latest unpaid invoice
    stripeCustomerId: v.optional(v.string()),
    stripeSubscriptionId: v.optional(v.string()),
  })
    .index('by_tokenIdentifier', ['tokenIdentifier'])
    .index('by_stripeCustomerId', ['stripeCustomerId'])
    .index('by_stripeSubscriptionId', ['stripeSubscriptionId']),
});
