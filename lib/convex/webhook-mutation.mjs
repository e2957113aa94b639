// hookwise/convex, exactly-once effects: the webhook handlers run INSIDE one
// Convex mutation together with the event's claim and its completion
// (docs/api.md, "hookwise/convex: defineWebhookMutation and webhookHttpAction").
//
//   defineWebhookMutation({ on })  the internal mutation: parse, claim, handlers, complete — one transaction
//   recordFailure                  the internal mutation that counts a failed run (attempts, dead letter)
//   webhookHttpAction({ secret, mutation, functions })
//                                  the httpAction: hookwise/portable's pipeline (size limit, signature,
//                                  parse, the 400s) up to the claim, then ctx.runMutation(mutation)
//
// Why a second mutation for failures: a handler that throws makes Convex roll
// back its whole mutation — the app's writes and the claim alike — so nothing
// written there survives; the action, which sees the mutation fail, records
// the failed attempt in a mutation of its own. If the action dies in between,
// the attempt is not counted (the event is as before: claimable, no effect).
//
// Convex re-runs a mutation that lost a write conflict (OCC). The claim is a
// read inside the mutation, so a re-run after a concurrent delivery committed
// sees the event completed and returns `duplicate`: it cannot apply twice.
//
// index.mjs builds these with its own store helpers (webhookMutations below),
// so the record layout stays defined once, there.

import { httpActionGeneric, internalMutationGeneric } from 'convex/server';
import { v } from 'convex/values';
import portable from '../portable.js';
import handlerModule from '../handler.js';
import storeArgs from '../stores/store-args.js';
import args from '../args.js';
import handlerOptions from '../handler-options.js';
import handlerBilling from '../billing/handler-billing.js';

const { createWebhookHandler, WebhookConfigError } = portable;
const { PROCESS_DELIVERY } = handlerModule;
const { isKey, truncateLastError, checkRetention } = storeArgs;
const { isPlainObject, isFunction, describe, invalidArgument } = args;
const { HandlerBilling } = handlerBilling;

const ORDERINGS = ['off', 'skip-stale'];
const MUTATION_OPTIONS = ['on', 'ordering', 'billing'];
const ACTION_OPTIONS = ['secret', 'mutation', 'functions', 'tolerance', 'maxAttempts', 'retry', 'maxBodyBytes', 'logger', 'retentionMs'];
const OUTCOMES = ['processed', 'duplicate', 'ignored', 'stale', 'in_progress', 'dead_lettered'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function checkKeys(what, options, allowed) {
  if (!isPlainObject(options)) throw invalidArgument(`${what} options`, 'an object', options);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new TypeError(`hookwise: unknown ${what} option "${key}" (expected ${allowed.join(', ')})`);
  }
}

/** { type, fn } registrations of defineWebhookMutation's `on`, checked. */
function registrationsOf(on, billing) {
  if (!isPlainObject(on)) throw invalidArgument('on', "an object of { 'event.type': async (ctx, event, info) => {...} }", on);
  const registrations = [];
  for (const [type, handler] of Object.entries(on)) {
    if (type.length === 0) throw invalidArgument('event type', "a non-empty string such as 'invoice.paid' or '*'", type);
    for (const fn of Array.isArray(handler) ? handler : [handler]) {
      if (!isFunction(fn)) {
        throw new TypeError(`hookwise: the handler for "${type}" must be a function (async (ctx, event, info) => {...}), got ${describe(fn)}`);
      }
      registrations.push({ type, fn });
    }
  }
  if (registrations.length === 0 && billing === null) {
    throw new TypeError('hookwise: defineWebhookMutation needs at least one handler in `on` (or `billing`)');
  }
  return registrations;
}

/** A type's handlers and the '*' handlers, each function once, in registration order (as createWebhookHandler). */
function handlersFor(registrations, type) {
  const fns = [];
  for (const r of registrations) if ((r.type === type || r.type === '*') && !fns.includes(r.fn)) fns.push(r.fn);
  return fns;
}

/**
 * `billing: true | { userId?, graceDays? }`: createWebhookHandler's checks, less
 * `refetch` (a mutation cannot call Stripe; refetch in an action and pass the
 * objects instead). The HandlerBilling, or null when off.
 */
function billingOf(billing) {
  if (isPlainObject(billing) && billing.refetch !== undefined) {
    throw new TypeError('hookwise: defineWebhookMutation cannot take billing.refetch: a Convex mutation cannot call the Stripe API');
  }
  const options = handlerOptions.checkBilling(billing, undefined, false, 'stripe');
  return options === null ? null : new HandlerBilling({ userId: options.userId, graceDays: options.graceDays });
}

