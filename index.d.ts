// Type definitions for hookwise. Every export of lib/index.js is typed here.

/// <reference types="node" />

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

export function constructEvent(
  payload: WebhookPayload,
  header: SignatureHeaderValue | null | undefined,
  secret: WebhookSecret | VerifyOptions | null | undefined,
  tolerance?: number,
  cryptoProvider?: unknown,
  receivedAt?: number,
): StripeEvent;

export function constructEventAsync(
  payload: WebhookPayload,
  header: SignatureHeaderValue | null | undefined,
  secret: WebhookSecret | VerifyOptions | null | undefined,
  tolerance?: number,
  cryptoProvider?: unknown,
  receivedAt?: number,
): Promise<StripeEvent>;

export function verifyHeader(
  payload: WebhookPayload,
  header: SignatureHeaderValue | null | undefined,
  secret: WebhookSecret | VerifyOptions | null | undefined,
  tolerance?: number,
  cryptoProvider?: unknown,
  receivedAt?: number,
): true;

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
  readonly signature: {
    readonly EXPECTED_SCHEME: 'v1';
    verifyHeader: typeof verifyHeader;
    verifyHeaderAsync(...args: Parameters<typeof verifyHeader>): Promise<true>;
  };
};

// ---- Stores (API.md §5) -------------------------------------------------------

export type EventStatus = 'processing' | 'completed' | 'failed' | 'dead_lettered';

export interface ClaimMeta {
  type: string;
  /** The event's `created` (Unix seconds). */
  created: number;
  objectId?: string | null;
  /** How long the claim counts as in progress, in ms. */
  leaseMs: number;
  payload?: Buffer | Uint8Array;
}

export interface Claim {
  status: 'acquired' | 'duplicate' | 'in_progress' | 'dead_lettered';
  /** The fencing token; only when acquired. */
  token?: string;
  attempt: number;
}

export interface EventRecord {
  id: string;
  type: string;
  created: number;
  objectId: string | null;
  status: EventStatus;
  /** Claims acquired so far (1 after the first). */
  attempts: number;
  lastError: string | null;
  /** ms since the epoch */
  receivedAt: number;
  /** ms since the epoch */
  updatedAt: number;
  payload?: Buffer;
}

export interface ListQuery {
  status?: EventStatus;
  type?: string;
  /** default 100 */
  limit?: number;
  /** a receivedAt cursor (exclusive) */
  before?: number;
}

export interface FailResult {
  deadLettered: boolean;
  attempt: number;
  stale?: true;
}

export interface Store {
  claim(eventId: string, meta: ClaimMeta): Promise<Claim>;
  complete(eventId: string, token: string): Promise<boolean>;
  fail(eventId: string, token: string, error: string, maxAttempts: number): Promise<FailResult>;
  lastApplied(objectId: string): Promise<number | null>;
  markApplied(objectId: string, created: number, eventId: string): Promise<void>;
  get(eventId: string): Promise<EventRecord | null>;
  list(query?: ListQuery): Promise<EventRecord[]>;
  requeue(eventId: string): Promise<boolean>;
  purge(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

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
export declare class RedisStore implements Store {
  constructor(options: RedisStoreOptions);
  claim(eventId: string, meta: ClaimMeta): Promise<Claim>;
  complete(eventId: string, token: string): Promise<boolean>;
  fail(eventId: string, token: string, error: string, maxAttempts: number): Promise<FailResult>;
  lastApplied(objectId: string): Promise<number | null>;
  markApplied(objectId: string, created: number, eventId: string): Promise<void>;
  get(eventId: string): Promise<EventRecord | null>;
  list(query?: ListQuery): Promise<EventRecord[]>;
  requeue(eventId: string): Promise<boolean>;
  purge(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
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
}

/** The Store on PostgreSQL: one statement per operation; claims by INSERT … ON CONFLICT. */
export declare class PostgresStore implements Store {
  constructor(options: PostgresStoreOptions);
  /** The DDL the store runs on first use, for migrations. */
  static schemaSql(table?: string): string;
  claim(eventId: string, meta: ClaimMeta): Promise<Claim>;
  complete(eventId: string, token: string): Promise<boolean>;
  fail(eventId: string, token: string, error: string, maxAttempts: number): Promise<FailResult>;
  lastApplied(objectId: string): Promise<number | null>;
  markApplied(objectId: string, created: number, eventId: string): Promise<void>;
  get(eventId: string): Promise<EventRecord | null>;
  list(query?: ListQuery): Promise<EventRecord[]>;
  requeue(eventId: string): Promise<boolean>;
  purge(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}
