'use strict';
// Thin event notifications (object "v2.core.event": v2 events and the `v1.*` thin
// types) through the webhook handler's pipeline. A notification carries no
// snapshot of the object, only its id and type and where to read it, so the
// pipeline treats it as an event whose
//   id       = the notification's id (dedup: one run per notification),
//   type     = its type (`v1.customer.subscription.created`, `v2.core.account.updated`),
//   created  = its ISO 8601 `created` in Unix seconds (ordering, store records),
//   objectId = `related_object.id` (ordering),
// and gives the handlers `ctx.fetchRelatedObject()` / `ctx.fetchEvent()`, which
// read the related object and the full v2 event through the stripe-node client
// given as the `stripe` option: the same requests stripe-node's own notification
// objects send (GET related_object.url, GET /v2/core/events/:id, with the
// notification's Stripe-Context and a Stripe-Request-Trigger header), so the
// client's key, API version, retries and host settings apply.
const { isFunction, invalidArgument } = require('./args');

const THIN_OBJECT = 'v2.core.event';

/** Whether a parsed envelope is a thin event notification. */
function isThinEnvelope(envelope) {
  return envelope.object === THIN_OBJECT;
}

/** `created` of a notification (ISO 8601) as Unix seconds; undefined when it is not a time. */
function createdSeconds(created) {
  if (typeof created !== 'string') return undefined;
  const ms = Date.parse(created);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** What the pipeline routes and dedups by, read from the notification itself. */
function thinEnvelope(envelope, notification) {
  const related = notification.related_object;
  return {
    ...envelope,
    created: createdSeconds(notification.created),
    objectId: related !== null && typeof related === 'object' && typeof related.id === 'string' ? related.id : undefined,
  };
}

/** The `stripe` option: a stripe-node client (anything with its public rawRequest()). */
function checkStripeClient(stripe) {
  if (stripe === undefined) return undefined;
  if (stripe === null || typeof stripe !== 'object' || !isFunction(stripe.rawRequest)) {
    throw invalidArgument('stripe', 'a stripe-node client (new Stripe(process.env.STRIPE_SECRET_KEY)) for thin events', stripe);
  }
  return stripe;
}

function missingClient(name) {
  return new Error(
    `hookwise: ctx.${name}() needs a stripe-node client: createWebhookHandler({ stripe: new Stripe(process.env.STRIPE_SECRET_KEY), … })`,
  );
}

/**
 * The members thin handlers get in `ctx`. Each call sends one request (nothing is
 * cached: a handler that runs again after a failure reads the object as it is then).
 */
function thinContext(notification, stripe) {
  const context = typeof notification.context === 'string' && notification.context !== '' ? notification.context : undefined;
  const options = () => {
    const o = { headers: { 'Stripe-Request-Trigger': `event=${notification.id}` } };
    if (context !== undefined) o.stripeContext = context;
    return o;
  };
  return {
    fetchRelatedObject() {
      if (stripe === undefined) return Promise.reject(missingClient('fetchRelatedObject'));
      const related = notification.related_object;
      if (related === null || related === undefined || typeof related.url !== 'string') return Promise.resolve(null);
      return stripe.rawRequest('GET', related.url, undefined, options());
    },
    fetchEvent() {
      if (stripe === undefined) return Promise.reject(missingClient('fetchEvent'));
      // The id comes from the body: encoded, so it cannot add path or query segments.
      return stripe.rawRequest('GET', `/v2/core/events/${encodeURIComponent(notification.id)}`, undefined, options());
    },
  };
}

module.exports = { THIN_OBJECT, isThinEnvelope, thinEnvelope, thinContext, checkStripeClient };
