'use strict';
// The public API (API.md sections 1-5 and 7) over one engine. Both entry
// points build it: lib/index.js over the native engine (or the portable one
// as a fallback), lib/portable.js over the portable engine. Everything here
// but the engine is shared, so the two cannot drift apart.
const { SignatureVerificationError, WebhookConfigError, StoreError, BillingRefetchError, StandardWebhookVerificationError } = require('./errors');
const { createStandardWebhooks } = require('./standard/verify');
const { DEFAULT_TOLERANCE, createVerification } = require('./verify');
const { createConstructEvent } = require('./construct-event');
const { createTestHeaders } = require('./test-header');
const { createNotificationParsers, constructEventWithoutVerification } = require('./notification');
const { subscriptionPeriodEnd, invoiceSubscriptionId } = require('./stripe-fields');
// The distributed stores are given their client (ioredis / node-redis / pg) by
// the caller, so loading them loads no client library.
const { RedisStore } = require('./stores/redis-store');
const { PostgresStore } = require('./stores/postgres-store');
const { handlerFactory } = require('./handler');

function createApi(engine) {
  const { verifyHeader, verifyHeaderAsync } = createVerification(engine);
  const { constructEvent, constructEventAsync } = createConstructEvent(engine);
  const { generateTestHeaderString, generateTestHeaderStringAsync } = createTestHeaders(engine);
  const { parseEventNotification, parseEventNotificationAsync } = createNotificationParsers(engine);
  const { verifyStandardWebhook, verifyStandardWebhookAsync, signStandardWebhook } = createStandardWebhooks(engine);

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

  return {
    implementation: engine.name,
    constructEvent,
    constructEventAsync,
    verifyHeader,
    generateTestHeaderString,
    generateTestHeaderStringAsync,
    webhooks,
    SignatureVerificationError,
    WebhookConfigError,
    StoreError,
    BillingRefetchError,
    MemoryStore: engine.MemoryStore,
    SqliteStore: engine.SqliteStore,
    parseEventNotification,
    parseEventNotificationAsync,
    constructEventWithoutVerification,
    subscriptionPeriodEnd,
    invoiceSubscriptionId,
    RedisStore,
    PostgresStore,
    createWebhookHandler: handlerFactory(engine),
    // API.md section 9: Standard Webhooks (Clerk, Svix, Resend, ...).
    verifyStandardWebhook,
    verifyStandardWebhookAsync,
    signStandardWebhook,
    StandardWebhookVerificationError,
  };
}

module.exports = { createApi };
