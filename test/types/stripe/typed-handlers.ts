// Typed handlers with stripe-node installed: compiled against stripe 23 (tsconfig.json) and
// stripe 22 (tsconfig.stripe-v22.json, `stripe` path-mapped to the stripe-v22 alias). Each
// `Equal` check fails the build when the type is anything but exactly stripe-node's; each
// expect-error directive fails it when the error disappears. Also compiled with moduleResolution
// "bundler" (tsconfig.bundler.json), where `stripe` resolves to its ESM declarations on both sides.
import Stripe from 'stripe';
import {
  createWebhookHandler,
  type EventHandler,
  type HandlerContext,
  type StripeEvent,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookHandler,
  invoiceSubscriptionId,
  subscriptionPeriodEnd,
} from 'hookwise';
import { createWebhookHandler as createPortableHandler } from 'hookwise/portable';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
declare function check<T extends true>(): void;

// The names and the per-name event types are stripe-node's own.
check<Equal<WebhookEventType, Stripe.Event['type']>>();
check<Equal<WebhookEvent<'invoice.paid'>, Stripe.InvoicePaidEvent>>();
check<Equal<WebhookEvent<'invoice.paid' | 'customer.created'>, Stripe.InvoicePaidEvent | Stripe.CustomerCreatedEvent>>();
check<Equal<WebhookEvent<'*'>, Stripe.Event>>();
check<Equal<WebhookEvent, Stripe.Event>>();
check<Equal<WebhookEvent<string>, StripeEvent>>();
// @ts-expect-error -- not stripe-node's event for that name
check<Equal<WebhookEvent<'invoice.paid'>, Stripe.InvoicePaymentFailedEvent>>();
// @ts-expect-error -- a name stripe-node does not know has no typed event
check<Equal<WebhookEvent<'invoice.payed'>, Stripe.InvoicePaidEvent>>();

const webhooks = createWebhookHandler({ secret: 'whsec_x' });

// One name: the event is that name's interface; ctx keeps its type.
const chained: WebhookHandler = webhooks.on('invoice.paid', async (event, ctx) => {
  check<Equal<typeof event, Stripe.InvoicePaidEvent>>();
  check<Equal<typeof ctx, HandlerContext>>();
  const invoice: Stripe.Invoice = event.data.object;
  const subscription: string | Stripe.Subscription | null | undefined = event.data.object.parent?.subscription_details?.subscription;
  const attempt: number = ctx.attempt;
  void invoice; void subscription; void attempt;
  // @ts-expect-error -- the object is an Invoice, not a Customer
  const customer: Stripe.Customer = event.data.object;
  // @ts-expect-error -- basil moved invoice.subscription to parent.subscription_details (stripe-node 18+): a real Invoice type, not any
  void event.data.object.subscription;
  // @ts-expect-error -- the type is the literal 'invoice.paid'; no overlap with another name
  if (event.type === 'customer.created') void customer;
  // @ts-expect-error -- ctx has no such member
  void ctx.nope;
});
void chained;

// Several names: the union, narrowed by `type` as in a switch over Stripe.Event.
webhooks.on(['invoice.paid', 'customer.subscription.updated'], (event) => {
  check<Equal<typeof event, Stripe.InvoicePaidEvent | Stripe.CustomerSubscriptionUpdatedEvent>>();
  switch (event.type) {
    case 'invoice.paid': { const i: Stripe.Invoice = event.data.object; void i; break; }
    case 'customer.subscription.updated': { const s: Stripe.Subscription = event.data.object; void s; break; }
    // @ts-expect-error -- not one of the registered names
    case 'customer.created': break;
  }
});
const names = ['checkout.session.completed', 'checkout.session.expired'] as const;
webhooks.on(names, (event) => {
  const session: Stripe.Checkout.Session = event.data.object;
  void session;
});

// '*' (alone or among names): every event, Stripe.Event.
webhooks.on('*', (event) => { check<Equal<typeof event, Stripe.Event>>(); });
webhooks.on(['invoice.paid', '*'], (event) => { check<Equal<typeof event, Stripe.Event>>(); });

// Chainable, each link typed on its own.
webhooks
  .on('customer.created', (event) => { const c: Stripe.Customer = event.data.object; void c; })
  .on('payment_intent.succeeded', (event) => { const p: Stripe.PaymentIntent = event.data.object; void p; });

