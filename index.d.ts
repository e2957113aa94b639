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
  /** How long the claim counts as in progress, in milliseconds. */
  leaseMs: number;
  /** The raw body; kept only by stores that keep payloads (SqliteStore with keepPayloads). */
  payload?: string | Buffer | Uint8Array | null;
}

export interface Claim {
  status: 'acquired' | 'duplicate' | 'in_progress' | 'dead_lettered';
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
  /** 100 by default. */
  limit?: number;
  /** A receivedAt cursor (exclusive): only records received before it. */
  before?: number;
}

export interface Store {
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

export interface MemoryStoreOptions {
  /** Instances with the same name share one store across all worker threads of the process. */
  name?: string;
  /** Above this many records, completed ones are evicted oldest first (default 100000). */
  maxEntries?: number;
  /** How long finished records are kept, in ms (default 30 days). */
  retentionMs?: number;
}

export class MemoryStore implements Store {
  constructor(options?: MemoryStoreOptions);
  readonly name: string | null;
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

export class SqliteStore implements Store {
  constructor(options?: SqliteStoreOptions);
  readonly path: string;
  readonly durability: 'full' | 'normal';
  readonly keepPayloads: boolean;
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
export function parseEventNotification(
  payload: WebhookPayload,
  header: SignatureHeaderValue | null | undefined,
  secret: WebhookSecret | VerifyOptions | null | undefined,
  tolerance?: number,
  cryptoProvider?: unknown,
  receivedAt?: number,
): EventNotification;

export function parseEventNotificationAsync(
  payload: WebhookPayload,
  header: SignatureHeaderValue | null | undefined,
  secret: WebhookSecret | VerifyOptions | null | undefined,
  tolerance?: number,
  cryptoProvider?: unknown,
  receivedAt?: number,
): Promise<EventNotification>;

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
export function subscriptionPeriodEnd(subscription: {
  current_period_end?: number | null;
  items?: { data?: Array<{ current_period_end?: number | null }> } | null;
  [key: string]: unknown;
}): number | null;

/**
 * `invoice.parent.subscription_details.subscription` (basil and later), else
 * `invoice.subscription`; an expanded subscription gives its id; null without one.
 */
export function invoiceSubscriptionId(invoice: {
  subscription?: string | { id: string } | null;
  parent?: { subscription_details?: { subscription?: string | { id: string } | null } | null } | null;
  [key: string]: unknown;
}): string | null;
