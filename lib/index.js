'use strict';
const { SignatureVerificationError } = require('./errors');
const { DEFAULT_TOLERANCE, verifyHeader, verifyHeaderAsync } = require('./verify');
const { constructEvent, constructEventAsync } = require('./construct-event');
const { generateTestHeaderString, generateTestHeaderStringAsync } = require('./test-header');
const { MemoryStore } = require('./stores/memory-store');
const { SqliteStore } = require('./stores/sqlite-store');
const {
  parseEventNotification,
  parseEventNotificationAsync,
  constructEventWithoutVerification,
} = require('./notification');
const { subscriptionPeriodEnd, invoiceSubscriptionId } = require('./stripe-fields');

// The same shape as stripe.webhooks, so `stripe.webhooks` call sites can switch
// to `hookwise.webhooks` unchanged.
const webhooks = Object.freeze({
  DEFAULT_TOLERANCE,
  constructEvent,
  constructEventAsync,
  verifyHeader,
  generateTestHeaderString,
  generateTestHeaderStringAsync,
  constructEventWithoutVerification,
  signature: Object.freeze({ EXPECTED_SCHEME: 'v1', verifyHeader, verifyHeaderAsync }),
});

module.exports = {
  constructEvent,
  constructEventAsync,
  verifyHeader,
  generateTestHeaderString,
  generateTestHeaderStringAsync,
  webhooks,
  SignatureVerificationError,
  MemoryStore,
  SqliteStore,
  parseEventNotification,
  parseEventNotificationAsync,
  constructEventWithoutVerification,
  subscriptionPeriodEnd,
  invoiceSubscriptionId,
};
