// Without `stripe` (test/js/types.test.js copies the declarations into a temporary directory with
// no stripe-node anywhere above it, and compiles this file and test/types/*.ts there): the
// declarations still compile with skipLibCheck: false, and handlers get hookwise's StripeEvent.
import {
  createWebhookHandler,
  type HandlerContext,
  type StripeEvent,
  type WebhookEvent,
  type WebhookEventType,
} from 'hookwise';
import { createWebhookHandler as createPortableHandler } from 'hookwise/portable';
// @ts-expect-error -- this configuration must really have no stripe-node (else it tests nothing)
import Stripe = require('stripe');
void Stripe;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
declare function check<T extends true>(): void;

check<Equal<WebhookEventType, string>>();
check<Equal<WebhookEvent<'invoice.paid'>, StripeEvent>>();
check<Equal<WebhookEvent<'*'>, StripeEvent>>();
check<Equal<WebhookEvent<string>, StripeEvent>>();
// The unresolved import must not turn the types into `any` (which Equal cannot tell apart):
declare const someType: WebhookEventType;
// @ts-expect-error -- a string, not any
const notAny: number = someType;
void notAny;

const webhooks = createWebhookHandler({ secret: 'whsec_x' });
webhooks.on('invoice.paid', (event, ctx) => {
  check<Equal<typeof event, StripeEvent>>();
  check<Equal<typeof ctx, HandlerContext>>();
  const id: string | undefined = event.data.object.id;
  void id;
  // @ts-expect-error -- untyped: fields beyond id/object are unknown
  const amount: number = event.data.object.amount_paid;
  void amount;
});
// No list of names to check against: any name is accepted.
webhooks.on(['invoice.paid', 'some.other_type'], (event) => { check<Equal<typeof event, StripeEvent>>(); });
// The same handler fits a name in on() and in the map.
const onPaid = (event: WebhookEvent<'invoice.paid'>, ctx: HandlerContext): void => { void event; void ctx; };
webhooks.on('invoice.paid', onPaid);
createWebhookHandler({ secret: 'whsec_x', on: { 'invoice.paid': onPaid } });
webhooks.on('*', (event) => { check<Equal<typeof event, StripeEvent>>(); });
declare const fromConfig: string;
webhooks.on(fromConfig, (event) => { check<Equal<typeof event, StripeEvent>>(); });
// @ts-expect-error -- still not a string
webhooks.on(42, () => {});
createWebhookHandler({
  secret: 'whsec_x',
  on: { 'invoice.paid': [(event: StripeEvent) => { void event; }], 'anything.goes': (event, ctx) => { check<Equal<typeof event, StripeEvent>>(); void ctx.attempt; } },
});
// @ts-expect-error -- a handler is a function
createWebhookHandler({ secret: 'whsec_x', on: { 'invoice.paid': 'nope' } });
createPortableHandler({ secret: 'whsec_x' }).on('invoice.paid', (event) => { check<Equal<typeof event, StripeEvent>>(); });

// Thin handlers without stripe-node: the notification is typed, what ctx fetches is unknown.
createWebhookHandler({ secret: 'whsec_x', delivery: 'ack-first' }).on('v1.customer.subscription.created', async (event, ctx) => {
  check<Equal<typeof event.type, 'v1.customer.subscription.created'>>();
  const related = await ctx.fetchRelatedObject();
  check<Equal<typeof related, unknown>>();
  // @ts-expect-error -- a notification has no snapshot
  void event.data.object;
});
