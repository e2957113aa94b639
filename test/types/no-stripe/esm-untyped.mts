// Without stripe-node, from an ES module (node16): the .d.mts declarations compile with
// skipLibCheck: false and handlers get hookwise's StripeEvent, as in untyped-handlers.ts.
import { createWebhookHandler, type StripeEvent } from 'hookwise';
import { createWebhookHandler as createPortable } from 'hookwise/portable';
import { runStoreContract } from 'hookwise/testing';

createWebhookHandler({ secret: 'whsec_x' }).on('invoice.paid', (event) => {
  const e: StripeEvent = event;
  void e;
});
createPortable({ secret: 'whsec_x', on: { '*': (event) => { const id: string = event.id; void id; } } });
void runStoreContract;
