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
