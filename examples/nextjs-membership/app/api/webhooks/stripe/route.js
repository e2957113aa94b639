// POST /api/webhooks/stripe: verifies the Stripe-Signature, runs each event's
// handlers (lib/webhooks.js) at most once, and answers Stripe.
import { webhooks } from '../../../../lib/webhooks';

// The native addon needs Node.js; the Edge runtime cannot load it.
export const runtime = 'nodejs';

export const POST = webhooks.fetch;
