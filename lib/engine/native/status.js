'use strict';
// The native verifier's answers, as the JS layer names them.

// Bodies at least this large are verified on the libuv thread pool by the
// async functions; smaller ones inline, where the hop would cost more than the
// HMAC (see docs/BENCHMARKS.md, "async threshold").
const ASYNC_OFFLOAD_BYTES = 64 * 1024;

// The core's VerifyStatus values (src/core/webhook_verifier.h), by number.
const STATUS_CODES = [
  null,
  'malformed_header',
  'no_signatures',
  'missing_secret',
  'signature_mismatch',
  'timestamp_too_old',
  'timestamp_in_future',
];
const STATUS_INTERNAL_ERROR = 7;

/** The SignatureVerificationError code of a VerifyStatus (null: verified). */
function codeOf(status) {
  if (status === STATUS_INTERNAL_ERROR || STATUS_CODES[status] === undefined) {
    throw new Error('hookwise: HMAC-SHA256 failed inside OpenSSL');
  }
  return STATUS_CODES[status];
}

module.exports = { ASYNC_OFFLOAD_BYTES, codeOf };
