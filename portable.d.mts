// Generated from portable.d.ts by scripts/esm-declarations.js (the ES-module twin, for "import"): edit portable.d.ts.
// hookwise/portable, and `hookwise` under the workerd, edge-light, worker,
// browser and deno conditions: the same API as `hookwise` (index.d.ts), with
// no native addon. Its synchronous verifying functions (constructEvent,
// verifyHeader, parseEventNotification, generateTestHeaderString) need a
// synchronous HMAC (node:crypto); where the runtime has none they throw an
// Error naming the …Async function to use instead. The same holds for
// verifyStandardWebhook (use verifyStandardWebhookAsync) and signStandardWebhook;
// v1a (whpk_ keys) needs WebCrypto's Ed25519, else an Error with code
// HOOKWISE_ED25519_UNAVAILABLE.
import type { Store, BillingStore, SqliteStoreOptions, ClaimMeta, TransactionalClaim } from './index.mjs';

export * from './index.mjs';

/** Always 'portable' here. */
export const implementation: 'portable';

/**
 * SqliteStore on node:sqlite (Node 22.13+, Deno) or bun:sqlite (Bun), in the native store's
 * file format. Elsewhere the constructor throws, naming the stores that work there.
 */
export interface SqliteStore extends Store, BillingStore {}
export class SqliteStore {
  constructor(options?: SqliteStoreOptions);
  readonly path: string;
  readonly durability: 'full' | 'normal';
  readonly keepPayloads: boolean;
  /** The SQLite binding this store uses. */
  readonly driver: 'node:sqlite' | 'bun:sqlite';
  /**
   * The transactional capability (createWebhookHandler({ transactional: true })): handlers get ctx.db, this
   * store's connection inside the event's BEGIN IMMEDIATE transaction.
   */
  claimInTransaction(eventId: string, meta: ClaimMeta): Promise<TransactionalClaim<{ db: SqliteDatabaseLike }>>;
}

/** What node:sqlite's DatabaseSync and bun:sqlite's Database have in common (ctx.db of a transactional handler). */
export interface SqliteDatabaseLike {
  exec(sql: string): unknown;
  prepare(sql: string): { run(...params: any[]): unknown; get(...params: any[]): any; all(...params: any[]): any[] };
}
