'use strict';
// Every error class hookwise throws, in one place, exported from both entries
// (`hookwise` and `hookwise/portable`):
// - SignatureVerificationError, with the messages stripe-node gives for the
//   same failures. The texts are stripe-node's (as of the version in
//   devDependencies); the cross-check suite (test/js/stripe-parity.test.js)
//   runs both libraries on the same inputs and fails if any text drifts.
// - WebhookConfigError: createWebhookHandler misconfigured (found at runtime).
// - StoreError: a store operation failed (every store, one code vocabulary).
// - BillingRefetchError: `billing: { refetch }` could not read Stripe (the delivery fails).
// Wrong argument types and ranges are the built-in TypeError and RangeError.
//
// Pure JavaScript with no Node built-ins: hookwise/convex imports it, and
// that module also runs inside Convex's own runtime.

const DOCS_LOCATION =
  '\nLearn more about webhook signing and explore webhook integration examples for various frameworks at ' +
  'https://docs.stripe.com/webhooks/signature';
const WHITESPACE_HINT =
  '\n\nNote: The provided signing secret contains whitespace. This often indicates an extra newline or space is in the value';

const MESSAGES = {
  missing_payload: () => 'No webhook payload was provided.',
  missing_header: () => 'No stripe-signature header value was provided.',
  missing_secret: () => 'No webhook secret value was provided. It should start with `whsec_`',
  malformed_header: () => 'Unable to extract timestamp and signatures from header',
  no_signatures: () => 'No signatures found with expected scheme',
  signature_mismatch: (whitespace) =>
    'No signatures found matching the expected signature for payload.' +
    ' Are you passing the raw request body you received from Stripe? \n' +
    ' If a webhook request is being forwarded by a third-party tool,' +
    ' ensure that the exact request body, including JSON formatting and new line style, is preserved.\n' +
    DOCS_LOCATION +
    '\n' +
    (whitespace ? WHITESPACE_HINT : ''),
  payload_not_raw: (whitespace) =>
    'Webhook payload must be provided as a string or a Buffer (https://nodejs.org/api/buffer.html) instance representing the _raw_ request body.' +
    'Payload was provided as a parsed JavaScript object instead. \n' +
    'Signature verification is impossible without access to the original signed material. \n' +
    DOCS_LOCATION +
    '\n' +
    (whitespace ? WHITESPACE_HINT : ''),
  timestamp_too_old: () => 'Timestamp outside the tolerance zone',
  timestamp_in_future: () => 'Timestamp outside the tolerance zone',
};

/**
 * Thrown when a delivery's signature cannot be verified. `header` and
 * `payload` hold the inputs, as stripe-node's error does, but are
 * non-enumerable so that logging the error never prints the body.
 */
class SignatureVerificationError extends Error {
  constructor(code, { header, payload, secretHasWhitespace = false } = {}) {
    const messageOf = MESSAGES[code];
    super(messageOf ? messageOf(secretHasWhitespace) : String(code));
    Object.defineProperties(this, {
      name: { value: 'StripeSignatureVerificationError', enumerable: false, writable: true, configurable: true },
      header: { value: header, enumerable: false, writable: true, configurable: true },
      payload: { value: payload, enumerable: false, writable: true, configurable: true },
    });
    this.type = 'StripeSignatureVerificationError';
    this.code = code;
  }
}

// StandardWebhookVerificationError's codes (API.md section 9), in the order of
// the native core's StandardStatus (src/core/standard_webhook_verifier.h; the
// addon exports its names and a test holds the two lists equal), with the
// message each gives. The messages name the problem, never a secret or the body.
const STANDARD_MESSAGES = Object.freeze({
  missing_header:
    'Missing webhook headers: a Standard Webhooks delivery carries webhook-id, webhook-timestamp and ' +
    'webhook-signature (or svix-id, svix-timestamp and svix-signature), each non-empty.',
  bad_timestamp: 'The webhook-timestamp header is not an integer Unix timestamp (seconds).',
  timestamp_too_old: 'The webhook timestamp is older than the tolerance allows (a replayed or delayed delivery).',
  timestamp_in_future: 'The webhook timestamp is further in the future than the tolerance allows.',
  no_matching_signature:
    'No signature in webhook-signature matches the payload. Pass the raw request body, unchanged, and the ' +
    "endpoint's signing secret (whsec_...) or public key (whpk_...).",
  bad_secret:
    'The signing secret must be a Standard Webhooks secret "whsec_<base64>" or public key "whpk_<base64>" ' +
    '(as Clerk, Svix and Resend show it), or an array of them.',
});
const STANDARD_CODES = Object.freeze(Object.keys(STANDARD_MESSAGES));

/**
 * Thrown when a Standard Webhooks delivery (Clerk, Svix, Resend, ...) cannot be
 * verified. `code` is one of STANDARD_CODES. `payload` holds the body as given,
 * non-enumerable, so that logging the error never prints it.
 */
