// An ES module app: `hookwise` through the exports map's "import" condition and stripe-node's ESM
// declarations on the app's side (hookwise itself reads stripe-node's CommonJS ones). The events
// hookwise hands out fit the app's Stripe types.
import Stripe from 'stripe';
import { createWebhookHandler } from 'hookwise';
import { createWebhookHandler as createPortableHandler } from 'hookwise/portable';

const webhooks = createWebhookHandler({ secret: 'whsec_x' });
webhooks.on('invoice.paid', (event) => {
  const typed: Stripe.InvoicePaidEvent = event;
  const invoice: Stripe.Invoice = event.data.object;
  void typed; void invoice;
  // @ts-expect-error -- an Invoice, not a Customer
  const customer: Stripe.Customer = event.data.object;
  void customer;
});
webhooks.on('*', (event) => { const all: Stripe.Event = event; void all; });
// @ts-expect-error -- unknown name
webhooks.on('invoice.payed', () => {});
createPortableHandler({ secret: 'whsec_x', on: { 'customer.created': (event) => { const c: Stripe.Customer = event.data.object; void c; } } });
