// Checkout and Customer Portal sessions for the signed-in user (called from the client:
// `const url = await createCheckoutSession(); window.location.href = url;`).
import Stripe from 'stripe';
import { v } from 'convex/values';
import { internal } from './_generated/api';
import { action, type ActionCtx } from './_generated/server';

function stripe() {
  // STRIPE_API_URL points stripe-node at another server (stripe-mock, a test double); unset in production.
  const api = process.env.STRIPE_API_URL ? new URL(process.env.STRIPE_API_URL) : null;
  return new Stripe(process.env.STRIPE_SECRET_KEY!, api ? { host: api.hostname, port: api.port, protocol: api.protocol === 'http:' ? 'http' : 'https' } : {});
}

async function signedInUser(ctx: ActionCtx) {
  const identity = await ctx.auth.getUserIdentity();
  if (!identity) throw new Error('not signed in');
  const user = await ctx.runQuery(internal.users.byTokenIdentifier, { tokenIdentifier: identity.tokenIdentifier });
  if (!user) throw new Error('call users.signIn first');
  return user;
}

export const createCheckoutSession = action({
  args: {},
  returns: v.string(),
  handler: async (ctx) => {
    const user = await signedInUser(ctx);
    const client = stripe();
    // The customer is made before the checkout, so every webhook finds the user by it.
    let customerId = user.stripeCustomerId;
    if (!customerId) {
      const customer = await client.customers.create(
        { email: user.email, name: user.name, metadata: { userId: user._id } },
        { idempotencyKey: `customer-for-${user._id}` },
      );
      customerId = await ctx.runMutation(internal.users.setStripeCustomer, { userId: user._id, customerId: customer.id });
    }
    const session = await client.checkout.sessions.create({
      mode: 'subscription',
      customer: customerId,
      client_reference_id: user._id,
      line_items: [{ price: process.env.STRIPE_PRICE_ID, quantity: 1 }],
      subscription_data: { trial_period_days: 14, metadata: { userId: user._id } },
      success_url: `${process.env.SITE_URL}/account?checkout=success`,
      cancel_url: `${process.env.SITE_URL}/pricing`,
    });
    return session.url!;
  },
});

export const createPortalSession = action({
  args: {},
  returns: v.string(),
  handler: async (ctx) => {
    const user = await signedInUser(ctx);
    if (!user.stripeCustomerId) throw new Error('no subscription to manage yet');
    const session = await stripe().billingPortal.sessions.create({
      customer: user.stripeCustomerId,
      return_url: `${process.env.SITE_URL}/account`,
    });
    return session.url;
  },
});
