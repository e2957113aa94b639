// POST /api/webhooks/stripe: verifies the Stripe-Signature and runs
// lib/webhooks.js's handlers at most once per event.
import { webhooks } from '../../../../lib/webhooks';

export const runtime = 'nodejs'; // the native addon and pg need Node.js

export const POST = webhooks.fetch;
