// hookwise/portable as ESM, and what the workerd, edge-light, worker, browser
// and deno conditions resolve `hookwise` to: named exports of the CommonJS
// portable build (lib/portable.js), which bundlers (wrangler, Next.js, Convex)
// and Deno read as they read any CommonJS package.
import hookwise from './portable.js';

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
