// Compile-time checks of the Store types, RedisStore and PostgresStore
// (tsc --noEmit, run by test/js/types.test.js); hookwise/convex's are in convex.mts.
// Lines marked @ts-expect-error must fail to compile; the rest must compile.
import { RedisStore, PostgresStore, Store, Claim, EventRecord, PgPoolLike } from 'hookwise';
import Redis from 'ioredis';
import { createClient } from 'redis';

// pg ships no types of its own (@types/pg is not a dependency here): a Pool-shaped value.
declare const pgPool: PgPoolLike;
const fromIoredis: Store = new RedisStore({ client: new Redis(), prefix: 'app:', retentionMs: 1000, timeoutMs: 0 });
const fromNodeRedis: Store = new RedisStore({ client: createClient() });
const fromPg: Store = new PostgresStore({ pool: pgPool, table: 'public.webhook_events', createTables: false });
const ddl: string = PostgresStore.schemaSql('webhook_events');

async function useStore(store: Store) {
  const c: Claim = await store.claim('evt_1', { type: 'invoice.paid', created: 1, objectId: null, leaseMs: 60_000 });
  if (c.status === 'acquired' && c.token) {
    const done: boolean = await store.complete('evt_1', c.token);
    const f = await store.fail('evt_1', c.token, 'boom', 5);
    const dead: boolean = f.deadLettered;
  }
  const r: EventRecord | null = await store.get('evt_1');
  const page: EventRecord[] = await store.list({ status: 'dead_lettered', limit: 10, before: Date.now() });
  const last: number | null = await store.lastApplied('sub_1');
  const n: number = await store.purge(1000);
  // @ts-expect-error: not a status
  await store.list({ status: 'done' });
  // @ts-expect-error: leaseMs is required
  await store.claim('evt_1', { type: 't', created: 1 });
}

// @ts-expect-error: a client is required
new RedisStore({ prefix: 'x' });
// @ts-expect-error: a pool is required
new PostgresStore({ table: 'x' });


void [fromIoredis, fromNodeRedis, fromPg, ddl, useStore];
