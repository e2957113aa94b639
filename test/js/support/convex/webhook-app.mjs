// An app's Convex functions for the exactly-once tests (test/js/transactional-convex.test.js):
// convex/stripe.ts (the handlers as one mutation, defineWebhookMutation) and
// convex/http.ts (webhookHttpAction). `control` lets a test make the handler
// throw and counts its runs; the test imports this same module instance.
import { anyApi, httpRouter } from 'convex/server';
import { defineWebhookMutation, webhookHttpAction } from '../../../../lib/convex/index.mjs';

export const SECRET = 'whsec_convex_transactional_test';
export const control = { throwRuns: 0, runs: 0, attempts: [], lastEvent: null };

async function recordPayment(ctx, event, info) {
  control.runs += 1;
  control.attempts.push(info.attempt);
  control.lastEvent = event;
  const invoice = event.data.object;
  await ctx.db.insert('payments', { eventId: event.id, invoiceId: invoice.id, amount: invoice.amount_paid });
  if (control.throwRuns > 0) {
    control.throwRuns -= 1;
    throw new Error('payment handler failed');
  }
}

export const apply = defineWebhookMutation({ on: { 'invoice.paid': recordPayment } });
export const applyOrdered = defineWebhookMutation({ on: { 'invoice.paid': recordPayment }, ordering: 'skip-stale' });

const quiet = { info() {}, warn() {}, error() {} };
const http = httpRouter();
const route = (path, options) =>
  http.route({ path, method: 'POST', handler: webhookHttpAction({ secret: SECRET, functions: anyApi.hookwise, logger: quiet, ...options }) });
route('/stripe/webhook', { mutation: anyApi.webhookApp.apply, retry: { attempts: 2, backoffMs: 1 } });
route('/stripe/no-retry', { mutation: anyApi.webhookApp.apply, retry: false, maxAttempts: 2 });
route('/stripe/ordered', { mutation: anyApi.webhookApp.applyOrdered });
route('/stripe/no-secret', { mutation: anyApi.webhookApp.apply, secret: undefined });
export default http;
