// ESM entry: named exports of the CommonJS build (one implementation, one
// addon instance, whichever way the package is loaded).
import hookwise from './index.js';

export const {
  implementation,
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
  MemoryStore,
  SqliteStore,
  parseEventNotification,
  parseEventNotificationAsync,
  constructEventWithoutVerification,
  subscriptionPeriodEnd,
  invoiceSubscriptionId,
  RedisStore,
  PostgresStore,
  createWebhookHandler,
  verifyStandardWebhook,
  verifyStandardWebhookAsync,
  signStandardWebhook,
  StandardWebhookVerificationError,
} = hookwise;
export default hookwise;
