// An app's Convex functions for the billing-in-the-mutation tests
// (test/js/transactional-convex-billing.test.js): defineWebhookMutation with
// `billing`, whose handlers see the state after the event (info.billing), and
// webhookHttpAction delivering to it. `control` records what the handlers saw
// and can make one throw; the test imports this same module instance.
import { anyApi, httpRouter } from 'convex/server';
import { defineWebhookMutation, webhookHttpAction } from '../../../../lib/convex/index.mjs';

export const SECRET = 'whsec_convex_billing_mutation_test';
export const control = { seen: [], throwOn: null };

async function onInvoice(ctx, event, info) {
  control.seen.push({ type: event.type, eventId: info.eventId, attempt: info.attempt, billing: info.billing });
  await ctx.db.insert('grants', { eventId: event.id, hasAccess: info.billing !== null && info.billing.hasAccess });
  if (control.throwOn === event.id) throw new Error('grant handler failed');
}

export const apply = defineWebhookMutation({ billing: true, on: { 'invoice.paid': onInvoice, 'invoice.payment_failed': onInvoice } });
// Billing alone: no handler of the app's.
export const applyBillingOnly = defineWebhookMutation({ billing: { graceDays: 3 } });

const quiet = { info() {}, warn() {}, error() {} };
const http = httpRouter();
const route = (path, options) =>
  http.route({ path, method: 'POST', handler: webhookHttpAction({ secret: SECRET, functions: anyApi.hookwise, logger: quiet, ...options }) });
route('/stripe/webhook', { mutation: anyApi.billingMutation.apply, retry: false });
route('/stripe/billing-only', { mutation: anyApi.billingMutation.applyBillingOnly, retry: false });
export default http;
