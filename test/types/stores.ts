// Usage examples for the store types (API.md §5); compiled by test/js/types.test.js.
import { MemoryStore, SqliteStore } from 'hookwise';
import type { Store, Claim, EventRecord, FailResult } from 'hookwise';

async function stores(): Promise<void> {
  const memory: Store = new MemoryStore({ name: 'shared', maxEntries: 1000, retentionMs: 60_000 });
  const claim: Claim = await memory.claim('evt_1', { type: 'invoice.paid', created: 1, objectId: 'in_1', leaseMs: 60_000 });
  if (claim.status === 'acquired' && claim.token) {
    const done: boolean = await memory.complete('evt_1', claim.token);
    const failed: FailResult = await memory.fail('evt_1', claim.token, 'boom', 5);
    void done;
    void failed.stale;
  }
  const last: number | null = await memory.lastApplied('in_1');
  await memory.markApplied('in_1', 1, 'evt_1');
  const record: EventRecord | null = await memory.get('evt_1');
  const list: EventRecord[] = await memory.list({ status: 'dead_lettered', type: 'invoice.paid', limit: 10, before: Date.now() });
  const purged: number = await memory.purge(1000);
  const requeued: boolean = await memory.requeue('evt_1');
  await memory.close();
  void [last, record, list, purged, requeued];

  // @ts-expect-error status must be one of the four statuses
  await memory.list({ status: 'done' });
  // @ts-expect-error meta.type is required
  await memory.claim('evt_2', { created: 1, leaseMs: 1 });
  // @ts-expect-error unknown option
  new MemoryStore({ maxEntrie: 5 });

  const sqlite: Store = new SqliteStore({ path: 'events.db', durability: 'normal', keepPayloads: true, retentionMs: 1000 });
  const kept = await sqlite.get('evt_1');
  const body: Buffer | null | undefined = kept?.payload;
  void body;
  new SqliteStore();
  // @ts-expect-error durability is 'full' or 'normal'
  new SqliteStore({ durability: 'fsync' });
}
void stores;
