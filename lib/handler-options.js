'use strict';
// createWebhookHandler's option checks (API.md section 4). Everything a user can
// get wrong in the options object fails here, at creation, with a message that
// says what to change — never at the first delivery in production, and never
// echoing the secret itself.
const { environment } = require('./runtime');
const { isString, isPlainObject, isFunction, isBlank, describe, invalidArgument } = require('./args');
const { WebhookConfigError } = require('./errors');
const { checkStripeClient } = require('./thin-events');
const { checkDelivery, checkAfter } = require('./ack-first');
const { hasBillingCapability } = require('./stores/billing-args');
const { isStripeClient } = require('./billing/refetch');
const { transactionalUnsupported, transactionalBillingUnsupported } = require('./transactional');
const { SCHEMES } = require('./scheme-verifier');
const { checkStandardSecret } = require('./standard/handler-verifier');

const DEFAULTS = Object.freeze({
  tolerance: 300,
  leaseMs: 60_000,
  maxAttempts: 5,
  retry: Object.freeze({ attempts: 2, backoffMs: 100 }),
  ordering: 'off',
  maxBodyBytes: 1024 * 1024,
});

const OPTION_KEYS = [
  'secret',
  'store',
  'tolerance',
  'leaseMs',
  'maxAttempts',
  'retry',
  'ordering',
  'maxBodyBytes',
  'on',
  'logger',
  'stripe', // thin events: ctx.fetchRelatedObject() / ctx.fetchEvent() (lib/thin-events.js)
  'delivery', // 'inline' | 'ack-first' (lib/ack-first.js)
  'after', // ack-first: who runs the work after the answer (lib/ack-first.js)
  'billing',
  'transactional',
  'scheme', // 'stripe' (default) | 'standard' (API.md section 9, lib/scheme-verifier.js)
];
const ORDERINGS = ['off', 'skip-stale'];
const STORE_METHODS = ['claim', 'complete', 'fail', 'close'];
const ORDERING_STORE_METHODS = ['lastApplied', 'markApplied'];
const LOGGER_METHODS = ['info', 'warn', 'error'];
const BILLING_KEYS = ['userId', 'graceDays', 'refetch'];

const noop = () => {};
// Handler failures and misconfiguration must be visible without setup, so the
// default logger prints warnings and errors; routine outcomes stay quiet.
const DEFAULT_LOGGER = Object.freeze({ info: noop, warn: console.warn, error: console.error });

const BUILD_PHASE = 'phase-production-build';

function missingSecretError(detail) {
  return new WebhookConfigError(
    `hookwise: createWebhookHandler needs your endpoint's signing secret, ${detail}. ` +
      'Pass { secret: process.env.STRIPE_WEBHOOK_SECRET } and set STRIPE_WEBHOOK_SECRET to the endpoint\'s ' +
      '"Signing secret" (whsec_...) from the Stripe Dashboard, or the one `stripe listen` prints.',
    'missing_secret',
  );
}

/** Closest known option name, to turn a typo into a suggestion. */
function suggestion(key) {
  const lower = key.toLowerCase();
  const hit = OPTION_KEYS.find((k) => k.toLowerCase() === lower) ||
    OPTION_KEYS.find((k) => lower.includes(k.toLowerCase()) || k.toLowerCase().includes(lower));
  return hit ? ` Did you mean "${hit}"?` : '';
}

/**
 * Returns { secrets, error }: the usable secrets, or the error to throw. The
 * error is returned rather than thrown so that the caller can defer a missing
 * secret during `next build`.
 */
function checkSecret(secret) {
  let list;
  if (secret === undefined || secret === null) return { error: missingSecretError('and none was given') };
  if (isString(secret)) list = [secret];
  else if (Array.isArray(secret)) {
    if (secret.length === 0) return { error: missingSecretError('and an empty array was given') };
    secret.forEach((s, i) => {
      if (!isString(s)) throw invalidArgument(`secret[${i}]`, 'a string', s);
    });
    list = secret;
  } else {
    throw invalidArgument('secret', 'a string or an array of strings (STRIPE_WEBHOOK_SECRET)', secret);
  }
  const blank = list.findIndex((s) => isBlank(s));
  if (blank !== -1) {
    const which = list.length > 1 ? `secret[${blank}] is` : 'the secret is';
    return { error: missingSecretError(`and ${which} empty (is STRIPE_WEBHOOK_SECRET set in this environment?)`) };
  }
  const spaced = list.findIndex((s) => /\s/.test(s));
  if (spaced !== -1) {
    const which = list.length > 1 ? `secret[${spaced}]` : 'the webhook secret';
    throw new WebhookConfigError(
      `hookwise: ${which} contains whitespace, so no signature can ever match it. This is usually a ` +
        'trailing newline or space copied into STRIPE_WEBHOOK_SECRET (.env files, `echo` without -n, ' +
        'secret managers); Stripe signing secrets never contain whitespace. Trim the value.',
      'secret_whitespace',
    );
  }
  return { secrets: list };
}

