'use strict';
// createWebhookHandler (API.md section 4): one object that turns a raw delivery
// into at most one completed run of the user's handlers and the HTTP answer
// Stripe expects. The pipeline, in DESIGN.md's order:
//   size check -> verify -> parse -> claim -> (skip-stale) -> dispatch with
//   in-request retries -> complete / fail (dead letter) -> answer.
// Written once over either engine (lib/engine/native, lib/engine/portable): the
// engine verifies and parses, and its MemoryStore is the default store.
const { SignatureVerificationError, StandardWebhookVerificationError } = require('./errors');
const { verifierFor } = require('./scheme-verifier');
const { isString, isBytes } = require('./args');
const { normalizeOptions, checkHandler, checkType } = require('./handler-options');
const { nodeAdapter } = require('./adapters/node');
const { fetchAdapter } = require('./adapters/fetch');
const { isKey, MAX_KEY_BYTES, utf8Length } = require('./stores/store-args');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const { PendingCompletions, withStoreRetries } = require('./pending-completions');
const { isThinEnvelope, thinEnvelope, thinContext } = require('./thin-events');
const { AckFirst, checkDrainOptions, parseStored } = require('./ack-first');
const { HandlerBilling, BILLING_OFF } = require('./billing/handler-billing');
const { hasAtomicOrdering, orderOf, claimInOrder } = require('./ordering');
const { processTransactionally } = require('./transactional');

// Every answer body, by outcome (API.md section 4's table). Frozen: shared by all results.
const BODY = Object.freeze({
  too_large: Object.freeze({ error: 'payload_too_large' }),
  processed: Object.freeze({ received: true }),
  ignored: Object.freeze({ received: true, ignored: true }),
  duplicate: Object.freeze({ received: true, duplicate: true }),
  stale: Object.freeze({ received: true, stale: true }),
  in_progress: Object.freeze({ error: 'in_progress' }),
  failed: Object.freeze({ error: 'handler_failed' }),
  dead_lettered: Object.freeze({ received: true, dead_lettered: true }),
  accepted: Object.freeze({ received: true }), // ack-first: recorded, runs after the answer
});
const STATUS = {
  rejected: 400,
  too_large: 413,
  processed: 200,
  ignored: 200,
  duplicate: 200,
  stale: 200,
  in_progress: 409,
  failed: 500,
  dead_lettered: 200,
  accepted: 200,
};

// Internal (not exported from the package): the CLI observes every result through it.
const ON_RESULT = Symbol('hookwise.onResult');
// Internal (not exported from the package): hookwise/convex's webhookHttpAction
// (lib/convex/webhook-mutation.mjs) sets it to run a verified delivery as one
// Convex mutation instead of claim -> handlers -> complete here.
const PROCESS_DELIVERY = Symbol('hookwise.processDelivery');

function result(outcome, fields) {
  return { status: STATUS[outcome], body: BODY[outcome], outcome, ...fields };
}

function rejected(code, message, error) {
  const body = message ? { error: code, message } : { error: code };
  return { status: STATUS.rejected, body, outcome: 'rejected', error };
}

/** Byte length of a body, without encoding a string unless it could be over the limit. */
function bodyBytes(raw, limit) {
  if (isBytes(raw)) return raw.byteLength;
  if (raw instanceof ArrayBuffer) return raw.byteLength;
  if (isString(raw)) return raw.length * 3 <= limit ? raw.length : utf8Length(raw);
  return 0;
}

/** The message of whatever a handler threw, for the store's lastError and the log. */
function errorText(err) {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  try {
    return `non-Error thrown: ${String(err)}`;
  } catch {
    return 'non-Error thrown';
  }
}

