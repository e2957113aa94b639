'use strict';
// Event helpers shared by the verifying functions. parseBody is JSON.parse of
// the text stripe-node would parse (the string itself, or the bytes decoded
// as TextDecoder does: BOM dropped, invalid UTF-8 replaced by U+FFFD): what the
// portable engine builds, and what the native engine (lib/engine/native/envelope.js)
// builds the same object as from one simdjson pass, falling back to exactly this.
const { decodedPayload, prepareVerification } = require('./verify');

function parseBody(payload) {
  return JSON.parse(decodedPayload(payload));
}

function assertSnapshotEvent(event) {
  if (event !== null && typeof event === 'object' && event.object === 'v2.core.event') {
    throw new Error(
      'hookwise: this payload is a thin event notification (object "v2.core.event"); ' +
        'constructEvent expects a snapshot event. Use parseEventNotification instead.',
    );
  }
  return event;
}

/**
 * A verifying function and its async twin over an engine (constructEvent,
 * parseEventNotification): check the arguments, verify and parse, then hold
 * the result to `check` (the payload kind each function accepts).
 * `asyncName` is what the sync one names where the runtime has no sync HMAC.
 */
function verifyingPair(engine, check, asyncName) {
  return {
    sync(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
      const p = prepareVerification(payload, header, secret, tolerance, receivedAt);
      return check(engine.parse(p, false, asyncName));
    },
    async async(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
      const p = prepareVerification(payload, header, secret, tolerance, receivedAt);
      return check(await engine.parseAsync(p, false));
    },
  };
}

module.exports = { parseBody, assertSnapshotEvent, verifyingPair };
