'use strict';
// skip-stale ordering over a store with the atomic ordering capability
// (docs/stores.md, "Optional store capabilities: atomic ordering"): the claim
// carries meta.order = { objectId, created, rank } and the store, in one
// atomic step, either answers `stale` (its object already has a newer marker;
// the event is recorded completed), `blocked` (another event's lease holds
// the object's ordering slot) or takes the slot with the claim; the
// completion then sets the marker and frees the slot in that same store
// operation. A store without the capability keeps the lastApplied/markApplied
// path in lib/handler.js (best effort, documented).
//
// While another event holds the slot, the delivery waits for it a little
// (SLOT_WAIT_MS, polling with short growing delays): most handlers finish
// within that and the waiting event is then applied (or found stale) in the
// same request. Past it the delivery answers 409 in_progress and Stripe
// retries later, as for a redelivery of an event that is still running.
const { lifecycleRank } = require('./lifecycle-rank');

const SLOT_WAIT_MS = 1500;
const SLOT_POLL_MS = [10, 25, 50, 100, 200];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when `store` implements atomic ordering (its claim honours meta.order). */
function hasAtomicOrdering(store) {
  return store !== null && typeof store === 'object' && store.atomicOrdering === true;
}

// Only subscriptions and invoices have ranked lifecycles: for them (and only
// them) the status is read, which builds the event's lazily parsed `data`.
const RANKED_OBJECTS = new Set(['subscription', 'invoice']);

/** meta.order of an event: its object, its created second, its lifecycle rank (0 when unknown). */
function orderOf(event, envelope, objectId, created) {
  let rank = 0;
  if (RANKED_OBJECTS.has(envelope.objectType)) {
    const object = event && event.data && event.data.object;
    rank = lifecycleRank(envelope.objectType, object && object.status);
  }
  return { objectId, created, rank };
}

/**
 * Claims with meta.order, waiting up to SLOT_WAIT_MS while another event holds
 * the object's slot. Resolves the store's last answer: `blocked` only when the
 * slot was still held when the wait ran out.
 */
async function claimInOrder(store, eventId, meta, waitMs = SLOT_WAIT_MS) {
  const deadline = Date.now() + waitMs;
  for (let i = 0; ; i++) {
    const claim = await store.claim(eventId, meta);
    if (claim.status !== 'blocked') return claim;
    const left = deadline - Date.now();
    if (left <= 0) return claim;
    await sleep(Math.min(left, SLOT_POLL_MS[Math.min(i, SLOT_POLL_MS.length - 1)]));
  }
}

module.exports = { hasAtomicOrdering, orderOf, claimInOrder, SLOT_WAIT_MS };
