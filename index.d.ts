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
