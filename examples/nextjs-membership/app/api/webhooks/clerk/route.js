// POST /api/webhooks/clerk: Clerk's user events keep the users table in sync.
import { Webhook } from 'standardwebhooks';
import { syncUser } from '../../../../lib/db';
import { clerkUserHandlers } from '../../../../lib/clerk-users';

export const runtime = 'nodejs';

const handlers = clerkUserHandlers(syncUser);

// STOPGAP until hookwise's Standard Webhooks handler (`createWebhookHandler({
// scheme: 'standard', secret: process.env.CLERK_WEBHOOK_SECRET, store, on: handlers })`,
// API.md section 9) is in the released package: then this file is
// `export const POST = clerkWebhooks.fetch`, with dedup by webhook-id and the
// events in the log page. Until then: the reference library's verification,
// no event log, and handlers that are safe to run twice (they are anyway).
export async function POST(request) {
  const body = await request.text();
  // Clerk sends Svix's names for the three Standard Webhooks headers.
  const header = (name) => request.headers.get(`webhook-${name}`) ?? request.headers.get(`svix-${name}`) ?? '';
  const verifier = new Webhook(process.env.CLERK_WEBHOOK_SECRET); // throws (500) without the secret
  let event;
  try {
    event = verifier.verify(body, {
      'webhook-id': header('id'),
      'webhook-timestamp': header('timestamp'),
      'webhook-signature': header('signature'),
    });
  } catch {
    return Response.json({ error: 'verification_failed' }, { status: 400 });
  }
  const handler = handlers[event?.type];
  if (!handler) return Response.json({ received: true, ignored: true });
  await handler(event);
  return Response.json({ received: true });
}
