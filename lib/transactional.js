'use strict';
// Transactional handlers (createWebhookHandler({ transactional: true }),
// docs/api.md "Transactional handlers"): each run of an event's handlers
// happens inside one store transaction that also holds the claim and commits
// the completion, so the app's writes through ctx.client and the bookkeeping
// commit or roll back together — the effect is applied exactly once.
//
// The store provides the transaction through the optional capability
// claimInTransaction(eventId, meta) -> { status, attempt, transaction? }
// (docs/stores.md, "Optional store capabilities"; PostgresStore implements it
// in lib/stores/postgres-transaction.js). This module is the pipeline around
// it, the transactional counterpart of WebhookHandler's claim -> dispatch ->
// complete/fail:
//   - in-request retries: each run a fresh transaction, all of the event's
//     handlers again (the earlier ones' writes were rolled back with the rest);
//   - the last run's failure is recorded by transaction.fail() (the writes
//     rolled back first), which gives the dead letter at maxAttempts.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The reason `store` cannot run transactional handlers, or null when it can. */
function transactionalUnsupported(store) {
  if (store !== undefined && store !== null && typeof store.claimInTransaction === 'function') return null;
  const name = store === undefined ? 'the default MemoryStore' : (store && store.constructor && store.constructor.name) || 'this store';
  const why =
    name === 'PostgresStore'
      ? ' (this one was given a bare pg Client: give it a Pool, which hands each delivery its own connection)'
      : name === 'SqliteStore'
        ? " (the native SqliteStore commits from its own writer thread; hookwise/portable's SqliteStore, on node:sqlite or bun:sqlite, can: its handlers get ctx.db)"
        : '';
  return (
    `hookwise: transactional: true needs a store whose transactions can hold the app's writes, and ${name} cannot${why}. ` +
    "Use new PostgresStore({ pool }) with a pg Pool, or hookwise/portable's SqliteStore; in Convex use defineWebhookMutation and webhookHttpAction from hookwise/convex. " +
    'Other stores give at-most-once handler runs without transactional: true (docs/stores.md, "Guarantees by store and mode").'
  );
}

/**
 * The reason billing state cannot be applied inside `store`'s transactions, or
 * null when it can: the store says so with `billingInTransactions` (PostgresStore),
 * and its transactions then carry the billing-state capability as `transaction.billing`.
 */
function transactionalBillingUnsupported(store) {
  if (store !== undefined && store !== null && store.billingInTransactions === true) return null;
  const name = (store && store.constructor && store.constructor.name) || 'this store';
  return (
    `hookwise: billing with transactional: true needs a store that applies billing state inside the event's transaction, and ${name} cannot. ` +
    'Use new PostgresStore({ pool }), or billing without transactional (its writes are idempotent); in Convex, defineWebhookMutation({ billing }).'
  );
}

/**
 * One delivery's claim, handlers and completion, transactionally. `d` holds what
 * WebhookHandler#process knows: { store, event, eventId, type, meta, handlers,
 * ordered, objectId, created, config, logger, result, errorText, billing } (billing:
 * the HandlerBilling, or null). Resolves the
 * HandleResult; rejects for a store failure, as the non-transactional path does.
 */
async function processTransactionally(d) {
  const { store, event, eventId, type, meta, handlers, config, logger, result, errorText } = d;
  const { attempts: retries, backoffMs } = config.retry;
  for (let run = 0; ; run++) {
    if (run > 0) await sleep(backoffMs * 4 ** (run - 1));
    const claim = await store.claimInTransaction(eventId, meta);
    const { attempt } = claim;
    switch (claim.status) {
      case 'acquired':
        break;
      case 'duplicate':
        logger.info(`hookwise: duplicate ${type} ${eventId} (already processed)`);
        return result('duplicate', { eventId, type, attempt });
      case 'in_progress':
        logger.info(`hookwise: ${type} ${eventId} is being processed by another delivery`);
        return result('in_progress', { eventId, type, attempt });
      case 'dead_lettered':
        logger.info(`hookwise: ${type} ${eventId} is dead-lettered; not running handlers`);
        return result('dead_lettered', { eventId, type, attempt });
      default:
        throw new Error(`hookwise: the store's claimInTransaction() returned an unknown status "${claim.status}"`);
    }
    const tx = claim.transaction;

    let mark = null;
    if (d.ordered) {
      let last;
      try {
        last = await tx.lastApplied(d.objectId);
      } catch (err) {
        await tx.rollback();
        throw err;
      }
      if (last !== null && d.created < last) {
        await tx.commit(null);
        logger.info(`hookwise: stale ${type} ${eventId} (older than the last event applied to ${d.objectId})`);
        return result('stale', { eventId, type, attempt });
      }
      mark = { objectId: d.objectId, created: d.created };
    }

    const ctx = { eventId, attempt, store, ...tx.context };
    // Billing state: applied in this transaction before the handlers; a failure counts as theirs
    // (the run rolls back and is retried), and the state commits with their writes.
    let error = d.billing ? await applyBilling(d.billing, tx, event, ctx, { type, logger, errorText }) : null;
    if (error === null) error = await runHandlers(handlers, event, ctx, { type, run, runs: retries + 1, logger, errorText });
    if (error === null) {
      await tx.commit(mark);
      logger.info(`hookwise: processed ${type} ${eventId} (attempt ${attempt}, in one transaction)`);
      return result('processed', { eventId, type, attempt });
    }
    if (run < retries) {
      await tx.rollback();
      continue;
    }
    const failure = await tx.fail(errorText(error), config.maxAttempts);
    if (failure.stale) {
      logger.warn(`hookwise: ${type} ${eventId} failed, and another delivery had already finished it; this failure was not recorded`);
    }
    if (failure.deadLettered) {
      logger.error(
        `hookwise: dead-lettered ${type} ${eventId} after ${failure.attempt} failed attempts (maxAttempts ${config.maxAttempts}); ` +
          'its handlers\' writes were rolled back each time. Once fixed, requeue it and let Stripe (or `npx hookwise replay`) deliver it again',
        { eventId, type, attempt: failure.attempt },
      );
      return result('dead_lettered', { eventId, type, attempt: failure.attempt, error });
    }
    return result('failed', { eventId, type, attempt, error });
  }
}

/** Sets ctx.billing to the state after `event`, written through the transaction. Returns null or the error. */
async function applyBilling(billing, tx, event, ctx, { type, logger, errorText }) {
  try {
    ctx.billing = await billing.apply(tx.billing, event);
    return null;
  } catch (err) {
    logger.error(`hookwise: billing state of ${type} ${ctx.eventId} not applied (its transaction is rolled back): ${errorText(err)}`, {
      eventId: ctx.eventId, type, attempt: ctx.attempt, error: err,
    });
    return err;
  }
}

/** Every handler of the event in order, stopping at the first that throws. Returns null or that error. */
async function runHandlers(handlers, event, ctx, { type, run, runs, logger, errorText }) {
  for (const fn of handlers) {
    try {
      await fn(event, ctx);
    } catch (err) {
      logger.error(
        `hookwise: handler for ${type} threw on event ${ctx.eventId} ` +
          `(delivery attempt ${ctx.attempt}, run ${run + 1} of ${runs}; its transaction is rolled back): ${errorText(err)}`,
        { eventId: ctx.eventId, type, attempt: ctx.attempt, run: run + 1, error: err },
      );
      return err;
    }
  }
  return null;
}

module.exports = { processTransactionally, transactionalUnsupported, transactionalBillingUnsupported };
