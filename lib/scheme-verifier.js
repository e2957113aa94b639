'use strict';
// The handler's verify-and-parse step, chosen once by createWebhookHandler's
// `scheme` option:
//   'stripe' (default)  the Stripe-Signature header (API.md section 1), the
//                       event's own id and type;
//   'standard'          the Standard Webhooks headers (section 9,
//                       lib/standard/handler-verifier.js): dedup by webhook-id,
//                       type from the body's `type`.
// verify(rawBody, signatureInput) resolves { event, envelope } (lib/envelope-shape.js)
// or rejects with the scheme's verification error (or a SyntaxError); `what`
// names what a body that is not an event should have been, for the rejection message.
const { prepareVerification } = require('./verify');
const { standardVerifier } = require('./standard/handler-verifier');

const SCHEMES = Object.freeze(['stripe', 'standard']);

function stripeVerifier(engine, config) {
  return {
    what: 'a Stripe event (it has no string "id" and "type")',
    verify(rawBody, signatureHeader) {
      const p = prepareVerification(rawBody, signatureHeader, config.secrets, config.tolerance);
      return engine.parseAsync(p, true);
    },
  };
}

function verifierFor(engine, config) {
  return config.scheme === 'standard' ? standardVerifier(engine, config) : stripeVerifier(engine, config);
}

module.exports = { verifierFor, SCHEMES };
