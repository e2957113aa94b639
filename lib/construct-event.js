'use strict';
// constructEvent / constructEventAsync over an engine: verify and parse (one
// native call on the native engine), then refuse thin events, which have their
// own function.
const { assertSnapshotEvent, verifyingPair } = require('./event');

function createConstructEvent(engine) {
  const pair = verifyingPair(engine, assertSnapshotEvent, 'constructEventAsync');
  return { constructEvent: pair.sync, constructEventAsync: pair.async };
}

module.exports = { createConstructEvent };