class StandardWebhookVerificationError extends Error {
  constructor(code, { payload } = {}) {
    super(STANDARD_MESSAGES[code] ?? String(code));
    Object.defineProperties(this, {
      name: { value: 'StandardWebhookVerificationError', enumerable: false, writable: true, configurable: true },
      payload: { value: payload, enumerable: false, writable: true, configurable: true },
    });
    this.code = code;
  }
}

/** createWebhookHandler is misconfigured in a way only found at runtime (a secret missing after `next build`). */
class WebhookConfigError extends Error {
  constructor(message, code) {
    super(message);
    Object.defineProperty(this, 'name', { value: 'WebhookConfigError', enumerable: false, configurable: true, writable: true });
    this.code = code;
  }
}

// The store error codes, one vocabulary for all five stores. The native ones
// are src/core/store_types.h's StoreErrorCode names as the addon maps them
// (HOOKWISE_STORE_ + the upper-cased name); UNAVAILABLE is the distributed
// stores' "the server did not do it".
const STORE_ERROR_CODES = Object.freeze([
  'HOOKWISE_STORE_CLOSED', // this store instance was closed
  'HOOKWISE_STORE_UNAVAILABLE', // the server or connection failed or timed out (Redis, PostgreSQL, Convex), or the runtime lacks what the store needs
  'HOOKWISE_STORE_CANNOT_OPEN', // SQLite: missing directory, not a directory, cannot open
  'HOOKWISE_STORE_READ_ONLY', // SQLite: the file or its directory cannot be written
  'HOOKWISE_STORE_NOT_A_DATABASE', // SQLite: the file is not a SQLite database
  'HOOKWISE_STORE_FOREIGN_DATABASE', // SQLite: a database hookwise did not create
  'HOOKWISE_STORE_CORRUPT', // SQLite reports corruption
  'HOOKWISE_STORE_DISK_FULL', // no space left on the device
  'HOOKWISE_STORE_BUSY', // another process held the lock past the busy timeout
  'HOOKWISE_STORE_IO_ERROR', // any other I/O error
  'HOOKWISE_STORE_SCHEMA_TOO_NEW', // written by a newer hookwise
  'HOOKWISE_STORE_INVALID_ARGUMENT', // the native core's own check (the JS layer throws TypeError/RangeError first)
  'HOOKWISE_STORE_INTERNAL', // a bug: please report it
]);

/**
 * A store operation failed. `code` is one of STORE_ERROR_CODES; `cause` holds
 * the backend's own error (the client library's, the addon's) when there is
 * one. Messages start with `hookwise` and never contain a payload.
 */
class StoreError extends Error {
  constructor(code, message, options) {
    super(message, options);
    Object.defineProperty(this, 'name', { value: 'StoreError', enumerable: false, configurable: true, writable: true });
    this.code = STORE_ERROR_CODES.includes(code) ? code : 'HOOKWISE_STORE_INTERNAL';
  }
}

// The addon's store errors are plain Errors made on the JS thread when the
// promise settles, so their stack names no caller. Called after the `await` in
// the calling async function, this gives the caller a StoreError whose stack
// is the caller's (V8's async stack traces), keeping the addon's as `cause`.
// (sharp's is.nativeError habit.) Anything that is not a store error (a
// TypeError from an argument check) is returned unchanged.
function fromNativeStoreError(err) {
  if (err instanceof StoreError || !err || typeof err.code !== 'string' || !err.code.startsWith('HOOKWISE_STORE_')) return err;
  return new StoreError(err.code, err.message, { cause: err });
}

/**
 * Thrown when `refetch` could not read the current objects from Stripe. The
 * event's billing state is not applied, so the delivery must fail (500) and
 * Stripe sends it again; `code` says why:
 * - `rate_limited`: Stripe answered 429 (after stripe-node's own retries);
 * - `stripe_error`: any other API error (`cause` is stripe-node's error);
 * - `connection_error`: Stripe could not be reached.
 */
class BillingRefetchError extends Error {
  constructor(code, customerId, cause) {
    const what = code === 'rate_limited' ? 'Stripe rate-limited the request (429)' : code === 'connection_error' ? 'Stripe could not be reached' : 'Stripe answered with an error';
    const detail = cause && typeof cause.message === 'string' ? `: ${cause.message}` : '';
    super(
      `hookwise: could not refetch the billing state of customer ${customerId}: ${what}${detail}. ` +
        'The event was not applied; failing the delivery makes Stripe send it again.',
      { cause },
    );
    Object.defineProperty(this, 'name', { value: 'BillingRefetchError', enumerable: false, writable: true, configurable: true });
    this.code = code;
    this.customerId = customerId;
    this.statusCode = cause && Number.isInteger(cause.statusCode) ? cause.statusCode : null;
    this.requestId = cause && typeof cause.requestId === 'string' ? cause.requestId : null;
  }
}

module.exports = {
  SignatureVerificationError,
  WebhookConfigError,
  StoreError,
  BillingRefetchError,
  STORE_ERROR_CODES,
  fromNativeStoreError,
  MESSAGES,
  StandardWebhookVerificationError,
  STANDARD_CODES,
};
