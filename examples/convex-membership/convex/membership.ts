// What each Stripe event does to a user's membership. Each handler runs inside
// the mutation `apply` below, in one transaction with hookwise's bookkeeping.
import { subscriptionPeriodEnd, type WebhookEvent } from 'hookwise';
import { defineWebhookMutation } from 'hookwise/convex';
import type { DataModel, Doc } from './_generated/dataModel';
import type { MutationCtx } from './_generated/server';

type Membership = Doc<'users'>['membership'];

function membershipOf(status: string): Membership {
  switch (status) {
    case 'trialing':
    case 'active':
      return 'premium';
    case 'past_due': // a renewal failed; Stripe is retrying the payment
    case 'unpaid':
      return 'past_due';
    default: // incomplete, incomplete_expired, paused, canceled
      return 'free';
  }
}

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
  // which may arrive later: throwing answers 500, and Stripe delivers this event again.
  if (!user) throw new Error(`no user for Stripe customer ${customerId} yet`);
  return user;
}

async function subscriptionChanged(
  ctx: MutationCtx,
  event: WebhookEvent<'customer.subscription.created' | 'customer.subscription.updated' | 'customer.subscription.deleted'>,
) {
  const subscription = event.data.object;
  const user = await userByCustomer(ctx, subscription.customer);
  const membership = membershipOf(subscription.status);
  // An old subscription ending does not end the one the user has now.
  if (membership === 'free' && user.stripeSubscriptionId && user.stripeSubscriptionId !== subscription.id) return;
  const periodEnd = subscriptionPeriodEnd(subscription);
  await ctx.db.patch(user._id, {
    membership,
    membershipExpiresAt: membership === 'free' || periodEnd === null ? null : periodEnd * 1000,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    stripeSubscriptionId: subscription.id,
  });
}

export const stripeEventHandlers = {
  // Links the customer to the user who started the checkout (createCheckoutSession).
  'checkout.session.completed': async (ctx: MutationCtx, event: WebhookEvent<'checkout.session.completed'>) => {
    const session = event.data.object;
    if (session.mode !== 'subscription' || !session.client_reference_id) return;
    const userId = ctx.db.normalizeId('users', session.client_reference_id);
    if (!userId) throw new Error(`checkout session ${session.id}: client_reference_id is not a user id`);
    await ctx.db.patch(userId, { stripeCustomerId: idOf(session.customer) ?? undefined, stripeSubscriptionId: idOf(session.subscription) ?? undefined });
  },
  'customer.subscription.created': subscriptionChanged,
  'customer.subscription.updated': subscriptionChanged,
  'customer.subscription.deleted': subscriptionChanged,
  'invoice.payment_failed': async (ctx: MutationCtx, event: WebhookEvent<'invoice.payment_failed'>) => {
    const user = await userByCustomer(ctx, event.data.object.customer);
    await ctx.db.patch(user._id, { failedPayments: event.data.object.attempt_count });
  },
  'invoice.paid': async (ctx: MutationCtx, event: WebhookEvent<'invoice.paid'>) => {
    const user = await userByCustomer(ctx, event.data.object.customer);
    await ctx.db.patch(user._id, { failedPayments: 0 });
  },
};

// The handlers as one internal mutation: hookwise claims the event, runs its
// handler and records the completion in this one transaction, so the
// membership and the bookkeeping commit together or not at all.
export const apply = defineWebhookMutation<DataModel>({
  on: stripeEventHandlers,
  ordering: 'skip-stale', // an event older than one already applied to the same subscription (or invoice) is skipped
});