// A handler written apart fits the names it was typed for, and only those.
const onInvoicePaid: EventHandler<WebhookEvent<'invoice.paid'>> = (event) => { void event.data.object.amount_paid; };
const onStripeNodeType = (event: Stripe.InvoicePaidEvent, ctx: HandlerContext): void => { void event; void ctx; };
webhooks.on('invoice.paid', onInvoicePaid).on('invoice.paid', onStripeNodeType);
// @ts-expect-error -- an invoice.paid handler cannot take customer.created events
webhooks.on('customer.created', onInvoicePaid);
// @ts-expect-error -- nor the union of both names
webhooks.on(['invoice.paid', 'customer.created'], onInvoicePaid);
// A '*' handler needs one that takes every event.
const anyEvent = (event: Stripe.Event): void => { void event.id; };
webhooks.on('*', anyEvent).on('invoice.paid', anyEvent);
// @ts-expect-error -- '*' delivers every event, not only invoice.paid
webhooks.on('*', onInvoicePaid);

// Unknown names are type errors...
// @ts-expect-error -- a typo
webhooks.on('invoice.payed', () => {});
// @ts-expect-error -- one unknown name in an array is enough
webhooks.on(['invoice.paid', 'invoice.payed'], () => {});
// @ts-expect-error -- not a string
webhooks.on(42, () => {});
// @ts-expect-error -- a handler is a function
webhooks.on('invoice.paid', 'nope');

// ...unless the user widens the name to string: then hookwise's untyped StripeEvent.
webhooks.on('v1.some.future_type' as string, (event) => {
  check<Equal<typeof event, StripeEvent>>();
  // @ts-expect-error -- untyped: data.object is not an Invoice
  const i: Stripe.Invoice = event.data.object;
  void i;
});
declare const fromConfig: string;
webhooks.on([fromConfig, 'invoice.paid'], (event) => { check<Equal<typeof event, StripeEvent>>(); });
// @ts-expect-error -- a widened name gives an untyped event, which a typed handler cannot take
webhooks.on(fromConfig, onInvoicePaid);

// The `on` option map: typed per key the same way.
createWebhookHandler({
  secret: 'whsec_x',
  on: {
    'checkout.session.completed': async (event, ctx) => {
      check<Equal<typeof event, Stripe.CheckoutSessionCompletedEvent>>();
      check<Equal<typeof ctx, HandlerContext>>();
      const session: Stripe.Checkout.Session = event.data.object;
      void session;
    },
    'invoice.paid': [onInvoicePaid, (event) => { check<Equal<typeof event, Stripe.InvoicePaidEvent>>(); }],
    '*': (event) => { check<Equal<typeof event, Stripe.Event>>(); },
  },
});
// @ts-expect-error -- unknown name in the map (reported at the call: createWebhookHandler has a
// second overload, for scheme 'standard')
createWebhookHandler({
  secret: 'whsec_x',
  on: { 'invoice.payed': () => {} },
});
createWebhookHandler({
  secret: 'whsec_x',
  // @ts-expect-error -- the invoice.paid handler under customer.created
  on: { 'customer.created': onInvoicePaid },
});
createWebhookHandler({
  secret: 'whsec_x',
  on: {
    // @ts-expect-error -- inside the map the object is a Subscription
    'customer.subscription.deleted': (event) => { const i: Stripe.Invoice = event.data.object; void i; },
  },
});

// hookwise/portable types its handler identically.
createPortableHandler({ secret: 'whsec_x', on: { 'invoice.paid': (event) => { check<Equal<typeof event, Stripe.InvoicePaidEvent>>(); } } })
  .on('customer.created', (event) => { check<Equal<typeof event, Stripe.CustomerCreatedEvent>>(); });
// @ts-expect-error -- unknown names are errors there too
createPortableHandler({ secret: 'whsec_x' }).on('invoice.payed', () => {});

// billing.refetch takes a stripe-node client.
createWebhookHandler({ secret: 'whsec_x', billing: { refetch: new Stripe('sk_test_x') } });

// The Stripe-field helpers take stripe-node's own objects (interfaces without an index signature).
declare const stripeSubscription: Stripe.Subscription;
declare const stripeInvoice: Stripe.Invoice;
const periodEndOfStripeSubscription: number | null = subscriptionPeriodEnd(stripeSubscription);
const subscriptionOfStripeInvoice: string | null = invoiceSubscriptionId(stripeInvoice);
