'use strict';
// constructEvent / constructEventAsync: verify, then parse.
const { verifyHeader, verifyHeaderAsync } = require('./verify');
const { parseBody, assertSnapshotEvent } = require('./event');

function constructEvent(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
  verifyHeader(payload, header, secret, tolerance, cryptoProvider, receivedAt);
  return assertSnapshotEvent(parseBody(payload));
}

async function constructEventAsync(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
  await verifyHeaderAsync(payload, header, secret, tolerance, cryptoProvider, receivedAt);
  return assertSnapshotEvent(parseBody(payload));
}

module.exports = { constructEvent, constructEventAsync };
