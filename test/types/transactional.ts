// Compile-time checks of transactional handlers (tsc --noEmit, run by test/js/types.test.js):
// createWebhookHandler({ transactional: true }) gives handlers ctx.client / ctx.sql; without it they
// are not there. pg's types are not installed here, so ctx.client is hookwise's PgClientLike.
// Lines marked @ts-expect-error must fail to compile; the rest must compile.
import { createWebhookHandler, PostgresStore, PgPoolLike, TransactionalHandlerContext, PgClientLike, TransactionalStore, WebhookHandler } from 'hookwise';

declare const pool: PgPoolLike;
const store = new PostgresStore({ pool });
const capable: TransactionalStore<Pick<TransactionalHandlerContext, 'client' | 'sql'>> = store;

const tx: WebhookHandler<TransactionalHandlerContext> = createWebhookHandler({
  secret: process.env.STRIPE_WEBHOOK_SECRET,
  store,
  transactional: true,
  on: {
    'invoice.paid': async (event, ctx) => {
      const client: PgClientLike = ctx.client;
      const { rows } = await ctx.sql('SELECT $1::int AS n', [1]);
      const n: unknown = rows[0].n;
      await client.query({ text: 'SELECT 1' });
      const attempt: number = ctx.attempt;
    },
  },
});
tx.on('*', async (event, ctx) => {
  await ctx.sql('UPDATE accounts SET credits = credits + 1 WHERE id = $1', [event.id]);
});

const plain = createWebhookHandler({ secret: 'whsec_x', store });
plain.on('invoice.paid', async (event, ctx) => {
  // @ts-expect-error: ctx.sql exists only with transactional: true
  await ctx.sql('SELECT 1');
});

// @ts-expect-error: transactional is a boolean
createWebhookHandler({ secret: 'whsec_x', store, transactional: 'yes' });

// hookwise/portable's SqliteStore: ctx.db, not ctx.sql.
import { SqliteStore as PortableSqliteStore, createWebhookHandler as createPortable } from 'hookwise/portable';
createPortable({ secret: 'whsec_x', store: new PortableSqliteStore({ path: 'app.db' }), transactional: true }).on('invoice.paid', (event, ctx) => {
  ctx.db.prepare('INSERT INTO ledger (event_id) VALUES (?)').run(event.id);
  // @ts-expect-error: no pg client on a SQLite transaction
  ctx.sql('SELECT 1');
});

// billing with transactional: true (PostgresStore): ctx.billing next to ctx.client.
createWebhookHandler({ secret: 'whsec_x', store, transactional: true, billing: { graceDays: 3 } }).on('invoice.paid', async (event, ctx) => {
  const access: boolean | undefined = ctx.billing?.hasAccess;
  await ctx.sql('UPDATE accounts SET premium = $1 WHERE id = $2', [access === true, event.id]);
});
const inTransactions: true = store.billingInTransactions;
