// Usage examples for billing state (API.md section 8); compiled by test/js/types.test.js.
import { createWebhookHandler, MemoryStore, SqliteStore, RedisStore, PostgresStore } from 'hookwise';
import type { CustomerState, SubscriptionState, BillingStore, BillingDocument, HandlerContext } from 'hookwise';

async function billing(): Promise<void> {
  const webhooks = createWebhookHandler({
    secret: process.env.STRIPE_WEBHOOK_SECRET,
    store: new SqliteStore(),
    billing: { graceDays: 3, userId: (object) => object.metadata?.uid ?? null },
    on: {
      'invoice.paid': async (_event, ctx: HandlerContext) => {
        const state: CustomerState | null | undefined = ctx.billing;
        if (state && state.hasAccess) void state.subscription?.currentPeriodEnd;
      },
    },
  });
  createWebhookHandler({ secret: 'whsec_x', billing: true });
  // @ts-expect-error billing is true or an object
  createWebhookHandler({ secret: 'whsec_x', billing: 'yes' });
  const state = await webhooks.billing.get({ userId: 'user_42' });
  const premium: boolean = state !== null && state.hasAccess;
  const sub: SubscriptionState | null = state === null ? null : state.subscription;
  await webhooks.billing.get({ customerId: 'cus_1' });
  // @ts-expect-error a query names a customer or a user
  await webhooks.billing.get({ email: 'a@example.com' });
  void premium;
  void sub;

  const stores: BillingStore[] = [new MemoryStore(), new SqliteStore(), null as unknown as RedisStore, null as unknown as PostgresStore];
  const doc: BillingDocument | null = await stores[0].billingGet('cus_1');
  const version: number | null = await stores[0].billingPut('cus_1', { record: '{}', userId: null, updatedAt: Date.now() }, doc ? doc.version : 0);
  void version;
}
void billing;
