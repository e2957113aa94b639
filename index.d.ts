// Type definitions for hookwise. Every export of lib/index.js is typed here.

/// <reference types="node" />

// stripe-node's own types, when the app has `stripe` installed. hookwise never depends on them: without
// `stripe` this import does not resolve, the ignore keeps that from being an error (also with
// skipLibCheck: false), StripeNodeMissing below detects it, and every handler type falls back to
// hookwise's own StripeEvent. An ES import (not `import = require`) so that under
// moduleResolution "bundler" it resolves the same stripe-node declarations (ESM) as the app's own
// `import Stripe from 'stripe'`: stripe-node's CommonJS and ESM declarations are distinct types, and an
// Invoice of one is not assignable to an Invoice of the other. (CommonJS stripe-node is `export =`: the
// default import needs esModuleInterop/allowSyntheticDefaultImports, on by default for node16, nodenext
// and bundler; without it the types fall back to StripeEvent.)
// @ts-ignore -- `stripe` is an optional peer; see above
import type StripeNode from 'stripe';
// pg's types (@types/pg), when the app has them, for ctx.client of transactional handlers. Without them
// this import is TypeScript's error type (pg not installed) or `any` (pg installed, untyped); PgTypesMissing
// below detects both and ctx.client falls back to PgClientLike.
// @ts-ignore -- `pg` and `@types/pg` are optional; see above
import type * as PgTypes from 'pg';

/**
 * Which implementation this import got (API.md section 7): 'native' (the C++ addon) or
 * 'portable' (WebCrypto and JSON.parse; where the addon cannot load, or
 * HOOKWISE_IMPLEMENTATION=portable). Both have the same API, results and errors.
 */
export const implementation: 'native' | 'portable';

/** The raw request body, exactly as received. */
export type WebhookPayload = string | Buffer | Uint8Array | ArrayBuffer;
/** The `Stripe-Signature` header value. */
export type SignatureHeaderValue = string | Buffer | Uint8Array;
/** One endpoint secret (`whsec_…`), or several (rotation, several endpoints on one route). */
export type WebhookSecret = string | string[];

export interface VerifyOptions {
  secret: WebhookSecret;
  /** Seconds; default 300; 0 turns the timestamp check off. */
  tolerance?: number;
  /** Milliseconds since the epoch; default Date.now(). */
  receivedAt?: number;
}

/**
 * The arguments every verifying function takes, in stripe-node's order:
 * (payload, header, secret, tolerance?, cryptoProvider?, receivedAt?).
 */
export type VerifyArguments = [
  payload: WebhookPayload,
  header: SignatureHeaderValue | null | undefined,
  secret: WebhookSecret | VerifyOptions | null | undefined,
  tolerance?: number,
  cryptoProvider?: unknown,
  receivedAt?: number,
];

/** A Stripe event as JSON.parse would return it (snapshot events, `object: "event"`). */
export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string | null;
  created: number;
  data: { object: { id?: string; object?: string; [key: string]: unknown }; previous_attributes?: Record<string, unknown> };
  livemode: boolean;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null } | null;
  type: string;
  account?: string;
  context?: string;
  [key: string]: unknown;
}

export type SignatureVerificationErrorCode =
  | 'missing_payload'
  | 'missing_header'
  | 'missing_secret'
  | 'malformed_header'
  | 'no_signatures'
  | 'signature_mismatch'
  | 'payload_not_raw'
  | 'timestamp_too_old'
  | 'timestamp_in_future';

export class SignatureVerificationError extends Error {
  readonly name: 'StripeSignatureVerificationError';
  readonly type: 'StripeSignatureVerificationError';
  readonly code: SignatureVerificationErrorCode;
  /** The header as given (non-enumerable). */
  readonly header: unknown;
  /** The payload as given, decoded to text for bytes (non-enumerable: never printed by loggers). */
  readonly payload: unknown;
}

/** createWebhookHandler misconfigured in a way found only at runtime (the secret missing after `next build`). */
export class WebhookConfigError extends Error {
  readonly name: 'WebhookConfigError';
  readonly code: 'missing_secret' | 'secret_whitespace' | 'billing_off';
}

/** `billing: { refetch }` could not read the customer's objects from Stripe; the delivery failed (500) and Stripe sends it again. */
export class BillingRefetchError extends Error {
  readonly name: 'BillingRefetchError';
  readonly code: 'rate_limited' | 'stripe_error' | 'connection_error';
  readonly customerId: string;
  /** Stripe's HTTP status, when it answered. */
  readonly statusCode: number | null;
  readonly requestId: string | null;
}

/** The codes of StoreError, one vocabulary for every store (docs/stores.md, "Errors"). */
export type StoreErrorCode =
  | 'HOOKWISE_STORE_CLOSED'
  | 'HOOKWISE_STORE_UNAVAILABLE'
  | 'HOOKWISE_STORE_CANNOT_OPEN'
  | 'HOOKWISE_STORE_READ_ONLY'
  | 'HOOKWISE_STORE_NOT_A_DATABASE'
  | 'HOOKWISE_STORE_FOREIGN_DATABASE'
  | 'HOOKWISE_STORE_CORRUPT'
  | 'HOOKWISE_STORE_DISK_FULL'
  | 'HOOKWISE_STORE_BUSY'
  | 'HOOKWISE_STORE_IO_ERROR'
  | 'HOOKWISE_STORE_SCHEMA_TOO_NEW'
  | 'HOOKWISE_STORE_INVALID_ARGUMENT'
  | 'HOOKWISE_STORE_INTERNAL';

