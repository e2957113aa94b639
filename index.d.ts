// Types for hookwise's public API (API.md). Sections other than the webhook
// handler are typed by their own modules' owners; this file starts with what
// exists on this branch.

/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';

export type RawPayload = string | Buffer | Uint8Array;
export type SignatureHeader = string | Buffer | Uint8Array;
export type SecretOption = string | string[];
export interface VerifyOptions { secret: SecretOption; tolerance?: number; receivedAt?: number }

/** A Stripe snapshot event, as JSON.parse would build it. */
export interface StripeEvent {
  id: string;
  object: 'event';
  type: string;
  created: number;
  api_version: string | null;
  livemode: boolean;
  data: { object: { id?: string; object?: string; [key: string]: unknown }; previous_attributes?: Record<string, unknown> };
  [key: string]: unknown;
}

export type SignatureErrorCode =
  | 'missing_payload' | 'missing_header' | 'missing_secret' | 'malformed_header' | 'no_signatures'
  | 'signature_mismatch' | 'payload_not_raw' | 'timestamp_too_old' | 'timestamp_in_future';

export class SignatureVerificationError extends Error {
  readonly name: 'StripeSignatureVerificationError';
  readonly type: 'StripeSignatureVerificationError';
  readonly code: SignatureErrorCode;
  header: unknown;
  payload: unknown;
}

export function constructEvent(payload: RawPayload, header: SignatureHeader | undefined | null, secret: SecretOption | VerifyOptions, tolerance?: number, cryptoProvider?: unknown, receivedAt?: number): StripeEvent;
export function constructEventAsync(payload: RawPayload, header: SignatureHeader | undefined | null, secret: SecretOption | VerifyOptions, tolerance?: number, cryptoProvider?: unknown, receivedAt?: number): Promise<StripeEvent>;
export function verifyHeader(payload: RawPayload, header: SignatureHeader | undefined | null, secret: SecretOption | VerifyOptions, tolerance?: number, cryptoProvider?: unknown, receivedAt?: number): true;
export interface TestHeaderOptions { payload: string; secret: string; timestamp?: number; scheme?: string; signature?: string }
export function generateTestHeaderString(opts: TestHeaderOptions): string;
export function generateTestHeaderStringAsync(opts: TestHeaderOptions): Promise<string>;
export const webhooks: {
  readonly DEFAULT_TOLERANCE: 300;
  constructEvent: typeof constructEvent;
  constructEventAsync: typeof constructEventAsync;
  verifyHeader: typeof verifyHeader;
  generateTestHeaderString: typeof generateTestHeaderString;
  generateTestHeaderStringAsync: typeof generateTestHeaderStringAsync;
};

// ---- Stores (API.md section 5) ----

export type EventStatus = 'processing' | 'completed' | 'failed' | 'dead_lettered';
export interface Claim { status: 'acquired' | 'duplicate' | 'in_progress' | 'dead_lettered'; token?: string; attempt: number }
export interface EventRecord {
  id: string; type: string; created: number; objectId: string | null; status: EventStatus;
  attempts: number; lastError: string | null; receivedAt: number; updatedAt: number; payload?: Buffer;
}
export interface Store {
  claim(eventId: string, meta: { type: string; created: number; objectId?: string; leaseMs: number; payload?: RawPayload }): Promise<Claim>;
  complete(eventId: string, token: string): Promise<boolean>;
  fail(eventId: string, token: string, error: string, maxAttempts: number): Promise<{ deadLettered: boolean; attempt: number; stale?: true }>;
  lastApplied(objectId: string): Promise<number | null>;
  markApplied(objectId: string, created: number, eventId: string): Promise<void>;
  get(eventId: string): Promise<EventRecord | null>;
  list(query?: { status?: EventStatus; type?: string; limit?: number; before?: number }): Promise<EventRecord[]>;
  requeue(eventId: string): Promise<boolean>;
  purge(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

// ---- The webhook handler (API.md section 4) ----

export interface HandlerContext { eventId: string; attempt: number; store: Store }
export type EventHandler<E = StripeEvent> = (event: E, ctx: HandlerContext) => unknown | Promise<unknown>;

export interface WebhookLogger {
  info?(message: string, ...rest: unknown[]): void;
  warn?(message: string, ...rest: unknown[]): void;
  error?(message: string, ...rest: unknown[]): void;
}

export interface WebhookHandlerOptions {
  /** The endpoint's signing secret(s), e.g. process.env.STRIPE_WEBHOOK_SECRET. */
  secret: SecretOption | undefined;
  /** Default: new MemoryStore(). */
  store?: Store;
  /** Seconds; default 300. 0 turns the timestamp check off. */
  tolerance?: number;
  /** Default 60000. */
  leaseMs?: number;
  /** Default 5. */
  maxAttempts?: number;
  /** Default { attempts: 2, backoffMs: 100 }; false: no in-request retries. */
  retry?: { attempts?: number; backoffMs?: number } | false;
  /** Default 'off'. */
  ordering?: 'off' | 'skip-stale';
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  on?: Record<string, EventHandler | EventHandler[]>;
  logger?: WebhookLogger;
}

export type HandleOutcome =
  | 'rejected' | 'too_large' | 'processed' | 'ignored' | 'duplicate' | 'stale' | 'in_progress' | 'failed' | 'dead_lettered';

export type HandleBody =
  | { error: SignatureErrorCode | 'invalid_json'; message?: string }
  | { error: 'payload_too_large' | 'in_progress' | 'handler_failed' }
  | { received: true; ignored?: true; duplicate?: true; stale?: true; dead_lettered?: true };

export interface HandleResult {
  status: 200 | 400 | 409 | 413 | 500;
  body: HandleBody;
  outcome: HandleOutcome;
  eventId?: string;
  type?: string;
  attempt?: number;
  error?: unknown;
}

export interface WebhookHandler {
  on(typeOrTypes: string | string[], handler: EventHandler): WebhookHandler;
  handle(rawBody: RawPayload | ArrayBuffer, signatureHeader: SignatureHeader | undefined | null): Promise<HandleResult>;
  fetch(request: Request): Promise<Response>;
  node(req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler;
