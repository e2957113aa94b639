// POST /api/stripe/cancel: cancels at the end of the paid period. The user
// stays premium until then; customer.subscription.updated (cancel_at_period_end)
// and, at the period's end, customer.subscription.deleted update the state.
import { currentUser } from '../../../../lib/current-user';
import { membershipOf } from '../../../../lib/membership';
import { stripe } from '../../../../lib/stripe';

export const runtime = 'nodejs';

export async function POST() {
  const user = await currentUser();
  if (!user) return Response.json({ error: 'sign in first' }, { status: 401 });
  const { subscriptionId, hasAccess } = await membershipOf(user.id);
  if (!subscriptionId || !hasAccess) return Response.json({ error: 'no active subscription' }, { status: 409 });
  await stripe().subscriptions.update(subscriptionId, { cancel_at_period_end: true });
  return new Response(null, { status: 303, headers: { location: '/?canceled=1' } });
}