/**
 * A store operation failed (every store: MemoryStore, SqliteStore, RedisStore, PostgresStore,
 * ConvexStore). `cause` holds the backend's own error when there is one. Bad arguments are
 * TypeError / RangeError instead, thrown before any I/O.
 */
export class StoreError extends Error {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown });
  readonly name: 'StoreError';
  readonly code: StoreErrorCode;
}

export function constructEvent(...args: VerifyArguments): StripeEvent;

export function constructEventAsync(...args: VerifyArguments): Promise<StripeEvent>;

export function verifyHeader(...args: VerifyArguments): true;

export interface TestHeaderOptions {
  payload: string | Buffer;
  secret: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Default 'v1'. */
  scheme?: string;
  /** Use this signature instead of computing one. */
  signature?: string;
}

export function generateTestHeaderString(opts: TestHeaderOptions): string;
export function generateTestHeaderStringAsync(opts: TestHeaderOptions): Promise<string>;

export const webhooks: {
  readonly DEFAULT_TOLERANCE: 300;
  constructEvent: typeof constructEvent;
  constructEventAsync: typeof constructEventAsync;
  verifyHeader: typeof verifyHeader;
  generateTestHeaderString: typeof generateTestHeaderString;
  generateTestHeaderStringAsync: typeof generateTestHeaderStringAsync;
  constructEventWithoutVerification: typeof constructEventWithoutVerification;
  readonly signature: {
    readonly EXPECTED_SCHEME: 'v1';
    verifyHeader: typeof verifyHeader;
    verifyHeaderAsync(...args: Parameters<typeof verifyHeader>): Promise<true>;
  };
};

// ---------------------------------------------------------------------------
// Stores — idempotency bookkeeping (API.md §5)

export type EventStatus = 'processing' | 'completed' | 'failed' | 'dead_lettered';

export interface ClaimMeta {
  /** The event's type, e.g. 'invoice.paid' (at most 255 bytes of UTF-8). */
  type: string;
  /** The event's `created` (Unix seconds). */
  created: number;
  /** `data.object.id`, for ordering (at most 255 bytes of UTF-8). */
  objectId?: string | null;
  /** How long the claim counts as in progress: an integer number of milliseconds, at least 1. */
  leaseMs: number;
  /** The raw body; kept only by stores that keep payloads (SqliteStore with keepPayloads). */
  payload?: string | Buffer | Uint8Array | null;
  /**
   * Atomic ordering (docs/stores.md), only for a store whose `atomicOrdering` is true: the claim
   * takes this object's ordering slot, or answers `stale` / `blocked`; its completion marks it.
   */
  order?: OrderKey | null;
}

/** Where an event sits in its object's order: (created, rank), rank = lifecycle rank of its status (0 when unknown). */
export interface OrderKey {
  /** The object (at most 255 bytes of UTF-8). */
  objectId: string;
  /** The event's `created` (Unix seconds). */
  created: number;
  /** A non-negative integer: the same-second tie-break. */
  rank: number;
}

export interface Claim {
  /** `stale` and `blocked` only for a claim with `meta.order` (atomic ordering). */
  status: 'acquired' | 'duplicate' | 'in_progress' | 'dead_lettered' | 'stale' | 'blocked';
  /** The fencing token, only when acquired. */
  token?: string;
  /** Claims acquired so far, this one included when acquired. */
  attempt: number;
}

export interface FailResult {
  deadLettered: boolean;
  attempt: number;
  /** Present when the token no longer held the event: nothing was changed. */
  stale?: true;
}

export interface EventRecord {
  id: string;
  type: string;
  created: number;
  objectId: string | null;
  status: EventStatus;
  /** Claims acquired so far (1 after the first). */
  attempts: number;
  /** The last fail()'s message, or null. */
  lastError: string | null;
  /** Milliseconds since the epoch. */
  receivedAt: number;
  /** Milliseconds since the epoch. */
  updatedAt: number;
  /** The raw body, only from stores created with keepPayloads (null when none was given). */
  payload?: Buffer | null;
}

export interface ListQuery {
  status?: EventStatus;
  type?: string;
  /** 1 to 10,000; 100 by default. */
  limit?: number;
  /** A receivedAt cursor (exclusive): only records received before it. */
  before?: number;
}

