// Bun and Deno: the portable SqliteStore of `hookwise/portable` on the
// runtime's own SQLite (bun:sqlite, node:sqlite) and the file given in argv:
// three events through claim/complete/fail, then what the store reads back.
import { SqliteStore } from 'hookwise/portable';

const file = (globalThis.Deno ? Deno.args : process.argv.slice(2))[0];
const store = new SqliteStore({ path: file, keepPayloads: true });
const meta = { type: 'invoice.paid', created: 1700000000, objectId: 'in_rt', leaseMs: 60000 };
const first = await store.claim('evt_rt_done', { ...meta, payload: new TextEncoder().encode('{"id":"evt_rt_done"}') });
const duplicateBeforeComplete = await store.claim('evt_rt_done', meta);
const completed = await store.complete('evt_rt_done', first.token);
const again = await store.claim('evt_rt_done', meta);
const failing = await store.claim('evt_rt_failed', meta);
const failed = await store.fail('evt_rt_failed', failing.token, 'handler threw', 5);
await store.claim('evt_rt_held', meta);
await store.markApplied('in_rt', 1700000000, 'evt_rt_done');
const record = await store.get('evt_rt_done');
await store.close();
console.log(JSON.stringify({
  driver: store.driver,
  first: first.status,
  duplicateBeforeComplete: duplicateBeforeComplete.status,
  completed,
  again: again.status,
  failed,
  record: { ...record, payload: new TextDecoder().decode(record.payload) },
}));
