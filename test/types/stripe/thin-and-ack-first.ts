// Thin event handlers and ack-first delivery, against stripe-node (23 here; 22 through
// tsconfig.stripe-v22.json, where fewer thin types are known and the rest fall back to unknown).
import Stripe from 'stripe';
import { createWebhookHandler, HandleResult, PostgresStore, RedisStore, PendingPayloadStore, ThinEvent } from 'hookwise';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const check = <T extends true>(): T => true as T;

const stripe = new Stripe('sk_test_x');
const webhooks = createWebhookHandler({ secret: 'whsec_x', stripe, delivery: 'ack-first', after: (work) => { void work(); } });

webhooks.on('v2.core.account.updated', async (event, ctx) => {
  check<Equal<typeof event.type, 'v2.core.account.updated'>>();
  const id: string = event.id;
  const related = await ctx.fetchRelatedObject();
  const fetched = await ctx.fetchEvent();
  // stripe-node 22 and 23 both know this type: the related object is a v2 Account.
  const account: Stripe.V2.Core.Account = related;
  void id; void account; void fetched;
  // @ts-expect-error -- a notification has no snapshot
  void event.data.object;
});

webhooks.on('v1.made.up.thin_type', async (event, ctx) => {
  const related = await ctx.fetchRelatedObject();
  check<Equal<typeof related, unknown>>();
  const thin: ThinEvent = event;
  void thin;
});

// The snapshot overloads are unchanged.
webhooks.on('invoice.paid', (event) => {
  const invoice: Stripe.Invoice = event.data.object;
  void invoice;
});

// In the `on` option too.
createWebhookHandler({
  secret: 'whsec_x',
  on: {
    // Keys of the map are matched by pattern: the handler's type is the pattern's (`v2.${string}`).
    'v2.core.account.created': async (event, ctx) => {
      check<Equal<typeof event.type, `v2.${string}`>>();
      await ctx.fetchEvent();
    },
    'invoice.paid': (event) => {
      const invoice: Stripe.Invoice = event.data.object;
      void invoice;
    },
  },
});

// @ts-expect-error -- delivery is 'inline' or 'ack-first'
createWebhookHandler({ secret: 'whsec_x', delivery: 'later' });

async function drain(): Promise<void> {
  const results: HandleResult[] = await webhooks.drain({ limit: 10 });
  const outcome: 'accepted' | HandleResult['outcome'] = results[0].outcome;
  void outcome;
  // @ts-expect-error -- limit is a number
  await webhooks.drain({ limit: '10' });
}
void drain;

declare const pg: PostgresStore;
declare const redis: RedisStore;
const capable: PendingPayloadStore[] = [pg, redis];
void capable;