class WebhookHandler {
  #engine;
  #config;
  // Verifies and parses a delivery by the configured scheme (lib/scheme-verifier.js).
  #verifier;
  #logger;
  #store;
  #ownsStore;
  #registrations = []; // { type, fn } in registration order
  #closed = false;
  #ackFirst = null; // delivery: 'ack-first' (lib/ack-first.js)
  #billing = null; // billing state (lib/billing/handler-billing.js), when the `billing` option is on
  // Completions the store refused after the handlers had returned (lib/pending-completions.js).
  #pending = new PendingCompletions((eventId, outcome, err) => {
    if (outcome === 'completed') this.#logger.info(`hookwise: recorded the pending completion of ${eventId}`);
    else if (outcome === 'lost') this.#logger.warn(`hookwise: the pending completion of ${eventId} lost its lease to another delivery`);
    else {
      this.#logger.error(
        `hookwise: gave up recording the completion of ${eventId} after its lease ran out (${err && err.message}); ` +
          'its handlers may run again on the next delivery',
      );
    }
  });

  /** @param engine lib/engine/native or lib/engine/portable (the entry point chooses) */
  constructor(options, engine) {
    this.#engine = engine;
    const config = normalizeOptions(options);
    this.#config = config;
    this.#verifier = verifierFor(engine, config);
    this.#logger = config.logger;
    this.#store = config.store;
    this.#ownsStore = config.store === undefined;
    for (const [type, handler] of Object.entries(config.on)) {
      for (const fn of Array.isArray(handler) ? handler : [handler]) this.#registrations.push({ type, fn });
    }
    for (const warning of config.warnings) this.#logger.warn(warning);
    if (config.delivery === 'ack-first') {
      this.#ackFirst = new AckFirst({
        store: config.store,
        isMemoryStore: (store) => store instanceof engine.MemoryStore,
        after: config.after,
        logger: this.#logger,
      });
    }
    // Billing state: `webhooks.billing.get(...)` reads it from the store in use.
    if (config.billing !== null) this.#billing = new HandlerBilling(config.billing);
    const billing = this.#billing;
    this.billing = billing === null ? BILLING_OFF : Object.freeze({ get: (query) => billing.get(this.#storeInUse(), query) });
    // Bound so they can be passed around as route handlers: `export const POST = webhooks.fetch`.
    this.fetch = fetchAdapter(this, config);
    this.node = nodeAdapter(this, config);
    this.handle = this.handle.bind(this);
    this.on = this.on.bind(this);
    this.close = this.close.bind(this);
    this.drain = this.drain.bind(this);
  }

  /**
   * The store; without one given, a MemoryStore created at first use, so that a handler built
   * and never used (route modules evaluated by `next build`) allocates nothing.
   */
  #storeInUse() {
    if (this.#store === undefined) this.#store = new this.#engine.MemoryStore();
    return this.#store;
  }

  on(typeOrTypes, handler) {
    const types = Array.isArray(typeOrTypes) ? typeOrTypes : [typeOrTypes];
    if (types.length === 0) checkType(undefined);
    types.forEach(checkType);
    types.forEach((type) => checkHandler(type, handler));
    for (const type of types) this.#registrations.push({ type, fn: handler });
    return this;
  }

  /**
   * A type's handlers and the '*' handlers, each function once, in registration order. '*' is
   * for snapshot events only: a thin notification has another shape (lib/thin-events.js), so
   * it goes only to handlers registered for its type.
   */
  #handlersFor(type, thin = false) {
    const fns = [];
    for (const r of this.#registrations) {
      if ((r.type === type || (r.type === '*' && !thin)) && !fns.includes(r.fn)) fns.push(r.fn);
    }
    return fns;
  }

  async handle(rawBody, signatureHeader) {
    const res = await this.#handle(rawBody instanceof ArrayBuffer ? new Uint8Array(rawBody) : rawBody, signatureHeader);
    if (this[ON_RESULT]) this[ON_RESULT](res);
    return res;
  }

  async #handle(rawBody, signatureHeader) {
    const config = this.#config;
    if (config.deferredError) {
      this.#logger.error(config.deferredError.message);
      throw config.deferredError;
    }
    if (this.#closed) throw new Error('hookwise: this webhook handler was closed');

    if (bodyBytes(rawBody, config.maxBodyBytes) > config.maxBodyBytes) {
      this.#logger.warn(`hookwise: rejected a delivery larger than maxBodyBytes (${config.maxBodyBytes} bytes)`);
      return result('too_large');
    }

    // The engine verifies and parses (one native call on the native engine); `envelope` holds
    // what routing and dedup need, read without materialising the event's (lazily built) `data`.
    let parsed;
    try {
      parsed = await this.#verifier.verify(rawBody, signatureHeader);
    } catch (err) {
      return this.#rejection(err);
    }
    const { event, envelope } = parsed;
    if (!isString(envelope.id) || !isString(envelope.type)) {
      const message = `The body is signed JSON but not ${this.#verifier.what}.`;
      this.#logger.warn(`hookwise: rejected a delivery: ${message}`);
      return rejected('invalid_json', message);
    }
    if (!isKey(envelope.id) || !isKey(envelope.type)) {
      // Stripe's ids and types are ~30 bytes; no store can key an empty or huge one.
      const message = `The body is signed JSON but not a Stripe event (its "id" and "type" must be 1 to ${MAX_KEY_BYTES} bytes).`;
      this.#logger.warn(`hookwise: rejected a delivery: ${message}`);
      return rejected('invalid_json', message);
    }
    // Thin event notifications (lib/thin-events.js): the same pipeline, keyed by the notification.
    if (this.#isThin(envelope)) return this.#process(event, thinEnvelope(envelope, event), rawBody);
    return this.#process(event, envelope, rawBody);
  }

  /** A Stripe thin notification (never under scheme: 'standard', whose bodies are not Stripe's). */
  #isThin(envelope) {
    return this.#config.scheme !== 'standard' && isThinEnvelope(envelope);
  }

  #rejection(err) {
    if (err instanceof SignatureVerificationError) {
      // The message is stripe-node's text: it names the problem, never the secret or the body.
      this.#logger.warn(`hookwise: rejected a delivery: ${err.code}`);
      return rejected(err.code, err.message.split('\n')[0].trim(), err);
    }
    if (err instanceof StandardWebhookVerificationError) {
      this.#logger.warn(`hookwise: rejected a delivery: ${err.code}`);
      return rejected(err.code, err.message, err);
    }
    if (err instanceof SyntaxError) {
      this.#logger.warn('hookwise: rejected a delivery: the signature is valid but the body is not valid JSON');
      return rejected('invalid_json', 'The signature is valid but the body is not valid JSON.', err);
    }
    throw err;
  }

  /** @param inline true for a run that must not be queued again (ack-first's own runs, drain()) */
  async #process(event, envelope, rawBody, inline = false) {
    if (this[PROCESS_DELIVERY]) {
      return this[PROCESS_DELIVERY]({ event, envelope, rawBody, config: this.#config, result, errorText });
    }
    const { id: eventId, type } = envelope;
    const handlers = this.#handlersFor(type, this.#isThin(envelope));
    // With billing on, the projection's event types are processed even with no handler of the user's.
    if (handlers.length === 0 && !(this.#billing !== null && this.#billing.consumes(type))) {
      // Nothing would run, so nothing is claimed: no store work for event types the app does not handle.
      this.#logger.info(`hookwise: ignored ${type} ${eventId} (no handler for this type)`);
      return result('ignored', { eventId, type });
    }
    const config = this.#config;
    const store = this.#storeInUse();
    // An object id no store can key (empty, over 255 bytes) means no ordering for this event.
    const objectId = isKey(envelope.objectId) ? envelope.objectId : undefined;
    const created = Number.isSafeInteger(envelope.created) ? envelope.created : 0;
    // The body goes along only to a store that keeps payloads (SqliteStore keepPayloads, for
    // replay): the others would copy it across Node-API for nothing.
    if (this.#pending.has(eventId)) {
      // An earlier delivery ran the handlers but could not record it: finish that instead.
      const settled = await this.#pending.settle(eventId);
      if (settled === 'completed') {
        this.#logger.info(`hookwise: duplicate ${type} ${eventId} (its pending completion is recorded now)`);
        return result('duplicate', { eventId, type });
      }
    }
    const meta = { type, created, objectId, leaseMs: config.leaseMs };
    if (store.keepPayloads === true) meta.payload = rawBody;
    const wantsOrder = config.ordering === 'skip-stale' && objectId !== undefined && Number.isSafeInteger(envelope.created);
    // Ack-first (lib/ack-first.js): record the event with its payload, answer, run after.
    const queueing = this.#ackFirst !== null && !inline;
    if (config.transactional && !queueing) {
      // transactional: true (lib/transactional.js): claim, handlers and completion in one store transaction.
      return processTransactionally({
        store, event, eventId, type, meta, handlers, ordered: wantsOrder, objectId, created,
        config, logger: this.#logger, result, errorText, billing: this.#billing,
      });
    }
    // Atomic ordering (lib/ordering.js): the store checks staleness and takes the object's slot
    // in the claim, and marks the object when the claim completes. (Ack-first's record step is a
    // plain claim: the ordering slot is taken by the run.)
    const atomicOrder = wantsOrder && hasAtomicOrdering(store) && !queueing;
    if (atomicOrder) meta.order = orderOf(event, envelope, objectId, created);
    let claim;
    if (queueing) claim = await this.#ackFirst.record(store, eventId, meta, rawBody);
    else claim = atomicOrder ? await claimInOrder(store, eventId, meta) : await store.claim(eventId, meta);
    const attempt = claim.attempt;
    switch (claim.status) {
      case 'acquired':
        break;
      case 'queued':
        await this.#ackFirst.schedule(() => this.#runQueued(event, envelope, rawBody), eventId);
        this.#logger.info(`hookwise: accepted ${type} ${eventId} (ack-first: recorded, runs after the answer)`);
        return result('accepted', { eventId, type });
      case 'stale':
        this.#logger.info(`hookwise: stale ${type} ${eventId} (older than the last event applied to ${objectId})`);
        return result('stale', { eventId, type, attempt });
      case 'blocked':
        this.#logger.info(`hookwise: ${type} ${eventId}: another event of ${objectId} still holds its ordering slot; Stripe will retry`);
        return result('in_progress', { eventId, type, attempt });
      case 'duplicate':
        this.#logger.info(`hookwise: duplicate ${type} ${eventId} (already processed)`);
        return result('duplicate', { eventId, type, attempt });
      case 'in_progress':
        this.#logger.info(`hookwise: ${type} ${eventId} is being processed by another delivery`);
        return result('in_progress', { eventId, type, attempt });
      case 'dead_lettered':
        this.#logger.info(`hookwise: ${type} ${eventId} is dead-lettered; not running handlers`);
        return result('dead_lettered', { eventId, type, attempt });
      default:
        throw new Error(`hookwise: the store's claim() returned an unknown status "${claim.status}"`);
    }
    const { token } = claim;

    // A store without atomic ordering: read the marker now, mark after the completion (best effort).
    const ordered = wantsOrder && !atomicOrder;
    if (ordered) {
      let last;
      try {
        last = await withStoreRetries(() => store.lastApplied(objectId));
      } catch (err) {
        // Nothing ran. Release the claim as a failed attempt, so the next delivery need not
        // wait out the lease; then the 500 makes Stripe deliver again.
        await store.fail(eventId, token, `store error before the handlers ran: ${errorText(err)}`, config.maxAttempts).catch(() => {});
        throw err;
      }
      if (last !== null && last !== undefined && created < last) {
        await this.#complete(eventId, token, type);
        this.#logger.info(`hookwise: stale ${type} ${eventId} (older than the last event applied to ${objectId})`);
        return result('stale', { eventId, type, attempt });
      }
    }

    const ctx = { eventId, attempt, store };
    if (this.#isThin(envelope)) Object.assign(ctx, thinContext(event, config.stripe));
    // Billing state: applied after the claim, before the handlers; a failure (refetch,
    // store) fails the delivery like a throwing handler, and the handlers do not run.
    let error = null;
    if (this.#billing !== null) {
      try {
        ctx.billing = await this.#billing.apply(store, event);
      } catch (err) {
        error = err;
        this.#logger.error(`hookwise: billing state of ${type} ${eventId} not applied: ${errorText(err)}`, { eventId, type, attempt, error: err });
      }
    }
    if (error === null) error = await this.#dispatch(event, handlers, ctx, type);
    if (error === null) {
      await this.#completeAfterRun(eventId, token, type, ordered ? { objectId, created } : null);
      this.#logger.info(`hookwise: processed ${type} ${eventId} (attempt ${attempt})`);
      return result('processed', { eventId, type, attempt });
    }

    // Nothing of the run is lost if this fails too: the record stays `processing`, and the
    // next delivery after the lease runs the handlers again, which a failed run needs anyway.
    const failure = await withStoreRetries(() => store.fail(eventId, token, errorText(error), config.maxAttempts));
    if (failure.stale) {
      this.#logger.warn(
        `hookwise: ${type} ${eventId} failed after its lease expired (leaseMs ${config.leaseMs}); ` +
          'another delivery owns it now, so this failure was not recorded',
      );
    }
    if (failure.deadLettered) {
      this.#logger.error(
        `hookwise: dead-lettered ${type} ${eventId} after ${failure.attempt} failed attempts ` +
          `(maxAttempts ${config.maxAttempts}); once fixed, replay it with \`npx hookwise replay ${eventId} --to <your webhook URL> ` +
          `--db ${typeof store.path === 'string' ? store.path : '<SqliteStore file>'}\`${store.keepPayloads === true ? '' : ' (from a SqliteStore with keepPayloads: true)'}`,
        { eventId, type, attempt: failure.attempt },
      );
      return result('dead_lettered', { eventId, type, attempt: failure.attempt, error });
    }
    return result('failed', { eventId, type, attempt, error });
  }

  /**
   * Records the completion of a run whose handlers returned, then the ordering marker. The
   * completion comes first: a failed marker costs at most a missed stale check, a failed
   * completion would cost a second run. A completion the store still refuses after its
   * retries is kept pending (lib/pending-completions.js) and the delivery answers 500.
   */
  async #completeAfterRun(eventId, token, type, mark) {
    const store = this.#store;
    const finish = async () => {
      const ok = await store.complete(eventId, token);
      if (ok && mark) await this.#markApplied(mark, eventId);
      return ok;
    };
    let ok;
    try {
      ok = await withStoreRetries(() => store.complete(eventId, token));
    } catch (err) {
      this.#pending.add(eventId, finish, this.#config.leaseMs);
      throw new Error(
        `hookwise: the handlers of ${type} ${eventId} ran, but the store did not record its completion ` +
          `(${err && err.message}); hookwise keeps retrying, and the next delivery finishes it without running them again`,
        { cause: err },
      );
    }
    this.#warnIfLeaseLost(ok, eventId, type);
    if (ok && mark) await this.#markApplied(mark, eventId);
  }

  async #markApplied({ objectId, created }, eventId) {
    try {
      await withStoreRetries(() => this.#store.markApplied(objectId, created, eventId));
    } catch (err) {
      this.#logger.warn(
        `hookwise: event ${eventId} completed, but its ordering marker for ${objectId} was not recorded ` +
          `(${err && err.message}); an older event for that object may not be skipped as stale`,
      );
    }
  }

  async #complete(eventId, token, type) {
    this.#warnIfLeaseLost(await withStoreRetries(() => this.#store.complete(eventId, token)), eventId, type);
  }

  #warnIfLeaseLost(ok, eventId, type) {
    if (!ok) {
      this.#logger.warn(
        `hookwise: ${type} ${eventId} finished after its lease expired (leaseMs ${this.#config.leaseMs}); ` +
          'another delivery may run its handlers again. Raise leaseMs above your slowest handler.',
      );
    }
  }

  /**
   * Runs the handlers; a throwing one is retried after backoffMs, then 4 x
   * backoffMs, ... Handlers that already succeeded in this request do not run
   * again. Returns null, or the last error.
   */
  async #dispatch(event, handlers, ctx, type) {
    const { attempts, backoffMs } = this.#config.retry;
    const pending = handlers.slice();
    let lastError = null;
    for (let run = 0; run <= attempts; run++) {
      if (run > 0) await sleep(backoffMs * 4 ** (run - 1));
      lastError = null;
      while (pending.length > 0) {
        try {
          await pending[0](event, ctx);
          pending.shift();
        } catch (err) {
          lastError = err;
          this.#logger.error(
            `hookwise: handler for ${type} threw on event ${ctx.eventId} ` +
              `(delivery attempt ${ctx.attempt}, run ${run + 1} of ${attempts + 1}): ${errorText(err)}`,
            { eventId: ctx.eventId, type, attempt: ctx.attempt, run: run + 1, error: err },
          );
          break;
        }
      }
      if (lastError === null) return null;
    }
    return lastError;
  }

  /** One ack-first run (in process, in `after`, or by drain()); frees the kept payload once done. */
  async #runQueued(event, envelope, rawBody) {
    const res = await this.#process(event, envelope, rawBody, true);
    this.#ackFirst.settled(this.#store, envelope.id, res);
    if (this[ON_RESULT]) this[ON_RESULT](res);
    return res;
  }

  /**
   * webhooks.drain({ limit }): runs the events that are due in the store (queued by
   * ack-first delivery and not run, failed, or abandoned by a process that died),
   * oldest first, one at a time; each through the usual claim, so concurrent
   * drains and deliveries never run one event twice. Resolves with one result per
   * event it looked at (`in_progress` when another run holds it).
   */
  async drain(options) {
    const limit = checkDrainOptions(options);
    if (this.#closed) throw new Error('hookwise: this webhook handler was closed');
    if (this.#ackFirst === null) throw new TypeError("hookwise: drain() needs createWebhookHandler({ delivery: 'ack-first', … })");
    await this.#ackFirst.idle();
    const store = this.#storeInUse();
    const results = [];
    for (const record of await this.#ackFirst.due(store, limit)) {
      const payload = await this.#ackFirst.payloadOf(store, record);
      if (payload === null || payload === undefined) continue; // recorded before ack-first: Stripe's retries bring it
      let event;
      try {
        event = parseStored(payload);
      } catch {
        this.#logger.error(`hookwise: the stored payload of ${record.id} is not JSON; skipping it`);
        continue;
      }
      const envelope = { id: record.id, type: record.type, created: record.created, objectId: record.objectId ?? undefined, object: event.object };
      const consumed = this.#billing !== null && this.#billing.consumes(record.type);
      if (this.#handlersFor(record.type, this.#isThin(envelope)).length === 0 && !consumed) continue; // nothing would run it here
      results.push(await this.#runQueued(event, envelope, payload));
    }
    return results;
  }

  /** Closes the store if this handler created it; a store passed in belongs to the caller. */
  async close() {
    if (this.#ackFirst !== null) await this.#ackFirst.idle();
    this.#closed = true;
    this.#pending.clear();
    if (this.#ownsStore && this.#store !== undefined) await this.#store.close();
  }
}

/** createWebhookHandler over `engine`. */
function handlerFactory(engine) {
  return function createWebhookHandler(options) {
    return new WebhookHandler(options, engine);
  };
}

module.exports = { handlerFactory, WebhookHandler, ON_RESULT, PROCESS_DELIVERY };
