// POST /api/stripe/checkout: a Checkout Session for the premium plan, then the
// browser goes to Stripe. The webhook (checkout.session.completed, then the
// subscription's events) makes the user premium, not this route.
import { currentUser } from '../../../../lib/current-user';
import { appUrl, stripe } from '../../../../lib/stripe';

export const runtime = 'nodejs';

export async function POST(request) {
  const user = await currentUser();
  if (!user) return Response.json({ error: 'sign in first' }, { status: 401 });
  const session = await stripe().checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: process.env.STRIPE_PRICE_ID, quantity: 1 }],
    client_reference_id: user.id, // how the webhook knows whose checkout it was
    ...(user.stripe_customer_id ? { customer: user.stripe_customer_id } : { customer_email: user.email ?? undefined }),
    subscription_data: { metadata: { userId: user.id } },
    success_url: appUrl(request, '/?checkout=success'),
    cancel_url: appUrl(request, '/'),
  });
  return Response.redirect(session.url, 303);
}
