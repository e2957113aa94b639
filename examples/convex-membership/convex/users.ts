import { v } from 'convex/values';
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
      membership: 'free',
      membershipExpiresAt: null,
      cancelAtPeriodEnd: false,
      failedPayments: 0,
    });
  },
});

/** The signed-in user's membership, for the UI. */
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
    const { name, membership, membershipExpiresAt, cancelAtPeriodEnd, failedPayments } = user;
    return { name, membership, membershipExpiresAt, cancelAtPeriodEnd, failedPayments };
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
