// An ES module app on module node16 / nodenext (tsconfig.esm-node16.json, tsconfig.esm-nodenext.json):
// every entry resolves its ES-module declarations (index.d.mts, portable.d.mts, lib/convex/index.d.mts,
// testing.d.mts) through the exports map's "import" condition, and stripe-node on hookwise's side is
// the same ESM declarations as the app's own `import Stripe from 'stripe'` (test/types/stripe/esm-consumer.mts).
import Stripe from 'stripe';
import { createWebhookHandler, MemoryStore, type HandleResult, type Store, type ThinEvent } from 'hookwise';
import { createWebhookHandler as createPortable, implementation } from 'hookwise/portable';
import { ConvexStore, hookwiseTables, savePayload, due } from 'hookwise/convex';
import { runStoreContract } from 'hookwise/testing';

const stripe = new Stripe('sk_test_x');
const webhooks = createWebhookHandler({ secret: 'whsec_x', stripe, delivery: 'ack-first', store: new MemoryStore() });
webhooks.on('customer.subscription.updated', (event) => {
  const subscription: Stripe.Subscription = event.data.object;
  void subscription;
});
webhooks.on('v2.core.account.updated', async (event, ctx) => {
  const thin: ThinEvent<'v2.core.account.updated'> = event;
  const account: Stripe.V2.Core.Account = await ctx.fetchRelatedObject();
  void thin; void account;
});
const drained: Promise<HandleResult[]> = webhooks.drain();
void drained;

const portableImplementation: 'portable' = implementation;
void portableImplementation;
createPortable({ secret: 'whsec_x', on: { 'invoice.paid': (event) => { const i: Stripe.Invoice = event.data.object; void i; } } });

declare const ctx: { runMutation(...args: any[]): Promise<any>; runQuery(...args: any[]): Promise<any> };
declare const refs: any;
const convexStore: Store = new ConvexStore({ ctx, functions: refs });
void convexStore; void hookwiseTables; void savePayload; void due;
void runStoreContract;

// @ts-expect-error -- an Invoice, not a Customer (the types are real, not any)
webhooks.on('invoice.paid', (event) => { const c: Stripe.Customer = event.data.object; void c; });
