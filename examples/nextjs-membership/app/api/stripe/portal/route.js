// POST /api/stripe/portal: Stripe's Customer Portal for the signed-in user's
// customer (payment methods, invoices, plan changes).
import { currentUser } from '../../../../lib/current-user';
import { membershipOf } from '../../../../lib/membership';
import { appUrl, stripe } from '../../../../lib/stripe';

export const runtime = 'nodejs';

export async function POST(request) {
  const user = await currentUser();
  if (!user) return Response.json({ error: 'sign in first' }, { status: 401 });
  const { customerId } = await membershipOf(user.id);
  if (!customerId) return Response.json({ error: 'no Stripe customer yet: check out first' }, { status: 409 });
  const portal = await stripe().billingPortal.sessions.create({ customer: customerId, return_url: appUrl(request, '/') });
  return Response.redirect(portal.url, 303);
}
