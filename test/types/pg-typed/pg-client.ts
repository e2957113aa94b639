// With pg's types present (here a stand-in mapped to 'pg'), a transactional handler's ctx.client is
// pg's PoolClient and ctx.sql resolves pg's QueryResult (tsc --noEmit, test/js/types.test.js).
import { createWebhookHandler, PostgresStore, PgPoolLike, PgPoolClient } from 'hookwise';
import type { PoolClient } from 'pg';

declare const pool: PgPoolLike;
createWebhookHandler({ secret: 'whsec_x', store: new PostgresStore({ pool }), transactional: true }).on('invoice.paid', async (event, ctx) => {
  const client: PoolClient = ctx.client;
  const pid: number = ctx.client.processID;
  const command: string = (await ctx.sql('SELECT 1')).command;
});
const same: PoolClient = null as unknown as PgPoolClient;
