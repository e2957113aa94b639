import { createWebhookHandler, type HandleResult, type Store, type WebhookEvent } from 'hookwise';
import * as http from 'node:http';

const webhooks = createWebhookHandler({
  secret: process.env.STRIPE_WEBHOOK_SECRET,
  ordering: 'skip-stale',
  retry: { attempts: 1 },
  on: { 'invoice.paid': async (event: WebhookEvent<'invoice.paid'>, ctx) => { const n: number = ctx.attempt; const s: Store = ctx.store; void n; void s; void event.data.object.id; } },
  logger: console,
});
webhooks.on(['customer.subscription.updated', '*'], async (event) => { void event.type; }).on('x' as string, () => {});
export const POST: (request: Request) => Promise<Response> = webhooks.fetch;
http.createServer((req, res) => void webhooks.node(req, res));
async function direct(body: Buffer, header: string) {
  const r: HandleResult = await webhooks.handle(body, header);
  if (r.outcome === 'failed') void r.error;
  await webhooks.close();
}
void direct;

// @ts-expect-error ordering is 'off' | 'skip-stale'
createWebhookHandler({ secret: 'whsec_x', ordering: 'strict' });
// @ts-expect-error unknown option
createWebhookHandler({ secret: 'whsec_x', maxAttempt: 3 });
// @ts-expect-error a handler is a function
createWebhookHandler({ secret: 'whsec_x', on: { 'invoice.paid': 'nope' } });
