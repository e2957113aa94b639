'use strict';
// The portable engine's events: JSON.parse of exactly the text stripe-node
// parses (lib/verify.js's decodedPayload: the string as is, bytes through
// TextDecoder), so the event is a JSON.parse result by construction. The
// envelope the handler routes and deduplicates by is read off that object;
// it has the native engine's shape (lib/engine/native/envelope.js).

const { decodedPayload, checkVerifyCode } = require('../../verify');
const { verify, verifyAsync, parsesDuringHmac } = require('./verifier');
const { envelopeOf, dataObjectField } = require('../../envelope-shape');

function build(p, withEnvelope) {
  const event = JSON.parse(decodedPayload(p.raw));
  return withEnvelope ? { event, envelope: envelopeOf(event, (index, field) => dataObjectField(event, field), false) } : event;
}

function parse(p, withEnvelope, asyncName) {
  checkVerifyCode(verify(p, asyncName), p);
  return build(p, withEnvelope);
}

/**
 * Verifies, and where the HMAC goes to WebCrypto (off this thread in Node),
 * parses the body meanwhile (up to 1 MiB), as the native engine parses large
 * bodies during its HMAC. Nothing is returned, and no parse error thrown, before the
 * signature has verified: a forged body costs at most its parse, bounded by
 * the handler's maxBodyBytes.
 */
function parseAsync(p, withEnvelope) {
  const verdict = verifyAsync(p);
  if (!parsesDuringHmac(p)) return verdict.then((code) => checkVerifyCode(code, p) && build(p, withEnvelope));
  let built;
  let parseError = null;
  try {
    built = build(p, withEnvelope);
  } catch (err) {
    parseError = err;
  }
  return verdict.then((code) => {
    checkVerifyCode(code, p);
    if (parseError !== null) throw parseError;
    return built;
  });
}

/** build's result for a body verified by another scheme (Standard Webhooks, lib/standard). */
const parseVerified = (raw, withEnvelope) => build({ raw }, withEnvelope);

module.exports = { parse, parseAsync, parseVerified, envelopeOf };