export interface Store {
  /**
   * Optional capability (docs/stores.md, "Atomic ordering"): true when claim honours `meta.order`
   * and complete marks the object in the same operation. Every built-in store has it.
   */
  readonly atomicOrdering?: boolean;
  claim(eventId: string, meta: ClaimMeta): Promise<Claim>;
  /** false: the token lost its lease. */
  complete(eventId: string, token: string): Promise<boolean>;
  fail(eventId: string, token: string, error: string, maxAttempts: number): Promise<FailResult>;
  lastApplied(objectId: string): Promise<number | null>;
  markApplied(objectId: string, created: number, eventId: string): Promise<void>;
  get(eventId: string): Promise<EventRecord | null>;
  /** Newest receivedAt first (ties: id ascending). */
  list(query?: ListQuery): Promise<EventRecord[]>;
  requeue(eventId: string): Promise<boolean>;
  purge(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Billing state (API.md section 8) and its optional store capability (docs/stores.md)

/** One Stripe customer's stored billing state: the projection's record as JSON text. */
export interface BillingDocument {
  customerId: string;
  userId: string | null;
  /** The billing record as JSON (lib/billing's BillingRecord); read it with webhooks.billing.get. */
  record: string;
  /** 1 after the first put, +1 per put that won. */
  version: number;
  /** ms since the epoch. */
  updatedAt: number;
}

/**
 * The billing-state capability: the built-in stores have it, and `billing` needs it. A store written
 * for the Store interface alone keeps working without it (billing off). Documents are never purged.
 */
export interface BillingStore {
  billingGet(customerId: string): Promise<BillingDocument | null>;
  /** The newest document (updatedAt, then the smallest customerId) linked to the user. */
  billingFind(query: { userId: string }): Promise<BillingDocument | null>;
  /**
   * Compare-and-set: the new version (expectedVersion + 1), or null (nothing written) when the stored
   * version is not expectedVersion (0: no document yet). Moves the user index with the document.
   */
  billingPut(customerId: string, document: { record: string; userId: string | null; updatedAt: number }, expectedVersion: number): Promise<number | null>;
}

export interface SubscriptionState {
  id: string;
  status: string;
  priceId: string | null;
  productId: string | null;
  quantity: number | null;
  /** Unix seconds, from the items where the API version puts them there. */
  currentPeriodStart: number | null;
  currentPeriodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: number | null;
  canceledAt: number | null;
  trialEnd: number | null;
  /** attempt_count of the latest unpaid invoice, 0 once paid. */
  failedPaymentAttempts: number;
}

export interface BillingPurchase {
  checkoutSessionId: string;
  paymentIntentId: string | null;
  amountTotal: number | null;
  currency: string | null;
  created: number | null;
}

export interface CustomerState {
  customerId: string;
  userId: string | null;
  email: string | null;
  deleted: boolean;
  /** The one that decides access: active or trialing first, else the newest. */
  subscription: SubscriptionState | null;
  /** Newest first. */
  subscriptions: SubscriptionState[];
  /** Subscription active or trialing, or past_due within graceDays. */
  hasAccess: boolean;
  /** Active entitlement lookup keys. */
  entitlements: string[];
  /** Paid one-off checkouts. */
  purchases: BillingPurchase[];
  /** ms since the epoch. */
  updatedAt: number;
}

/** What `billing.refetch` needs of a stripe-node client (`new Stripe(key)` fits). */
export interface BillingStripeClient {
  customers: { retrieve(id: string, ...rest: any[]): unknown };
  subscriptions: { retrieve(id: string, ...rest: any[]): unknown; list(...args: any[]): unknown };
}

export interface BillingOptions {
  /** Default: metadata.userId, then checkout's client_reference_id. */
  userId?: (object: any) => string | null;
  /** past_due keeps access this long after the first failed invoice (default 0). */
  graceDays?: number;
  /** Rebuild subscription and customer state from Stripe's current objects (coalesced per customer). */
  refetch?: BillingStripeClient;
}

export type BillingQuery = { customerId: string } | { userId: string };

export interface WebhookBilling {
  /** The state now (hasAccess at the current time), or null. Without `billing` on it rejects (WebhookConfigError billing_off). */
  get(query: BillingQuery): Promise<CustomerState | null>;
}

/**
 * Optional store capability "pending payloads" (docs/stores.md, "Optional store capabilities"), for
 * `delivery: 'ack-first'`: the raw body of an event not yet run is kept beside its record until the
 * event completes. PostgresStore, RedisStore and ConvexStore have it; SqliteStore keeps payloads in
 * the record instead (keepPayloads: true); the handler's MemoryStore keeps them in process memory.
 */
export interface PendingPayloadStore {
  /** Keeps the raw body of an event that is processing or failed; the first body given stays. */
  savePayload(eventId: string, payload: string | Buffer | Uint8Array): Promise<void>;
  /** The kept body, or null. */
  loadPayload(eventId: string): Promise<Buffer | Uint8Array | null>;
  /** Drops the body of an event that completed (optional: retention removes it otherwise). */
  deletePayload?(eventId: string): Promise<void>;
  /**
   * Optional: what a worker should run now, oldest received first, payload included: failed events and
   * processing ones whose lease ran out, only those with a kept payload. Without it drain() uses list().
   */
  due?(query?: { limit?: number }): Promise<Array<EventRecord & { payload: Buffer | Uint8Array }>>;
}

/**
 * Optional store capability (docs/stores.md, "Optional store capabilities"): one delivery's claim, the
 * app's writes and the completion in one transaction. What createWebhookHandler({ transactional: true })
 * needs; PostgresStore (over a pg Pool) has it.
 */
export interface EventTransaction<Ctx = object> {
  /** Spread into the handlers' ctx (PostgresStore: { client, sql }). */
  readonly context: Ctx;
  /** The ordering marker, read inside the transaction. */
  lastApplied(objectId: string): Promise<number | null>;
  /** Records the completion (and the ordering marker) and commits with the handlers' writes. */
  commit(mark: { objectId: string; created: number } | null): Promise<boolean>;
  /** Rolls everything back, the claim too. */
  rollback(): Promise<void>;
  /** Rolls the handlers' writes back and records the failed attempt (dead letter at maxAttempts). */
  fail(error: string, maxAttempts: number): Promise<FailResult>;
  /** With the store's `billingInTransactions`: the billing-state capability inside this transaction (PostgresStore). */
  readonly billing?: Pick<BillingStore, 'billingGet' | 'billingPut'>;
}
export type TransactionalClaim<Ctx = object> =
  | { status: 'acquired'; token: string; attempt: number; transaction: EventTransaction<Ctx> }
  | { status: 'duplicate' | 'in_progress' | 'dead_lettered'; attempt: number };
export interface TransactionalStore<Ctx = object> extends Store {
  claimInTransaction(eventId: string, meta: ClaimMeta): Promise<TransactionalClaim<Ctx>>;
}

export interface MemoryStoreOptions {
  /** Instances with the same name share one store across all worker threads of the process. */
  name?: string;
  /** Above this many records, completed ones are evicted oldest first (default 100000). */
  maxEntries?: number;
  /** How long finished records are kept, in ms (default 30 days). */
  retentionMs?: number;
}

/** MemoryStore has every method of the Store interface (declaration merging), and billing state. */
export interface MemoryStore extends Store, BillingStore {}
export class MemoryStore {
  constructor(options?: MemoryStoreOptions);
  readonly name: string | null;
}

export interface SqliteStoreOptions {
  /** The database file; default `.hookwise/events.db` (resolved against the current directory at creation). */
  path?: string;
  /** How long finished records are kept, in ms (default 30 days). */
  retentionMs?: number;
  /** 'full' (default): synchronous=FULL, a completed event survives power loss once complete() resolves. */
  durability?: 'full' | 'normal';
  /** Store the raw body given to claim() for replay (default false). */
  keepPayloads?: boolean;
}

/** SqliteStore has every method of the Store interface (declaration merging), and billing state. */
export interface SqliteStore extends Store, BillingStore {}
export class SqliteStore {
  constructor(options?: SqliteStoreOptions);
  readonly path: string;
  readonly durability: 'full' | 'normal';
  readonly keepPayloads: boolean;
}
// ---- Events (API.md §2 and §3) ----------------------------------------------

/** A thin event notification (`object: "v2.core.event"`), as JSON.parse would return it. */
export interface EventNotification {
  id: string;
  object: 'v2.core.event';
  type: string;
  livemode: boolean;
  /** ISO 8601 timestamp. */
  created: string;
  context?: string | null;
  related_object?: { id: string; type: string; url: string } | null;
  reason?: { type: string; request?: { id: string; idempotency_key: string | null } } | null;
  [key: string]: unknown;
}

/** Verifies like constructEvent, then returns the thin event; a v1 event (`object: "event"`) throws, naming constructEvent. */
export function parseEventNotification(...args: VerifyArguments): EventNotification;

export function parseEventNotificationAsync(...args: VerifyArguments): Promise<EventNotification>;

/**
 * For payloads authenticated by someone else: unwraps an AWS EventBridge envelope
 * (`detail`) or an Azure Event Grid CloudEvent (`data`); a raw event passes through.
 * No signature is checked.
 */
export function constructEventWithoutVerification(payload: string | Buffer | Uint8Array | ArrayBuffer): StripeEvent;

/**
 * The end of a subscription's current period (Unix seconds): the latest
 * `items.data[].current_period_end` (API >= 2025-03-31.basil) when items have one,
 * else the top-level `current_period_end`; null when neither exists.
 */
// Generic so that stripe-node's interfaces (Stripe.Subscription, Stripe.Invoice), which have
// no index signature, are accepted as they are, and object literals with more fields too.
export function subscriptionPeriodEnd<
  S extends { current_period_end?: number | null; items?: { data?: Array<{ current_period_end?: number | null }> } | null },
>(subscription: S): number | null;

/**
 * `invoice.parent.subscription_details.subscription` (basil and later), else
 * `invoice.subscription`; an expanded subscription gives its id; null without one.
 */
export function invoiceSubscriptionId<
  I extends {
    subscription?: string | { id: string } | null;
    parent?: { subscription_details?: { subscription?: string | { id: string } | null } | null } | null;
  },
>(invoice: I): string | null;
// ---------------------------------------------------------------------------
// Distributed stores: RedisStore, PostgresStore

/**
 * The part of an ioredis (`new Redis()`) or node-redis v4+ (`createClient()`)
 * client that RedisStore uses. Pass the client itself.
 */
export type RedisClientLike =
  | { call(command: string, ...args: string[]): Promise<unknown>; evalsha(...args: any[]): Promise<unknown> }
  | { sendCommand(args: string[]): Promise<unknown> };

export interface RedisStoreOptions {
  /** A connected ioredis or node-redis (v4+) client; the store never closes it. */
  client: RedisClientLike;
  /** Every key starts with it. Default 'hookwise:'. Use a hash tag ('{hookwise}:') on Redis Cluster. */
  prefix?: string;
  /** Records and ordering markers expire (TTL) this long after their last change. Default 30 days. */
  retentionMs?: number;
  /** An operation that gets no answer in this many ms rejects. 0 = wait forever. Default 10000. */
  timeoutMs?: number;
}

/** The Store on Redis: each operation one atomic Lua script (one round trip). */
/** RedisStore has every method of the Store interface (declaration merging), and billing state. */
export interface RedisStore extends Store, BillingStore, PendingPayloadStore {}
export declare class RedisStore {
  constructor(options: RedisStoreOptions);
}

/** The part of a pg `Pool` (or `Client`) that PostgresStore uses. Pass the pool itself. */
export interface PgPoolLike {
  query(config: { text: string; values?: unknown[]; name?: string } | string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
  connect?(): Promise<{ query: PgPoolLike['query']; release(err?: boolean | Error): void }>;
}

export interface PostgresStoreOptions {
  /** A pg Pool; the store never ends it. */
  pool: PgPoolLike;
  /** Table name, optionally 'schema.table'; letters, digits and _. Default 'hookwise_events' (and 'hookwise_events_applied'). */
  table?: string;
  /** Create the tables on first use (default true); false when migrations create them from schemaSql(). */
  createTables?: boolean;
  /** Finished records and ordering markers older than this are deleted by claims (at most once a minute). Default 30 days. */
  retentionMs?: number;
}

/** The Store on PostgreSQL: one statement per operation; claims by INSERT … ON CONFLICT. */
/** PostgresStore has every method of the Store interface (declaration merging), and billing state (table <table>_billing). */
export interface PostgresStore extends Store, BillingStore, PendingPayloadStore {}
export declare class PostgresStore {
  constructor(options: PostgresStoreOptions);
  /** The DDL the store runs on first use, for migrations. */
  static schemaSql(table?: string): string;
  /** The transactional capability (TransactionalStore); absent when the store was given a bare Client without connect(). */
  claimInTransaction(eventId: string, meta: ClaimMeta): Promise<TransactionalClaim<Pick<TransactionalHandlerContext, 'client' | 'sql'>>>;
  /** true: with transactional: true, `billing` is applied inside the event's transaction (its transactions carry `billing`). */
  readonly billingInTransactions: true;
}

// ---------------------------------------------------------------------------
// The webhook handler (API.md §4)

export interface HandlerContext {
  eventId: string;
  /** Claims acquired for this event so far, this delivery's included (1 on the first). */
  attempt: number;
  store: Store;
  /** With `billing` on: the customer's state after this event (null for events naming no customer). */
  billing?: CustomerState | null;
}

/** true when pg's types (@types/pg) are not there: the import is the error type or `any`, both assignable to the probe. */
type PgTypesMissing = [PgTypes.PoolClient] extends [{ readonly __hookwiseProbe: 'pg types are not installed' }] ? true : false;

/** A pg query result as hookwise relies on it (without @types/pg). */
export interface PgQueryResultLike {
  rows: any[];
  rowCount: number | null;
}

/** The part of a pg PoolClient a transactional handler gets without @types/pg installed. */
export interface PgClientLike {
  query(config: { text: string; values?: unknown[]; name?: string } | string, values?: unknown[]): Promise<PgQueryResultLike>;
  release(err?: boolean | Error): void;
}

/** pg's `PoolClient` when @types/pg is installed, else PgClientLike. */
export type PgPoolClient = PgTypesMissing extends true ? PgClientLike : PgTypes.PoolClient;
/** pg's `QueryResult` when @types/pg is installed, else PgQueryResultLike. */
export type PgQueryResult = PgTypesMissing extends true ? PgQueryResultLike : PgTypes.QueryResult<any>;

/**
 * The handler context with `transactional: true` (PostgresStore): the pg client inside the event's
 * transaction, whose writes commit together with the event's completion (docs/api.md, "Transactional handlers").
 */
export interface TransactionalHandlerContext extends HandlerContext {
  /** The client inside this event's transaction. Do not release it, COMMIT or ROLLBACK on it: hookwise does. */
  client: PgPoolClient;
  /** client.query(text, values). */
  sql(text: string, values?: unknown[]): Promise<PgQueryResult>;
}

export type EventHandler<E = StripeEvent, C = HandlerContext> = (event: E, ctx: C) => unknown;

/**
 * true when `stripe` did not resolve. The unresolved import's types are TypeScript's error type, which
 * defeats the usual `0 extends 1 & T` any-test (a conditional on it is itself the error type, so every
 * handler type would silently become `any`); inside a tuple it is simply assignable to anything.
 */
type StripeNodeMissing = [StripeNode.Event] extends [{ readonly __hookwiseProbe: 'stripe-node is not installed' }] ? true : false;

/**
 * stripe-node's `Stripe.Event` union when `stripe` is installed and types its events by name
 * (stripe-node 22 and 23 do), else `never`.
 */
type StripeNodeEvent = StripeNodeMissing extends true
  ? never
  : string extends StripeNode.Event['type']
    ? never
    : StripeNode.Event;

/**
 * The event type names handlers can be registered for: stripe-node's names (`Stripe.Event['type']`)
 * when `stripe` is installed, else any string. `'*'` is accepted besides these.
 */
export type WebhookEventType = [StripeNodeEvent] extends [never] ? string : StripeNodeEvent['type'];

/**
 * The event a handler registered for `T` (a name, a union of names, or `'*'`) receives. With `stripe`
 * installed: stripe-node's event for that name (`WebhookEvent<'invoice.paid'>` is
 * `Stripe.InvoicePaidEvent`), the union for a union of names, and `Stripe.Event` for `'*'`. Without
 * `stripe`, or for a widened `string`: hookwise's StripeEvent (the same for every name, so a handler
 * fits both `on()` and the `on` map).
 */
export type WebhookEvent<T extends string = '*'> = string extends T
  ? StripeEvent
  : [StripeNodeEvent] extends [never]
    ? StripeEvent
    : '*' extends T
      ? StripeNodeEvent
      : Extract<StripeNodeEvent, { type: T }>;

/** Only a widened `string` (not a literal): the way to register a name stripe-node does not know. */
type WidenedString<S extends string> = string extends S ? S : never;

/**
 * The `on` option: `{ 'invoice.paid': handler, '*': handler, … }`, each key one of WebhookEventType or
 * `'*'`, each value a handler or an array of handlers typed for that key. An unknown name is an error
 * (excess property); register such names with `webhooks.on(name as string, handler)`.
 */
export type WebhookHandlerMap<C = HandlerContext> = {
  [K in WebhookEventType | '*']?: EventHandler<WebhookEvent<K>, C> | ReadonlyArray<EventHandler<WebhookEvent<K>, C>>;
};

// ---- Thin events (v2 events and the `v1.*` thin types) ---------------------------------------

/** A thin event type: the `v1.*` thin types (`v1.customer.subscription.created`) and v2 types (`v2.core.account.updated`). */
export type ThinEventType = `v1.${string}` | `v2.${string}`;

/** stripe-node's notification union when `stripe` is installed (22 and 23 have it), else never. */
// @ts-ignore -- a stripe-node without V2.Core.EventNotification: detected by the tuple probe below
type StripeNodeNotificationRaw = StripeNode.V2.Core.EventNotification;
type StripeNodeNotification = StripeNodeMissing extends true
  ? never
  : [StripeNodeNotificationRaw] extends [{ readonly __hookwiseProbe: 'no notification types' }]
    ? never
    : StripeNodeNotificationRaw;
type KnownNotification<T extends string> = Extract<StripeNodeNotification, { type: T }>;

/** What ctx.fetchRelatedObject() resolves to for thin type T: stripe-node's type where it knows T, else unknown. */
export type ThinRelatedObject<T extends string> = [KnownNotification<T>] extends [never]
  ? unknown
  : KnownNotification<T> extends { fetchRelatedObject(): Promise<infer R> }
    ? R
    : unknown;
/** What ctx.fetchEvent() resolves to for thin type T: stripe-node's v2 event where it knows T, else unknown. */
export type ThinFetchedEvent<T extends string> = [KnownNotification<T>] extends [never]
  ? unknown
  : KnownNotification<T> extends { fetchEvent(): Promise<infer E> }
    ? E
    : unknown;

/** The notification a thin handler receives: the body as JSON.parse gives it (no methods: those are on ctx). */
export type ThinEvent<T extends string = ThinEventType> = EventNotification & { type: T };

/** What a thin handler's ctx adds to the handler's context. */
export interface ThinEventFetchers<T extends string = ThinEventType> {
  /** GET related_object.url through the `stripe` option's client (null when the notification has no related object). */
  fetchRelatedObject(): Promise<ThinRelatedObject<T>>;
  /** GET /v2/core/events/:id through the `stripe` option's client: the full v2 event. */
  fetchEvent(): Promise<ThinFetchedEvent<T>>;
}

/** A thin handler's ctx: the handler's context (HandlerContext, or TransactionalHandlerContext) and the fetchers. */
export type ThinHandlerContext<T extends string = ThinEventType, C = HandlerContext> = C & ThinEventFetchers<T>;

export type ThinEventHandler<T extends string = ThinEventType, C = HandlerContext> = (event: ThinEvent<T>, ctx: ThinHandlerContext<T, C>) => unknown;

/**
 * Thin handlers in the `on` option: `{ 'v1.customer.subscription.created': handler }`. Keys match by pattern, so a
 * handler here sees `type` as `v1.${string}` / `v2.${string}`; webhooks.on(name, …) types it by the exact name.
 */
export type ThinHandlerMap<C = HandlerContext> = {
  [K in ThinEventType]?: ThinEventHandler<K, C> | ReadonlyArray<ThinEventHandler<K, C>>;
};

/** console works; so do pino and winston instances. Missing methods are ignored. */
export interface WebhookLogger {
  info?(message: string, ...rest: unknown[]): void;
  warn?(message: string, ...rest: unknown[]): void;
  error?(message: string, ...rest: unknown[]): void;
}

export interface WebhookHandlerOptions<C = HandlerContext> {
  /** The endpoint's signing secret(s), e.g. process.env.STRIPE_WEBHOOK_SECRET. Required. */
  secret: WebhookSecret | undefined;
  /** Default: new MemoryStore(), closed by webhooks.close(). */
  store?: Store;
  /** Seconds; default 300; 0 turns the timestamp check off. */
  tolerance?: number;
  /** How long a claimed event counts as in progress; default 60000 ms. */
  leaseMs?: number;
  /** Failed attempts before an event is dead-lettered; default 5. */
  maxAttempts?: number;
  /** In-request retries of a throwing handler; default { attempts: 2, backoffMs: 100 }; false for none. */
  retry?: { attempts?: number; backoffMs?: number } | false;
  /** Default 'off'. */
  ordering?: 'off' | 'skip-stale';
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Handlers by event type, typed per name (see WebhookHandlerMap; thin types: ThinHandlerMap); the same as calling
   * webhooks.on() for each. Without `stripe` installed every name maps to a snapshot handler: register thin
   * handlers with webhooks.on() there.
   */
  on?: [StripeNodeEvent] extends [never] ? WebhookHandlerMap<C> : WebhookHandlerMap<C> & ThinHandlerMap<C>;
  logger?: WebhookLogger;
  /** A stripe-node client, for thin events' ctx.fetchRelatedObject() and ctx.fetchEvent(). */
  stripe?: { rawRequest(method: string, path: string, params?: unknown, options?: unknown): Promise<unknown> };
  /**
   * 'inline' (default): a delivery is answered after its handlers ran. 'ack-first': answered 200 as soon as the
   * event is recorded in the store with its payload, run right after (see `after`), retried by webhooks.drain().
   * Needs a store that keeps payloads: SqliteStore({ keepPayloads: true }), PostgresStore, RedisStore, ConvexStore,
   * or the default MemoryStore (in-process only).
   */
  delivery?: 'inline' | 'ack-first';
  /**
   * ack-first: who runs the work after the answer. Default: this process, at once. Next.js: `after` (from
   * 'next/server'); Vercel / Cloudflare: `(work) => waitUntil(work())`; Convex: `() => ctx.scheduler.runAfter(0,
   * internal.webhooks.work, {})` with an internal action that calls drain(). Awaited before the answer.
   */
  after?: (work: () => Promise<void>) => unknown;
  /**
   * Billing state per Stripe customer in the store (API.md section 8); the store needs BillingStore.
   * With transactional: true (PostgresStore) it is written inside the event's transaction.
   */
  billing?: true | BillingOptions;
  /**
   * Each event's claim, handlers and completion in one store transaction (exactly-once effects);
   * needs a store with the capability (PostgresStore over a pg Pool), else a WebhookConfigError at
   * creation. Handlers then get TransactionalHandlerContext (ctx.client, ctx.sql). Default false.
   */
  transactional?: boolean;
  /** 'stripe' (the default): Stripe-Signature. For Standard Webhooks senders see StandardWebhookHandlerOptions. */
  scheme?: 'stripe';
}

export type HandleOutcome =
  | 'rejected'
  | 'too_large'
  | 'processed'
  | 'ignored'
  | 'duplicate'
  | 'stale'
  | 'in_progress'
  | 'failed'
  | 'dead_lettered'
  /** delivery: 'ack-first': recorded with its payload; the handlers run after the answer (200 { received: true }). */
  | 'accepted';

export type HandleBody =
  | { error: SignatureVerificationErrorCode | StandardWebhookVerificationErrorCode | 'invalid_json'; message?: string }
  | { error: 'payload_too_large' | 'in_progress' | 'handler_failed' }
  | { received: true; ignored?: true; duplicate?: true; stale?: true; dead_lettered?: true };

export interface HandleResult {
  status: 200 | 400 | 409 | 413 | 500;
  /** What the adapters send as JSON. */
  body: HandleBody;
  outcome: HandleOutcome;
  eventId?: string;
  type?: string;
  attempt?: number;
  /** What the handler threw (failed, dead_lettered) or the verification error (rejected). */
  error?: unknown;
}

export interface WebhookHandler<C = HandlerContext> {
  /**
   * '*' matches every type. Chainable. With `stripe` installed the handler's event is stripe-node's event
   * for that name (an array of names: their union; '*': `Stripe.Event`), and a name stripe-node does not
   * know is a type error.
   */
  /**
   * A thin event type (`v1.*`, `v2.*`): the handler gets the notification and a ctx with fetchRelatedObject() /
   * fetchEvent() (typed from stripe-node where it knows the name). '*' handlers never receive thin events.
   */
  on<T extends ThinEventType>(typeOrTypes: T | readonly T[], handler: ThinEventHandler<T, C>): WebhookHandler<C>;
  on<T extends WebhookEventType | '*'>(typeOrTypes: T | readonly T[], handler: EventHandler<WebhookEvent<T>, C>): WebhookHandler<C>;
  /**
   * A name typed as plain `string` (e.g. `webhooks.on(name as string, handler)`): for event types your
   * stripe-node version does not list. The handler gets hookwise's untyped StripeEvent.
   */
  on<S extends string>(typeOrTypes: WidenedString<S> | readonly WidenedString<S>[], handler: EventHandler<StripeEvent, C>): WebhookHandler<C>;
  handle(rawBody: WebhookPayload, signatureHeader: SignatureHeaderValue | null | undefined): Promise<HandleResult>;
  /** Next.js App Router, Convex httpAction, Hono, Bun, Deno. Bound: `export const POST = webhooks.fetch`. */
  fetch(request: Request): Promise<Response>;
  /** node:http, Express (express.raw() or no body parser), Next.js Pages Router (bodyParser: false). */
  node(req: import('node:http').IncomingMessage & { body?: unknown }, res: import('node:http').ServerResponse): Promise<void>;
  /**
   * delivery: 'ack-first': runs the events that are due in the store (recorded and not run, failed, or left by a
   * process that died), oldest first, each through the usual claim (never twice). One result per event it looked at.
   */
  drain(options?: { limit?: number }): Promise<HandleResult[]>;
  /** Closes the store only if the handler created it. */
  close(): Promise<void>;
  /** Reads the billing state (`billing` option). */
  readonly billing: WebhookBilling;
}

/** What a transactional store's transactions add to the handlers' ctx (PostgresStore: client, sql; portable SqliteStore: db). */
export type TransactionContextOf<S> = S extends TransactionalStore<infer C> ? C : never;
/** transactional: true — handlers get the store's transaction context (ctx.client / ctx.sql with PostgresStore). */
export function createWebhookHandler<S extends TransactionalStore<any>>(
  options: WebhookHandlerOptions<HandlerContext & TransactionContextOf<S>> & { store: S; transactional: true },
): WebhookHandler<HandlerContext & TransactionContextOf<S>>;
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler;
/** scheme 'standard': Standard Webhooks senders (API.md §9, below). */
export function createWebhookHandler(options: StandardWebhookHandlerOptions): StandardWebhookHandler;

// ---------------------------------------------------------------------------
// Standard Webhooks: Clerk, Svix, Resend, … (API.md §9)

/** `whsec_<base64>` secrets (v1, HMAC), `whpk_<base64>` ed25519 public keys (v1a), or an array of them. */
export type StandardWebhookSecret = string | string[];

/**
 * A `Headers`, Node's `IncomingHttpHeaders` (req.headers) or a plain record; looked up case-insensitively:
 * webhook-id / webhook-timestamp / webhook-signature when webhook-id is present, else the svix-* names.
 */
export type StandardWebhookHeaders =
  | Headers
  | import('node:http').IncomingHttpHeaders
  | Record<string, string | undefined>;

export interface StandardWebhookVerifyOptions {
  /** Seconds, default 300; a timestamp exactly `tolerance` away is accepted; 0 turns the check off. */
  tolerance?: number;
  /** Milliseconds since the epoch; default Date.now(). */
  receivedAt?: number;
}

export interface StandardWebhookDelivery<E = unknown> {
  /** The webhook-id (svix-id) header: the message id, the same for every retry. */
  id: string;
  /** The webhook-timestamp header, Unix seconds. */
  timestamp: number;
  /** The parsed body, as JSON.parse builds it. */
  event: E;
}

export type StandardWebhookVerificationErrorCode =
  | 'missing_header'
  | 'bad_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'no_matching_signature'
  | 'bad_secret';

export class StandardWebhookVerificationError extends Error {
  readonly name: 'StandardWebhookVerificationError';
  code: StandardWebhookVerificationErrorCode;
  /** The payload as given (non-enumerable: logging the error does not print it). */
  payload: unknown;
}

/** Throws StandardWebhookVerificationError, or a SyntaxError for a verified body that is not JSON. */
export function verifyStandardWebhook<E = unknown>(
  payload: string | Buffer | Uint8Array | ArrayBuffer,
  headers: StandardWebhookHeaders,
  secretOrKeys: StandardWebhookSecret | null | undefined,
  options?: StandardWebhookVerifyOptions,
): StandardWebhookDelivery<E>;
export function verifyStandardWebhookAsync<E = unknown>(
  payload: string | Buffer | Uint8Array | ArrayBuffer,
  headers: StandardWebhookHeaders,
  secretOrKeys: StandardWebhookSecret | null | undefined,
  options?: StandardWebhookVerifyOptions,
): Promise<StandardWebhookDelivery<E>>;

export interface SignStandardWebhookOptions {
  id: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  payload: string | Buffer | Uint8Array | ArrayBuffer;
  /** `whsec_` secrets (v1) and/or `whsk_` ed25519 secret keys (v1a: base64 of seed + public key); one signature each. */
  secret: string | string[];
}

export function signStandardWebhook(options: SignStandardWebhookOptions): {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** A Standard Webhooks event as the handler sees it: the parsed body (Clerk's shape: { type, data, object, … }). */
export interface StandardWebhookEvent {
  type: string;
  data?: unknown;
  [key: string]: unknown;
}

export type StandardEventHandler<E = StandardWebhookEvent> = (event: E, ctx: HandlerContext) => unknown;

export interface StandardWebhookHandlerOptions
  extends Omit<WebhookHandlerOptions, 'scheme' | 'secret' | 'on' | 'ordering'> {
  scheme: 'standard';
  /** e.g. process.env.CLERK_WEBHOOK_SIGNING_SECRET. Required. */
  secret: StandardWebhookSecret | undefined;
  /** Handlers by the body's `type` ('user.created', …) or '*'. */
  on?: Record<string, StandardEventHandler | ReadonlyArray<StandardEventHandler>>;
}

/** createWebhookHandler({ scheme: 'standard' }): dedup by webhook-id, type from the body's `type`. */
export interface StandardWebhookHandler {
  on(typeOrTypes: string | readonly string[], handler: StandardEventHandler): StandardWebhookHandler;
  /** `headers`: the delivery's headers (see StandardWebhookHeaders). */
  handle(rawBody: WebhookPayload, headers: StandardWebhookHeaders): Promise<HandleResult>;
  fetch(request: Request): Promise<Response>;
  node(req: import('node:http').IncomingMessage & { body?: unknown }, res: import('node:http').ServerResponse): Promise<void>;
  close(): Promise<void>;
}
