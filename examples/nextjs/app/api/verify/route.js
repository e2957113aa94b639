// Verifying a delivery yourself, without the handler: constructEvent is a
// drop-in for stripe.webhooks.constructEvent. No idempotency here — that is
// what createWebhookHandler adds.
import { constructEvent, SignatureVerificationError } from 'hookwise';

export const runtime = 'nodejs';

export async function POST(request) {
  const body = Buffer.from(await request.arrayBuffer());
  let event;
  try {
    event = constructEvent(body, request.headers.get('stripe-signature'), process.env.STRIPE_WEBHOOK_SECRET);
  } catch (err) {
    if (err instanceof SignatureVerificationError) return Response.json({ error: err.code }, { status: 400 });
    if (err instanceof SyntaxError) return Response.json({ error: 'invalid_json' }, { status: 400 });
    throw err;
  }
  // ... act on the event
  return Response.json({ received: true, id: event.id, type: event.type });
}