/** Logged, not thrown: a secret without whsec_ is almost always a mistake, but not provably one. */
function secretWarnings(secrets) {
  const warnings = [];
  secrets.forEach((s, i) => {
    if (s.startsWith('whsec_')) return;
    const which = secrets.length > 1 ? `secret[${i}]` : 'the webhook secret';
    let looksLike = '';
    if (/^(sk|rk)_(test|live)_/.test(s)) looksLike = ' It looks like a Stripe API secret key (sk_/rk_), not a webhook signing secret.';
    else if (/^pk_(test|live)_/.test(s)) looksLike = ' It looks like a Stripe publishable key (pk_), not a webhook signing secret.';
    warnings.push(
      `hookwise: ${which} does not start with "whsec_".${looksLike} Stripe signs webhooks with the ` +
        'endpoint\'s signing secret (whsec_..., Dashboard > Developers > Webhooks > your endpoint, or ' +
        'what `stripe listen` prints); with any other value every delivery will be rejected as signature_mismatch.',
    );
  });
  return warnings;
}

function checkNonNegativeNumber(name, value) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(name, 'a finite number >= 0', value);
  }
  return value;
}

function checkPositiveInteger(name, value) {
  if (!Number.isSafeInteger(value) || value < 1) throw invalidArgument(name, 'an integer >= 1', value);
  return value;
}

function checkRetry(retry) {
  if (retry === undefined) return DEFAULTS.retry;
  if (retry === false || retry === null) return { attempts: 0, backoffMs: 0 };
  if (!isPlainObject(retry)) throw invalidArgument('retry', '{ attempts?, backoffMs? } or false', retry);
  for (const key of Object.keys(retry)) {
    if (key !== 'attempts' && key !== 'backoffMs') {
      throw new TypeError(`hookwise: unknown retry option "${key}" (expected attempts, backoffMs)`);
    }
  }
  const attempts = retry.attempts ?? DEFAULTS.retry.attempts;
  if (!Number.isSafeInteger(attempts) || attempts < 0) throw invalidArgument('retry.attempts', 'an integer >= 0', attempts);
  const backoffMs = checkNonNegativeNumber('retry.backoffMs', retry.backoffMs ?? DEFAULTS.retry.backoffMs);
  return { attempts, backoffMs };
}

function checkLogger(logger) {
  if (logger === undefined) return DEFAULT_LOGGER;
  if (logger === null || typeof logger !== 'object') {
    throw invalidArgument('logger', 'an object with info, warn and error methods (console works)', logger);
  }
  const out = {};
  for (const level of LOGGER_METHODS) {
    const fn = logger[level];
    if (fn === undefined) out[level] = noop;
    else if (!isFunction(fn)) throw invalidArgument(`logger.${level}`, 'a function', fn);
    else out[level] = fn.bind(logger);
  }
  return out;
}

function checkStore(store, ordering) {
  if (store === undefined) return undefined;
  if (store === null || typeof store !== 'object') {
    throw invalidArgument('store', 'a Store (MemoryStore, SqliteStore, RedisStore, PostgresStore...)', store);
  }
  const needed = ordering === 'skip-stale' ? [...STORE_METHODS, ...ORDERING_STORE_METHODS] : STORE_METHODS;
  for (const method of needed) {
    if (!isFunction(store[method])) {
      throw new TypeError(
        `hookwise: store must implement ${method}() (API.md section 5)` +
          (ORDERING_STORE_METHODS.includes(method) ? ", which ordering: 'skip-stale' needs" : '') +
          `, got ${describe(store[method])}`,
      );
    }
  }
  return store;
}

/**
 * `billing: true | { userId?, graceDays?, refetch? }` (API.md section 8): null when off,
 * else the options lib/billing/handler-billing.js takes. A store given must have the
 * billing-state capability (docs/stores.md); the built-in stores all do.
 */
