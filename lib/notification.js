'use strict';
// API.md section 2: thin event notifications, and events that reach the app
// through a cloud provider (already authenticated by it) instead of a signed
// webhook.
const { assertSnapshotEvent, verifyingPair } = require('./event');
const { decodedPayload } = require('./verify');
const { isString, isBytes, invalidArgument } = require('./args');

function assertNotification(parsed) {
  const object = parsed !== null && typeof parsed === 'object' ? parsed.object : undefined;
  if (object === 'event') {
    throw new Error(
      'hookwise: this payload is a snapshot event (object "event"); parseEventNotification expects a ' +
        'thin event notification (object "v2.core.event"). Use constructEvent instead.',
    );
  }
  if (object !== undefined && object !== null && object !== 'v2.core.event') {
    throw new Error(`hookwise: unexpected object type "${String(object).slice(0, 64)}"; expected "v2.core.event" for an event notification.`);
  }
  return parsed;
}

function createNotificationParsers(engine) {
  const pair = verifyingPair(engine, assertNotification, 'parseEventNotificationAsync');
  return { parseEventNotification: pair.sync, parseEventNotificationAsync: pair.async };
}

/**
 * stripe-node's constructEventWithoutVerification: for payloads that were
 * authenticated by someone else. An AWS EventBridge envelope yields its
 * `detail`, an Azure Event Grid CloudEvent (`specversion` + `data`) its
 * `data`, a raw Stripe event (`object` "event") passes through; a thin
 * notification is refused as constructEvent refuses it.
 */
function constructEventWithoutVerification(payload) {
  let raw = payload;
  if (payload instanceof ArrayBuffer) raw = new Uint8Array(payload);
  if (!isString(raw) && !isBytes(raw)) {
    throw invalidArgument('payload', 'the raw body as a string, Buffer or Uint8Array', payload);
  }
  const parsed = JSON.parse(decodedPayload(raw));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(unrecognized());
  }
  let event;
  if ('detail' in parsed) event = parsed.detail;
  else if ('specversion' in parsed && 'data' in parsed) event = parsed.data;
  else if (parsed.object === 'event' || parsed.object === 'v2.core.event') event = parsed;
  else throw new Error(unrecognized());
  return assertSnapshotEvent(event);
}

function unrecognized() {
  return (
    'hookwise: unrecognized event format. The payload must be an AWS EventBridge or Azure Event Grid ' +
    'event envelope, or a Stripe webhook event.'
  );
}

module.exports = { createNotificationParsers, constructEventWithoutVerification };
