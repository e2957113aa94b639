'use strict';
// Event helpers shared by the verifying functions. parseBody is JSON.parse of
// the text stripe-node would parse (the string itself, or the bytes decoded
// as TextDecoder does: BOM dropped, invalid UTF-8 replaced by U+FFFD): what the
// portable engine builds, and what the native engine (lib/engine/native/envelope.js)
// builds the same object as from one simdjson pass, falling back to exactly this.
const { decodedPayload } = require('./verify');

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

module.exports = { parseBody, assertSnapshotEvent };
