// "Is this user premium?", from the billing state hookwise keeps per Stripe
// customer (API.md section 8) — no membership columns of our own to keep right.
import { webhooks } from './webhooks';

/**
 * { plan: 'free' | 'premium' | 'past_due', hasAccess, customerId, subscriptionId,
 *   status, currentPeriodEnd, cancelAtPeriodEnd } for a user.
 */
export async function membershipOf(userId) {
  const state = await webhooks.billing.get({ userId });
  const sub = state?.subscription ?? null;
  let plan = 'free';
  if (state?.hasAccess) plan = 'premium';
  else if (sub?.status === 'past_due' || sub?.status === 'unpaid') plan = 'past_due';
  return {
    plan,
    hasAccess: state?.hasAccess ?? false,
    customerId: state?.customerId ?? null,
    subscriptionId: sub?.id ?? null,
    status: sub?.status ?? null,
    currentPeriodEnd: sub?.currentPeriodEnd ?? null,
    cancelAtPeriodEnd: sub?.cancelAtPeriodEnd ?? false,
  };
}
