'use strict';
// Error classes and the messages stripe-node gives for the same failures.
// The texts are stripe-node's (as of the version in devDependencies); the
// cross-check suite (test/js/stripe-parity.test.js) runs both libraries on the
// same inputs and fails if any text drifts.

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

module.exports = { SignatureVerificationError, MESSAGES };
