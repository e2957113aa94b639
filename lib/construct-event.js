'use strict';
// constructEvent / constructEventAsync: verify and parse in one native call
// (lib/envelope.js), then refuse thin events, which have their own function.
const { verifyAndParse, verifyAndParseAsync } = require('./envelope');
const { assertSnapshotEvent } = require('./event');

function constructEvent(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
  return assertSnapshotEvent(verifyAndParse(payload, header, secret, tolerance, receivedAt).event);
}

async function constructEventAsync(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
  const { event } = await verifyAndParseAsync(payload, header, secret, tolerance, receivedAt);
  return assertSnapshotEvent(event);
}

module.exports = { constructEvent, constructEventAsync };
