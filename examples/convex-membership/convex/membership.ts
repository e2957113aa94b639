// What Stripe events do here. hookwise's billing state (`billing: true`) keeps
// each customer's subscriptions, invoices and access in hookwise_billing,
// inside the mutation `apply` below: users.me reads the membership from it
// (getCustomerState). The handlers keep only the app's own links from Stripe
// objects to users; they run in the same transaction, after the billing state
// is updated, with the state in `info.billing`.
import type { WebhookEvent } from 'hookwise';
import { defineWebhookMutation } from 'hookwise/convex';
import type { DataModel } from './_generated/dataModel';
import type { MutationCtx } from './_generated/server';

const idOf = (value: string | { id: string } | null) => (value === null || typeof value === 'string' ? value : value.id);

async function userByCustomer(ctx: MutationCtx, customer: string | { id: string } | null) {
  const customerId = idOf(customer);
  const user = customerId
    ? await ctx.db
        .query('users')
        .withIndex('by_stripeCustomerId', (q) => q.eq('stripeCustomerId', customerId))
        .unique()
    : null;
  // A customer made outside our checkout action is linked by its checkout.session.completed,
  // which may arrive later: throwing answers 500 (and rolls the billing state of this event
  // back with everything else), and Stripe delivers this event again.
  if (!user) throw new Error(`no user for Stripe customer ${customerId} yet`);
  return user;
}

export const stripeEventHandlers = {
  // Links the customer to the user who started the checkout (createCheckoutSession); the
  // billing state links them too, by the session's client_reference_id.
  'checkout.session.completed': async (ctx: MutationCtx, event: WebhookEvent<'checkout.session.completed'>) => {
    const session = event.data.object;
    if (session.mode !== 'subscription' || !session.client_reference_id) return;
    const userId = ctx.db.normalizeId('users', session.client_reference_id);
    if (!userId) throw new Error(`checkout session ${session.id}: client_reference_id is not a user id`);
    await ctx.db.patch(userId, { stripeCustomerId: idOf(session.customer) ?? undefined, stripeSubscriptionId: idOf(session.subscription) ?? undefined });
  },
  // Every subscription belongs to a user of ours: the newest one is remembered on the user.
  'customer.subscription.created': async (ctx: MutationCtx, event: WebhookEvent<'customer.subscription.created'>) => {
    const subscription = event.data.object;
    const user = await userByCustomer(ctx, subscription.customer);
    await ctx.db.patch(user._id, { stripeSubscriptionId: subscription.id });
  },
};

// The billing state and the handlers as one internal mutation: hookwise claims
// the event, applies it to the customer's billing state, runs its handler and
// records the completion in this one transaction, so the membership, the app's
// writes and the bookkeeping commit together or not at all.
export const apply = defineWebhookMutation<DataModel>({
  billing: true, // users are linked by metadata.userId (customer, subscription) or the checkout's client_reference_id
  on: stripeEventHandlers,
  ordering: 'skip-stale', // an event older than one already applied to the same subscription (or invoice) is skipped
});