/** The three exports, over index.mjs's record helpers: { findEvent, deleteOlderThan, sweepBatch, ConvexStore, billingOnDb }. */
export function webhookMutations({ findEvent, deleteOlderThan, sweepBatch, ConvexStore, billingOnDb }) {
  // Writes the event's record as `fields` says, creating it if this is its first delivery.
  async function writeRecord(db, doc, event, now, fields) {
    if (doc !== null) return db.patch(doc._id, { ...fields, token: null, leaseUntil: null, updatedAt: now });
    return db.insert('hookwise_events', {
      eventId: event.eventId,
      type: event.type,
      created: event.created,
      objectId: event.objectId,
      lastError: null,
      receivedAt: now,
      listOrder: -now,
      token: null,
      leaseUntil: null,
      updatedAt: now,
      ...fields,
    });
  }

  // The record as it stands, as a claim sees it: null when this delivery may run the handlers.
  function standing(doc, now) {
    if (doc === null) return null;
    if (doc.status === 'completed') return { outcome: 'duplicate', attempt: doc.attempts };
    if (doc.status === 'dead_lettered') return { outcome: 'dead_lettered', attempt: doc.attempts };
    // A live lease of a non-transactional ConvexStore claim on the same event.
    if (doc.status === 'processing' && doc.leaseUntil !== null && doc.leaseUntil > now) return { outcome: 'in_progress', attempt: doc.attempts };
    return null;
  }

  function defineWebhookMutation(options) {
    checkKeys('defineWebhookMutation', options, MUTATION_OPTIONS);
    const billing = billingOf(options.billing);
    const registrations = registrationsOf(options.on === undefined && billing !== null ? {} : options.on, billing);
    const ordering = options.ordering ?? 'off';
    if (!ORDERINGS.includes(ordering)) throw invalidArgument('ordering', "'off' or 'skip-stale'", ordering);
    return internalMutationGeneric({
      // The verified raw body (webhookHttpAction), parsed here: the same object constructEvent returns.
      args: { payload: v.string(), retentionMs: v.optional(v.number()) },
      handler: async (ctx, { payload, retentionMs }) => {
        const event = JSON.parse(payload);
        const fns = handlersFor(registrations, event.type);
        // With billing on, the projection's event types are processed even with no handler of the user's.
        if (fns.length === 0 && !(billing !== null && billing.consumes(event.type))) return { outcome: 'ignored', attempt: 0 };
        const now = Date.now();
        if (retentionMs !== undefined) await deleteOlderThan(ctx.db, now - retentionMs, sweepBatch);
        const objectId = isKey(event.data?.object?.id) ? event.data.object.id : null;
        const created = Number.isSafeInteger(event.created) ? event.created : 0;
        const key = { eventId: event.id, type: event.type, created, objectId };
        const doc = await findEvent(ctx.db, event.id);
        const already = standing(doc, now);
        if (already !== null) return already;
        const attempt = (doc === null ? 0 : doc.attempts) + 1;

        let marker = null;
        if (ordering === 'skip-stale' && objectId !== null && Number.isSafeInteger(event.created)) {
          marker = await ctx.db
            .query('hookwise_applied')
            .withIndex('by_objectId', (q) => q.eq('objectId', objectId))
            .unique();
          if (marker !== null && created < marker.created) {
            await writeRecord(ctx.db, doc, key, now, { status: 'completed', attempts: attempt });
            return { outcome: 'stale', attempt };
          }
        }
        // A throw here rolls back everything this mutation wrote, the app's writes included.
        const info = { eventId: event.id, attempt };
        // Billing state: the projection's documents written through this mutation's ctx.db,
        // before the handlers (which see the state after this event), committed with them.
        if (billing !== null) info.billing = await billing.apply(billingOnDb(ctx.db), event);
        for (const fn of fns) await fn(ctx, event, info);
        await writeRecord(ctx.db, doc, key, now, { status: 'completed', attempts: attempt });
        if (ordering === 'skip-stale' && objectId !== null && Number.isSafeInteger(event.created)) {
          if (marker === null) await ctx.db.insert('hookwise_applied', { objectId, created, eventId: event.id, updatedAt: now });
          else if (created >= marker.created) await ctx.db.patch(marker._id, { created, eventId: event.id, updatedAt: now });
          else await ctx.db.patch(marker._id, { updatedAt: now });
        }
        return { outcome: 'processed', attempt };
      },
    });
  }

  // A failed run of the webhook mutation (rolled back by Convex): one more
  // attempt, dead-lettered at maxAttempts. Stale — nothing changes — when the
  // event was finished (or taken by a live lease) since.
  const recordFailure = internalMutationGeneric({
    args: {
      eventId: v.string(),
      type: v.string(),
      created: v.number(),
      objectId: v.union(v.string(), v.null()),
      error: v.string(),
      maxAttempts: v.number(),
    },
    handler: async (ctx, { eventId, type, created, objectId, error, maxAttempts }) => {
      const now = Date.now();
      const doc = await findEvent(ctx.db, eventId);
      const already = standing(doc, now);
      if (already !== null) return { deadLettered: already.outcome === 'dead_lettered', attempt: already.attempt, stale: true };
      const attempt = (doc === null ? 0 : doc.attempts) + 1;
      const deadLettered = attempt >= maxAttempts;
      await writeRecord(ctx.db, doc, { eventId, type, created, objectId }, now, {
        status: deadLettered ? 'dead_lettered' : 'failed',
        attempts: attempt,
        lastError: truncateLastError(error),
      });
      return { deadLettered, attempt };
    },
  });

  function webhookHttpAction(options) {
    checkKeys('webhookHttpAction', options, ACTION_OPTIONS);
    const { mutation, functions, retentionMs, ...handlerOptions } = options;
    if (mutation === undefined || mutation === null) {
      throw new TypeError('hookwise: webhookHttpAction needs { mutation }: the reference of your defineWebhookMutation export, e.g. internal.stripe.apply');
    }
    if (!functions || (typeof functions !== 'object' && typeof functions !== 'function')) {
      throw new TypeError('hookwise: webhookHttpAction needs { functions }: the references of the hookwise functions (with recordFailure), e.g. internal.hookwise');
    }
    const retention = checkRetention(retentionMs);
    // Every option is checked now, as createWebhookHandler checks them (no I/O, no random values) —
    // except a missing secret: Convex evaluates this module when it deploys, possibly before the
    // deployment has STRIPE_WEBHOOK_SECRET, so that one is answered at each request (500 missing_secret).
    try {
      createWebhookHandler(handlerOptions);
    } catch (err) {
      if (!(err instanceof WebhookConfigError && err.code === 'missing_secret')) throw err;
    }
    return httpActionGeneric(async (ctx, request) => {
      let webhooks;
      try {
        webhooks = createWebhookHandler(handlerOptions);
      } catch (err) {
        if (!(err instanceof WebhookConfigError)) throw err;
        (handlerOptions.logger?.error ?? console.error).call(handlerOptions.logger, err.message);
        return new Response(JSON.stringify({ error: err.code, message: err.message }), { status: 500, headers: { 'content-type': 'application/json' } });
      }
      // Only for its retention clock (a sweep at most once a minute per runtime).
      const sweeper = new ConvexStore({ ctx, functions, retentionMs: retention });
      webhooks[PROCESS_DELIVERY] = (delivery) => deliver(ctx, delivery, { mutation, functions, sweeper, retention });
      return webhooks.fetch(request);
    });
  }

  // One verified delivery: the webhook mutation, retried in-request after a
  // failure (each run its own transaction), then the failure recorded.
  async function deliver(ctx, { envelope, rawBody, config, result, errorText }, { mutation, functions, sweeper, retention }) {
    const { id: eventId, type } = envelope;
    const { logger } = config;
    const { attempts: retries, backoffMs } = config.retry;
    const payload = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
    let error = null;
    for (let run = 0; run <= retries; run++) {
      if (run > 0) await sleep(backoffMs * 4 ** (run - 1));
      const runArgs = sweeper._sweepDue() ? { payload, retentionMs: retention } : { payload };
      let answer;
      try {
        answer = await ctx.runMutation(mutation, runArgs);
      } catch (err) {
        error = err;
        logger.error(
          `hookwise: the webhook mutation for ${type} threw on event ${eventId} (run ${run + 1} of ${retries + 1}; Convex rolled it back): ${errorText(err)}`,
          { eventId, type, run: run + 1, error: err },
        );
        continue;
      }
      if (!answer || !OUTCOMES.includes(answer.outcome)) {
        throw new Error(`hookwise: the webhook mutation returned ${describe(answer)}; is \`mutation\` a defineWebhookMutation export?`);
      }
      logger.info(`hookwise: ${answer.outcome} ${type} ${eventId} (in one Convex mutation)`);
      return answer.outcome === 'ignored' ? result('ignored', { eventId, type }) : result(answer.outcome, { eventId, type, attempt: answer.attempt });
    }
    const objectId = isKey(envelope.objectId) ? envelope.objectId : null;
    const created = Number.isSafeInteger(envelope.created) ? envelope.created : 0;
    let failure;
    try {
      failure = await ctx.runMutation(functions.recordFailure, {
        eventId, type, created, objectId, error: truncateLastError(errorText(error)), maxAttempts: config.maxAttempts,
      });
    } catch (err) {
      throw new Error(`hookwise: the webhook mutation failed and recording the failure failed too (${err && err.message}); is recordFailure exported from your convex/hookwise.ts?`, { cause: err });
    }
    if (failure.deadLettered) {
      if (!failure.stale) {
        logger.error(`hookwise: dead-lettered ${type} ${eventId} after ${failure.attempt} failed attempts (maxAttempts ${config.maxAttempts})`, { eventId, type, attempt: failure.attempt });
      }
      return result('dead_lettered', { eventId, type, attempt: failure.attempt, error });
    }
    return result('failed', { eventId, type, attempt: failure.attempt, error });
  }

  return { defineWebhookMutation, recordFailure, webhookHttpAction };
}