function checkBilling(billing, store, transactional, scheme) {
  if (billing === undefined || billing === false || billing === null) return null;
  const options = billing === true ? {} : billing;
  if (!isPlainObject(options)) throw invalidArgument('billing', 'true or an object { userId?, graceDays?, refetch? }', billing);
  for (const key of Object.keys(options)) {
    if (!BILLING_KEYS.includes(key)) {
      throw new TypeError(`hookwise: unknown billing option "${key}" (expected ${BILLING_KEYS.join(', ')})`);
    }
  }
  if (scheme === 'standard') {
    throw new TypeError("hookwise: billing reads Stripe events; it cannot be used with scheme: 'standard'");
  }
  if (transactional === true) {
    // The transactional path holds the store's transaction around the handlers; the billing
    // writes join it (the store's transactions carry the capability), or they cannot be had
    // (a portable SqliteStore's own operations wait for its transaction).
    const reason = transactionalBillingUnsupported(store);
    if (reason !== null) throw new TypeError(reason);
  }
  const { userId, graceDays = 0, refetch } = options;
  if (userId !== undefined && !isFunction(userId)) throw invalidArgument('billing.userId', 'a function (object) => string | null', userId);
  checkNonNegativeNumber('billing.graceDays', graceDays);
  if (refetch !== undefined && !isStripeClient(refetch)) {
    throw invalidArgument('billing.refetch', 'a stripe-node client (new Stripe(key)) with customers and subscriptions', refetch);
  }
  if (store !== undefined && !hasBillingCapability(store)) {
    throw new TypeError(
      'hookwise: billing needs a store with the billing-state capability (billingGet, billingFind, billingPut; ' +
        'docs/stores.md); the built-in stores have it, this store does not',
    );
  }
  return { userId, graceDays, refetch };
}

/** A handler map or single registration: checked the same way for `on` and `webhooks.on()`. */
function checkHandler(type, handler) {
  if (!isFunction(handler)) {
    throw new TypeError(
      `hookwise: the handler for "${type}" must be a function (async (event, ctx) => {...}), got ${describe(handler)}`,
    );
  }
}

/** transactional: true only with a store that can hold the app's writes in the event's transaction (lib/transactional.js). */
function checkTransactional(transactional, store) {
  if (transactional === undefined || transactional === false) return false;
  if (transactional !== true) throw invalidArgument('transactional', 'a boolean', transactional);
  const reason = transactionalUnsupported(store);
  if (reason !== null) throw new WebhookConfigError(reason, 'transactional_unsupported');
  return true;
}

function checkType(type) {
  if (!isString(type) || type.length === 0) throw invalidArgument('event type', "a non-empty string such as 'invoice.paid' or '*'", type);
}

/**
 * Validates createWebhookHandler's options. Returns the normalised config and
 * the deferred secret error (set only during `next build`).
 */
function normalizeOptions(options, env = environment()) {
  if (options === undefined || options === null) options = {};
  if (!isPlainObject(options)) throw invalidArgument('createWebhookHandler options', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new TypeError(
        `hookwise: unknown createWebhookHandler option "${key}".${suggestion(key)} Known options: ${OPTION_KEYS.join(', ')}.`,
      );
    }
  }
  const scheme = options.scheme ?? 'stripe';
  if (!SCHEMES.includes(scheme)) throw invalidArgument('scheme', "'stripe' or 'standard'", scheme);
  const { secrets, error } = scheme === 'standard' ? checkStandardSecret(options.secret) : checkSecret(options.secret);
  let deferredError = null;
  if (error) {
    // `next build` evaluates route modules without runtime secrets; report at the first request instead.
    if (env.NEXT_PHASE === BUILD_PHASE) deferredError = error;
    else throw error;
  }
  const ordering = options.ordering ?? DEFAULTS.ordering;
  if (!ORDERINGS.includes(ordering)) throw invalidArgument('ordering', "'off' or 'skip-stale'", ordering);
  const on = options.on ?? {};
  if (!isPlainObject(on)) throw invalidArgument('on', "an object of { 'event.type': handler }", on);
  for (const [type, handler] of Object.entries(on)) {
    if (Array.isArray(handler)) handler.forEach((h) => checkHandler(type, h));
    else checkHandler(type, handler);
  }
  return {
    secrets: secrets || [],
    deferredError,
    warnings: secrets && scheme === 'stripe' ? secretWarnings(secrets) : [],
    scheme,
    store: checkStore(options.store, ordering),
    tolerance: checkNonNegativeNumber('tolerance', options.tolerance ?? DEFAULTS.tolerance),
    leaseMs: checkPositiveInteger('leaseMs', options.leaseMs ?? DEFAULTS.leaseMs),
    maxAttempts: checkPositiveInteger('maxAttempts', options.maxAttempts ?? DEFAULTS.maxAttempts),
    retry: checkRetry(options.retry),
    ordering,
    maxBodyBytes: checkPositiveInteger('maxBodyBytes', options.maxBodyBytes ?? DEFAULTS.maxBodyBytes),
    on,
    logger: checkLogger(options.logger),
    stripe: checkStripeClient(options.stripe),
    delivery: checkDelivery(options.delivery),
    after: checkAfter(options.after, options.delivery),
    billing: checkBilling(options.billing, options.store, options.transactional, scheme),
    transactional: checkTransactional(options.transactional, options.store),
  };
}

module.exports = { DEFAULTS, normalizeOptions, checkHandler, checkType, checkBilling, WebhookConfigError };
