'use strict';
// constructEvent / constructEventAsync over an engine: verify and parse (one
// native call on the native engine), then refuse thin events, which have their
// own function.
const { prepareVerification } = require('./verify');
const { assertSnapshotEvent } = require('./event');

function createConstructEvent(engine) {
  function constructEvent(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
    const p = prepareVerification(payload, header, secret, tolerance, receivedAt);
    return assertSnapshotEvent(engine.parse(p, false, 'constructEventAsync'));
  }

  async function constructEventAsync(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
    const p = prepareVerification(payload, header, secret, tolerance, receivedAt);
    return assertSnapshotEvent(await engine.parseAsync(p, false));
  }

  return { constructEvent, constructEventAsync };
}

module.exports = { createConstructEvent };
