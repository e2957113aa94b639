import { v } from 'convex/values';
import { getCustomerState } from 'hookwise/convex';
import { internalMutation, internalQuery, mutation, query } from './_generated/server';

/** Called by the client after sign-in: creates the user on first sign-in. */
export const signIn = mutation({
  args: {},
  handler: async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) throw new Error('not signed in');
    const existing = await ctx.db
      .query('users')
      .withIndex('by_tokenIdentifier', (q) => q.eq('tokenIdentifier', identity.tokenIdentifier))
      .unique();
    if (existing) return existing._id;
    return ctx.db.insert('users', {
      name: identity.name ?? 'Anonymous',
      email: identity.email ?? '',
      tokenIdentifier: identity.tokenIdentifier,
    });
  },
});

/**
 * The signed-in user's membership, for the UI, from hookwise's billing state
 * (the subscription that decides access). Reactive: the query reruns when a
 * webhook changes the user's billing state.
 */
export const me = query({
  args: {},
  handler: async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) return null;
    const user = await ctx.db
      .query('users')
      .withIndex('by_tokenIdentifier', (q) => q.eq('tokenIdentifier', identity.tokenIdentifier))
      .unique();
    if (!user) return null;
    const state = await getCustomerState(ctx, { userId: user._id });
    const subscription = state?.subscription ?? null;
    // premium: active or trialing; past_due: a renewal failed and Stripe is retrying the payment.
    const membership = state?.hasAccess ? 'premium' : subscription && ['past_due', 'unpaid'].includes(subscription.status) ? 'past_due' : 'free';
    return {
      name: user.name,
      membership,
      // End of the period paid for (or of the trial), ms since the epoch; null when free.
      membershipExpiresAt: membership === 'free' || subscription?.currentPeriodEnd == null ? null : subscription.currentPeriodEnd * 1000,
      cancelAtPeriodEnd: subscription?.cancelAtPeriodEnd ?? false, // cancelled in the portal: premium until membershipExpiresAt
      failedPayments: subscription?.failedPaymentAttempts ?? 0, // attempts of the latest unpaid invoice
    };
  },
});

export const byTokenIdentifier = internalQuery({
  args: { tokenIdentifier: v.string() },
  handler: (ctx, { tokenIdentifier }) =>
    ctx.db
      .query('users')
      .withIndex('by_tokenIdentifier', (q) => q.eq('tokenIdentifier', tokenIdentifier))
      .unique(),
});

/** Records the user's Stripe customer unless one is already recorded; returns the recorded one. */
export const setStripeCustomer = internalMutation({
  args: { userId: v.id('users'), customerId: v.string() },
  handler: async (ctx, { userId, customerId }) => {
    const user = await ctx.db.get(userId);
    if (!user) throw new Error(`no user ${userId}`);
    if (user.stripeCustomerId) return user.stripeCustomerId;
    await ctx.db.patch(userId, { stripeCustomerId: customerId });
    return customerId;
  },
});
