'use strict';
// constructEvent / constructEventAsync: verify and parse in one native call
// (lib/envelope.js), then refuse thin events, which have their own function.
const { verifyAndBuild, verifyAndBuildAsync } = require('./envelope');
const { assertSnapshotEvent } = require('./event');

function constructEvent(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
  return assertSnapshotEvent(verifyAndBuild(payload, header, secret, tolerance, receivedAt));
}

async function constructEventAsync(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
  const event = await verifyAndBuildAsync(payload, header, secret, tolerance, receivedAt);
  return assertSnapshotEvent(event);
}

module.exports = { constructEvent, constructEventAsync };
