// Standard Webhooks (API.md §9): the declarations as Clerk/Svix apps use them.
import type { IncomingHttpHeaders } from 'node:http';
import {
  createWebhookHandler,
  signStandardWebhook,
  verifyStandardWebhook,
  verifyStandardWebhookAsync,
  StandardWebhookVerificationError,
  type StandardWebhookDelivery,
  type StandardWebhookHandler,
  type WebhookHandler,
} from 'hookwise';

declare const body: Buffer;
declare const nodeHeaders: IncomingHttpHeaders;

const headers = signStandardWebhook({ id: 'msg_1', payload: '{}', secret: 'whsec_abc=' });
const id: string = headers['webhook-id'];
void id;

const delivery: StandardWebhookDelivery = verifyStandardWebhook(body, headers, process.env.CLERK_WEBHOOK_SIGNING_SECRET);
const ts: number = delivery.timestamp;
void ts;
verifyStandardWebhook(body, new Headers(), ['whsec_a', 'whpk_b'], { tolerance: 60, receivedAt: Date.now() });
verifyStandardWebhook(body, nodeHeaders, 'whsec_a');
type ClerkUserEvent = { type: 'user.created'; data: { id: string } };
const typed: Promise<StandardWebhookDelivery<ClerkUserEvent>> = verifyStandardWebhookAsync<ClerkUserEvent>(body, headers, 'whsec_a');
void typed;
// @ts-expect-error a number is no secret
verifyStandardWebhook(body, headers, 42);

try {
  verifyStandardWebhook(body, headers, 'whsec_a');
} catch (err) {
  if (err instanceof StandardWebhookVerificationError) {
    const code: 'missing_header' | 'bad_timestamp' | 'timestamp_too_old' | 'timestamp_in_future' | 'no_matching_signature' | 'bad_secret' = err.code;
    void code;
  }
}

const clerk: StandardWebhookHandler = createWebhookHandler({
  scheme: 'standard',
  secret: process.env.CLERK_WEBHOOK_SIGNING_SECRET,
  on: { 'user.created': async (event, ctx) => void [event.type, ctx.eventId] },
});
clerk.on('user.deleted', async (event) => void event.data);
void clerk.handle(body, nodeHeaders);
export const POST = clerk.fetch;

const stripe: WebhookHandler = createWebhookHandler({ secret: 'whsec_x' });
void stripe;
// @ts-expect-error the scheme is 'stripe' or 'standard'
createWebhookHandler({ scheme: 'svix', secret: 'whsec_x' });
