// hookwise/convex: the Store (API.md §5) as Convex tables and functions.
//
//   // convex/schema.ts
//   import { defineSchema } from 'convex/server';
//   import { hookwiseTables } from 'hookwise/convex';
//   export default defineSchema({ ...hookwiseTables, /* your tables */ });
//
//   // convex/hookwise.ts — the store's internal functions, deployed with your app
//   export { claim, complete, fail, lastApplied, markApplied, get, list, requeue, purge,
//            billingGet, billingFind, billingPut, billingState } from 'hookwise/convex';
//   // and, for delivery: 'ack-first' (pending payloads):
//   export { savePayload, loadPayload, deletePayload, due } from 'hookwise/convex';
//
//   // in a "use node" action
//   import { ConvexStore } from 'hookwise/convex';
//   import { internal } from './_generated/api';
//   const store = new ConvexStore({ ctx, functions: internal.hookwise });
//
// Convex runs each mutation as one serializable transaction, so a claim is
// exactly-once: of concurrent claims of one event, one acquires. Time is the
// mutation's Date.now() (the deployment's clock), so every caller agrees on leases.
//
// This module runs inside Convex's own runtime (queries and mutations) as well as
// in Node actions: it imports nothing but `convex/server`, `convex/values` and
// hookwise's store argument rules (plain JavaScript with no Node built-ins, so
// that ConvexStore rejects exactly what every other store rejects).
// test/js/convex-bundle.test.js bundles it as Convex does and loads it without Node.
//
// Retention runs on its own: a claim deletes up to SWEEP_BATCH finished records
// and ordering markers older than retentionMs, at most once a minute per
// ConvexStore definition in one runtime (see ConvexStore below).

import { defineTable, getFunctionName, internalMutationGeneric, internalQueryGeneric } from 'convex/server';
import { v } from 'convex/values';
import storeArgs from '../stores/store-args.js';
import orderingRules from '../stores/ordering-rules.js';
import errors from '../errors.js';
import billingArgs from '../stores/billing-args.js';
import billingRecords from '../billing/customer-state.js';
import billingProjection from '../billing/projection.js';
import { webhookMutations } from './webhook-mutation.mjs';

const { STATUSES, DEFAULT_LIST_LIMIT, truncateLastError } = storeArgs;
const { StoreError } = errors;
const { markerIsNewer } = orderingRules;
const PURGE_BATCH = 500;
// The most records (and, separately, markers) the sweep in one claim deletes:
// small, so that a claim stays a small transaction.
const SWEEP_BATCH = 64;
const FINISHED = STATUSES.filter((s) => s !== 'processing');

const status = v.union(...STATUSES.map((s) => v.literal(s)));
const nullable = (validator) => v.union(validator, v.null());

// `listOrder` is -receivedAt: an ascending index on (listOrder, eventId) is
// list()'s order exactly — newest receivedAt first, ties by id ascending.
//
// Indexes added after the first release (hookwise 0.1): `by_status_updatedAt`
// on hookwise_events and `by_updatedAt` on hookwise_applied, for purge and the
// retention sweep. They index fields every document already has, so an
// existing deployment needs no data migration: the next `npx convex deploy`
// with the new hookwise backfills them before the new functions go live (the
// functions and the schema come from this one module). `by_updatedAt` on
// hookwise_events is kept so queries an app wrote against it keep working.
export const hookwiseTables = {
  hookwise_events: defineTable({
    eventId: v.string(),
    type: v.string(),
    created: v.number(),
    objectId: nullable(v.string()),
    status,
    attempts: v.number(),
    lastError: nullable(v.string()),
    receivedAt: v.number(),
    updatedAt: v.number(),
    listOrder: v.number(),
    token: nullable(v.string()),
    leaseUntil: nullable(v.number()),
    // The raw body of an event not yet run (ack-first delivery); removed once it completes.
    // Optional: documents of earlier releases have none, and need no migration.
    payload: v.optional(v.bytes()),
    // Atomic ordering: the claim's meta.order, which its completion marks (optional: added after 0.1).
    order: v.optional(v.object({ objectId: v.string(), created: v.number(), rank: v.number() })),
  })
    .index('by_eventId', ['eventId'])
    .index('by_listOrder', ['listOrder', 'eventId'])
    .index('by_status', ['status', 'listOrder', 'eventId'])
    .index('by_type', ['type', 'listOrder', 'eventId'])
    .index('by_updatedAt', ['updatedAt'])
    .index('by_status_updatedAt', ['status', 'updatedAt']),
  hookwise_applied: defineTable({
    objectId: v.string(),
    created: v.number(),
    eventId: v.string(),
    updatedAt: v.number(),
    rank: v.optional(v.number()), // the marker's lifecycle rank (absent: 0, as before ranks existed)
  })
    .index('by_objectId', ['objectId'])
    .index('by_updatedAt', ['updatedAt']),
  // Billing state (the billing-state capability, docs/stores.md): one document
  // per Stripe customer, `record` the projection's record as JSON text; never purged.
  hookwise_billing: defineTable({
    customerId: v.string(),
    userId: nullable(v.string()),
    record: v.string(),
    version: v.number(),
    updatedAt: v.number(),
  })
    .index('by_customerId', ['customerId'])
    .index('by_userId', ['userId', 'updatedAt', 'customerId']),
  // Atomic ordering: an object's ordering slot, held by one event's lease (a table added after 0.1).
  hookwise_ordering_slots: defineTable({
    objectId: v.string(),
    eventId: v.string(),
    until: v.number(),
  })
    .index('by_objectId', ['objectId'])
    .index('by_until', ['until']),
};

// --- Billing state ---------------------------------------------------------

const findBilling = (db, customerId) =>
  db
    .query('hookwise_billing')
    .withIndex('by_customerId', (q) => q.eq('customerId', customerId))
    .unique();

// The user's newest document; among equal updatedAt the smallest customerId
// (the order of every other store): the newest time, then that time ascending.
async function findBillingByUser(db, userId) {
  const newest = await db
    .query('hookwise_billing')
    .withIndex('by_userId', (q) => q.eq('userId', userId))
    .order('desc')
    .first();
  if (newest === null) return null;
  return db
    .query('hookwise_billing')
    .withIndex('by_userId', (q) => q.eq('userId', userId).eq('updatedAt', newest.updatedAt))
    .first();
}

const toBillingDocument = (doc) =>
  doc === null
    ? null
    : { customerId: doc.customerId, userId: doc.userId, record: doc.record, version: doc.version, updatedAt: doc.updatedAt };

export const billingGet = internalQueryGeneric({
  args: { customerId: v.string() },
  handler: async (ctx, { customerId }) => toBillingDocument(await findBilling(ctx.db, customerId)),
});

export const billingFind = internalQueryGeneric({
  args: { userId: v.string() },
  handler: async (ctx, { userId }) => toBillingDocument(await findBillingByUser(ctx.db, userId)),
});

// Compare-and-set on version (0: no document yet); the mutation is serializable,
// so of concurrent puts at one version exactly one wins. The user index is the
// document's own userId field, so it moves with it.
export const billingPut = internalMutationGeneric({
  args: { customerId: v.string(), userId: nullable(v.string()), record: v.string(), updatedAt: v.number(), expectedVersion: v.number() },
  handler: (ctx, put) => putBilling(ctx.db, put),
});

async function putBilling(db, { customerId, userId, record, updatedAt, expectedVersion }) {
  const doc = await findBilling(db, customerId);
  if ((doc === null ? 0 : doc.version) !== expectedVersion) return null;
  const version = expectedVersion + 1;
  if (doc === null) await db.insert('hookwise_billing', { customerId, userId, record, version, updatedAt });
  else await db.patch(doc._id, { userId, record, version, updatedAt });
  return version;
}

// The billing-state capability over a mutation's own ctx.db, for
// defineWebhookMutation's `billing`: the documents billingGet/billingPut
// above read and write, inside the caller's transaction.
const billingOnDb = (db) => ({
  billingGet: async (customerId) => toBillingDocument(await findBilling(db, customerId)),
  billingPut: (customerId, { userId, record, updatedAt }, expectedVersion) => putBilling(db, { customerId, userId, record, updatedAt, expectedVersion }),
});

/**
 * A customer's CustomerState (API.md section 8) from inside the app's own
 * queries and mutations: `await getCustomerState(ctx, { userId })` or
 * `{ customerId }`, with the QueryCtx (ctx.db) of the calling function; null
 * when hookwise holds no state for them. `graceDays` must be the handler's
 * (hasAccess is computed for now). Reactive: a query using it reruns when the
 * webhook handler writes the customer's state.
 */
export async function getCustomerState(ctx, query, { graceDays = 0 } = {}) {
  const keys = query !== null && typeof query === 'object' ? Object.keys(query) : [];
  if (keys.length !== 1 || !['customerId', 'userId'].includes(keys[0]) || typeof query[keys[0]] !== 'string') {
    throw new TypeError('hookwise: getCustomerState(ctx, query) needs query { customerId } or { userId } (a string)');
  }
  const doc = keys[0] === 'customerId' ? await findBilling(ctx.db, query.customerId) : await findBillingByUser(ctx.db, query.userId);
  if (doc === null) return null;
  let record;
  try {
    record = JSON.parse(doc.record);
  } catch {
    return null;
  }
  if (record === null || record.v !== billingProjection.RECORD_VERSION) return null;
  return billingRecords.customerState(record, { now: Date.now(), graceDays });
}

// For ctx.runQuery(internal.hookwise.billingState, { userId }) from actions
// (and as an example of a query of the app's own: `query({ handler: (ctx) =>
// getCustomerState(ctx, { userId: ... }) })`).
export const billingState = internalQueryGeneric({
  args: { customerId: v.optional(v.string()), userId: v.optional(v.string()), graceDays: v.optional(v.number()) },
  handler: async (ctx, { customerId, userId, graceDays }) =>
    getCustomerState(ctx, customerId !== undefined ? { customerId } : { userId }, { graceDays }),
});

// Deletes up to `limit` finished records (never 'processing') and up to
// `limit` ordering markers last updated before `cutoff`, through the indexes
// on updatedAt (no scan). Returns { deleted, markers } counts.
async function deleteOlderThan(db, cutoff, limit) {
  let deleted = 0;
  for (const status of FINISHED) {
    if (deleted >= limit) break;
    const old = await db
      .query('hookwise_events')
      .withIndex('by_status_updatedAt', (q) => q.eq('status', status).lt('updatedAt', cutoff))
      .take(limit - deleted);
    for (const doc of old) await db.delete(doc._id);
    deleted += old.length;
  }
  const markers = await db
    .query('hookwise_applied')
    .withIndex('by_updatedAt', (q) => q.lt('updatedAt', cutoff))
    .take(limit);
  for (const doc of markers) await db.delete(doc._id);
  // Slots whose lease ended hold nothing (a completion or failure deletes its own).
  const slots = await db
    .query('hookwise_ordering_slots')
    .withIndex('by_until', (q) => q.lt('until', Date.now()))
    .take(limit);
  for (const doc of slots) await db.delete(doc._id);
  return { deleted, markers: markers.length };
}

const findMarker = (db, objectId) =>
  db
    .query('hookwise_applied')
    .withIndex('by_objectId', (q) => q.eq('objectId', objectId))
    .unique();

const findSlot = (db, objectId) =>
  db
    .query('hookwise_ordering_slots')
    .withIndex('by_objectId', (q) => q.eq('objectId', objectId))
    .unique();

// The marker of `objectId` moves to (created, rank) unless it is newer; every mark renews its age.
async function raiseMarker(db, objectId, created, rank, eventId, now) {
  const doc = await findMarker(db, objectId);
  if (doc === null) await db.insert('hookwise_applied', { objectId, created, rank, eventId, updatedAt: now });
  else if (!markerIsNewer({ created: doc.created, rank: doc.rank ?? 0 }, { created, rank })) {
    await db.patch(doc._id, { created, rank, eventId, updatedAt: now });
  } else await db.patch(doc._id, { updatedAt: now });
}

// Frees the ordering slot of `order` if event `eventId` holds it.
async function releaseSlot(db, order, eventId) {
  if (order === undefined || order === null) return;
  const slot = await findSlot(db, order.objectId);
  if (slot !== null && slot.eventId === eventId) await db.delete(slot._id);
}

const findEvent = (db, eventId) =>
  db
    .query('hookwise_events')
    .withIndex('by_eventId', (q) => q.eq('eventId', eventId))
    .unique();

const toRecord = (doc) => ({
  id: doc.eventId,
  type: doc.type,
  created: doc.created,
  objectId: doc.objectId,
  status: doc.status,
  attempts: doc.attempts,
  lastError: doc.lastError,
  receivedAt: doc.receivedAt,
  updatedAt: doc.updatedAt,
});

export const claim = internalMutationGeneric({
  args: {
    eventId: v.string(),
    type: v.string(),
    created: v.number(),
    objectId: nullable(v.string()),
    leaseMs: v.number(),
    token: v.string(),
    // Given when ConvexStore's retention sweep is due (older callers never send it).
    retentionMs: v.optional(v.number()),
    // Atomic ordering (docs/stores.md): given for skip-stale deliveries.
    order: v.optional(v.object({ objectId: v.string(), created: v.number(), rank: v.number() })),
  },
  handler: async (ctx, args) => {
    const now = Date.now();
    if (args.retentionMs !== undefined) await deleteOlderThan(ctx.db, now - args.retentionMs, SWEEP_BATCH);
    const doc = await findEvent(ctx.db, args.eventId);
    if (doc !== null) {
      if (doc.status === 'completed') return { status: 'duplicate', attempt: doc.attempts };
      if (doc.status === 'dead_lettered') return { status: 'dead_lettered', attempt: doc.attempts };
      if (doc.status === 'processing' && doc.leaseUntil > now) return { status: 'in_progress', attempt: doc.attempts };
    }
    // Atomic ordering, in this same (serializable) mutation: stale, blocked, or take the slot.
    const { order } = args;
    if (order !== undefined) {
      const marker = await findMarker(ctx.db, order.objectId);
      if (marker !== null && markerIsNewer({ created: marker.created, rank: marker.rank ?? 0 }, order)) {
        await ctx.db.patch(marker._id, { updatedAt: now });
        const done = { status: 'completed', token: null, leaseUntil: null, updatedAt: now };
        if (doc === null) {
          await ctx.db.insert('hookwise_events', {
            eventId: args.eventId, type: args.type, created: args.created, objectId: args.objectId,
            attempts: 1, lastError: null, receivedAt: now, listOrder: -now, ...done,
          });
          return { status: 'stale', attempt: 1 };
        }
        await ctx.db.patch(doc._id, { ...done, attempts: doc.attempts + 1, order: undefined });
        return { status: 'stale', attempt: doc.attempts + 1 };
      }
      const slot = await findSlot(ctx.db, order.objectId);
      if (slot !== null && slot.eventId !== args.eventId && slot.until > now) {
        return { status: 'blocked', attempt: doc === null ? 0 : doc.attempts };
      }
      const held = { objectId: order.objectId, eventId: args.eventId, until: now + args.leaseMs };
      if (slot === null) await ctx.db.insert('hookwise_ordering_slots', held);
      else await ctx.db.patch(slot._id, held);
    }
    if (doc === null) {
      await ctx.db.insert('hookwise_events', {
        eventId: args.eventId,
        type: args.type,
        created: args.created,
        objectId: args.objectId,
        status: 'processing',
        attempts: 1,
        lastError: null,
        receivedAt: now,
        updatedAt: now,
        listOrder: -now,
        token: args.token,
        leaseUntil: now + args.leaseMs,
        ...(order === undefined ? {} : { order }),
      });
      return { status: 'acquired', attempt: 1 };
    }
    // failed (or requeued), or processing with an expired lease: take it over.
    const attempt = doc.attempts + 1;
    await ctx.db.patch(doc._id, {
      status: 'processing',
      attempts: attempt,
      token: args.token,
      leaseUntil: now + args.leaseMs,
      updatedAt: now,
      order,
    });
    return { status: 'acquired', attempt };
  },
});

// The token must be the record's current one: a token whose lease another claim
// took over no longer matches. A holder whose lease ran out but that nobody
// replaced may still complete: its work is done and no one else ran it.
export const complete = internalMutationGeneric({
  args: { eventId: v.string(), token: v.string() },
  handler: async (ctx, { eventId, token }) => {
    const doc = await findEvent(ctx.db, eventId);
    if (doc === null || doc.status !== 'processing' || doc.token !== token) return false;
    const now = Date.now();
    await ctx.db.patch(doc._id, { status: 'completed', token: null, leaseUntil: null, updatedAt: now });
    if (doc.order !== undefined) {
      // Atomic ordering: the completion marks the object and frees its slot, in this mutation.
      await raiseMarker(ctx.db, doc.order.objectId, doc.order.created, doc.order.rank, eventId, now);
      await releaseSlot(ctx.db, doc.order, eventId);
    }
    return true;
  },
});

export const fail = internalMutationGeneric({
  args: { eventId: v.string(), token: v.string(), error: v.string(), maxAttempts: v.number() },
  handler: async (ctx, { eventId, token, error, maxAttempts }) => {
    const doc = await findEvent(ctx.db, eventId);
    if (doc === null || doc.status !== 'processing' || doc.token !== token) {
      return { deadLettered: false, attempt: doc === null ? 0 : doc.attempts, stale: true };
    }
    const deadLettered = doc.attempts >= maxAttempts;
    await ctx.db.patch(doc._id, {
      status: deadLettered ? 'dead_lettered' : 'failed',
      lastError: truncateLastError(error),
      token: null,
      leaseUntil: null,
      updatedAt: Date.now(),
    });
    await releaseSlot(ctx.db, doc.order, eventId);
    return { deadLettered, attempt: doc.attempts };
  },
});

export const lastApplied = internalQueryGeneric({
  args: { objectId: v.string() },
  handler: async (ctx, { objectId }) => {
    const doc = await ctx.db
      .query('hookwise_applied')
      .withIndex('by_objectId', (q) => q.eq('objectId', objectId))
      .unique();
    return doc === null ? null : doc.created;
  },
});

// Keeps the newest created; an older event never moves the marker back, but
// every mark renews the marker's age (the object is still receiving events).
export const markApplied = internalMutationGeneric({
  args: { objectId: v.string(), created: v.number(), eventId: v.string() },
  handler: async (ctx, { objectId, created, eventId }) => {
    await raiseMarker(ctx.db, objectId, created, 0, eventId, Date.now());
    return null;
  },
});

export const get = internalQueryGeneric({
  args: { eventId: v.string() },
  handler: async (ctx, { eventId }) => {
    const doc = await findEvent(ctx.db, eventId);
    return doc === null ? null : toRecord(doc);
  },
});

export const list = internalQueryGeneric({
  args: {
    status: v.optional(status),
    type: v.optional(v.string()),
    before: v.optional(v.number()),
    limit: v.optional(v.number()),
  },
  handler: async (ctx, args) => {
    const limit = args.limit ?? DEFAULT_LIST_LIMIT;
    // receivedAt < before  <=>  listOrder > -before
    const after = (q) => (args.before === undefined ? q : q.gt('listOrder', -args.before));
    let query;
    if (args.status !== undefined) {
      query = ctx.db.query('hookwise_events').withIndex('by_status', (q) => after(q.eq('status', args.status)));
      if (args.type !== undefined) query = query.filter((q) => q.eq(q.field('type'), args.type));
    } else if (args.type !== undefined) {
      query = ctx.db.query('hookwise_events').withIndex('by_type', (q) => after(q.eq('type', args.type)));
    } else {
      query = ctx.db.query('hookwise_events').withIndex('by_listOrder', (q) => after(q));
    }
    return (await query.take(limit)).map(toRecord);
  },
});

// A requeued event is 'failed' with no attempts: claimable, next claim attempt 1.
export const requeue = internalMutationGeneric({
  args: { eventId: v.string() },
  handler: async (ctx, { eventId }) => {
    const doc = await findEvent(ctx.db, eventId);
    if (doc === null || (doc.status !== 'failed' && doc.status !== 'dead_lettered')) return false;
    await ctx.db.patch(doc._id, { status: 'failed', attempts: 0, updatedAt: Date.now() });
    return true;
  },
});

// One batch: deletes up to PURGE_BATCH records (never 'processing') and the
// ordering markers last updated before the cutoff, which the first batch takes
// from the deployment's clock (now - olderThanMs) and hands back for the next
// ones. ConvexStore.purge calls it until nothing more is left.
export const purge = internalMutationGeneric({
  args: { olderThanMs: v.number(), cutoff: v.optional(v.number()) },
  handler: async (ctx, args) => {
    const cutoff = args.cutoff ?? Date.now() - args.olderThanMs;
    const { deleted, markers } = await deleteOlderThan(ctx.db, cutoff, PURGE_BATCH);
    return { deleted, cutoff, more: deleted === PURGE_BATCH || markers === PURGE_BATCH };
  },
});

// ---- Pending payloads (ack-first delivery; docs/stores.md, "Optional store capabilities") ----

// Keeps the first body given for an event that is not finished.
export const savePayload = internalMutationGeneric({
  args: { eventId: v.string(), payload: v.bytes() },
  handler: async (ctx, { eventId, payload }) => {
    const doc = await findEvent(ctx.db, eventId);
    if (doc === null || doc.payload !== undefined || (doc.status !== 'processing' && doc.status !== 'failed')) return false;
    await ctx.db.patch(doc._id, { payload });
    return true;
  },
});

export const loadPayload = internalQueryGeneric({
  args: { eventId: v.string() },
  handler: async (ctx, { eventId }) => {
    const doc = await findEvent(ctx.db, eventId);
    return doc === null || doc.payload === undefined ? null : doc.payload;
  },
});

export const deletePayload = internalMutationGeneric({
  args: { eventId: v.string() },
  handler: async (ctx, { eventId }) => {
    const doc = await findEvent(ctx.db, eventId);
    if (doc === null || doc.status !== 'completed' || doc.payload === undefined) return false;
    await ctx.db.patch(doc._id, { payload: undefined });
    return true;
  },
});

// What a worker should run now, oldest received first, with payloads: failed events, and
// processing ones whose lease ran out. Each status is read through by_status, oldest first.
export const due = internalQueryGeneric({
  args: { limit: v.optional(v.number()) },
  handler: async (ctx, args) => {
    const limit = args.limit ?? DEFAULT_LIST_LIMIT;
    const now = Date.now();
    const oldest = (s) => ctx.db.query('hookwise_events').withIndex('by_status', (q) => q.eq('status', s)).order('desc');
    const failed = await oldest('failed').filter((q) => q.neq(q.field('payload'), undefined)).take(limit);
    const expired = await oldest('processing')
      .filter((q) => q.and(q.neq(q.field('payload'), undefined), q.lte(q.field('leaseUntil'), now)))
      .take(limit);
    return [...failed, ...expired]
      .sort((a, b) => a.receivedAt - b.receivedAt || (a.eventId < b.eventId ? -1 : 1))
      .slice(0, limit)
      .map((doc) => ({ ...toRecord(doc), payload: doc.payload }));
  },
});

// When each store definition (its deployed claim function and retentionMs)
// next sweeps, in this runtime. A ConvexStore usually lives for one action, so
// the clock is kept here, not in the instance: a warm runtime sweeps at most
// once a minute however many actions it runs.
const nextSweepByStore = new Map();

function sweepKey(functions, retentionMs) {
  try {
    return `${getFunctionName(functions.claim)}|${retentionMs}`;
  } catch {
    return null; // not a function reference: this instance keeps its own clock
  }
}

// The backend's failure, as every store reports it.
function unavailable(operation, cause) {
  const detail = cause && cause.message ? cause.message : String(cause);
  return new StoreError('HOOKWISE_STORE_UNAVAILABLE', `hookwise ConvexStore: ${operation} failed: ${detail}`, { cause });
}

/**
 * The Store for Convex actions: each operation is one ctx.runMutation or
 * ctx.runQuery of the functions above (deployed from your convex/hookwise.ts).
 */
// An ArrayBuffer from Convex as the bytes the handler reads (null stays null).
function bytesOf(buffer) {
  if (buffer === null || buffer === undefined) return null;
  const B = globalThis.Buffer;
  return B ? B.from(buffer) : new Uint8Array(buffer);
}

export class ConvexStore {
  /**
   * @param {object} options
   * @param {object} options.ctx  the action's ctx (runMutation, runQuery)
   * @param {object} options.functions  references to the deployed functions, e.g. internal.hookwise
   * @param {number} [options.retentionMs=30 days]  finished records and ordering markers older than this are deleted by claims
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') throw new TypeError('hookwise: ConvexStore options must be an object { ctx, functions }');
    // A copy: the options may come from another realm (a bundle evaluated in its own context).
    storeArgs.checkOptions('ConvexStore', { ...options }, ['ctx', 'functions', 'retentionMs']);
    const { ctx, functions, retentionMs } = options;
    if (!ctx || typeof ctx.runMutation !== 'function' || typeof ctx.runQuery !== 'function') {
      throw new TypeError('hookwise: ConvexStore needs { ctx }: the ctx of a Convex action (with runMutation and runQuery)');
    }
    if (!functions || (typeof functions !== 'object' && typeof functions !== 'function')) {
      throw new TypeError('hookwise: ConvexStore needs { functions }: the references of the deployed functions, e.g. internal.hookwise');
    }
    this._ctx = ctx;
    this._fn = functions;
    this._retentionMs = storeArgs.checkRetention(retentionMs);
    this._sweepKey = sweepKey(functions, this._retentionMs);
    this._nextSweep = 0; // used when there is no sweepKey
    this._closed = false;
  }

  // One call of a deployed function; a closed store or a failed call rejects with a StoreError.
  async _run(operation, kind, fn, args) {
    if (this._closed) throw new StoreError('HOOKWISE_STORE_CLOSED', `hookwise ConvexStore: ${operation} called after close()`);
    try {
      return await (kind === 'query' ? this._ctx.runQuery(fn, args) : this._ctx.runMutation(fn, args));
    } catch (err) {
      throw unavailable(operation, err);
    }
  }

  // Whether this claim also sweeps (and, if so, the next one in this runtime does not for a while).
  _sweepDue() {
    const now = Date.now();
    const next = this._sweepKey === null ? this._nextSweep : nextSweepByStore.get(this._sweepKey) ?? 0;
    if (now < next) return false;
    const after = storeArgs.nextSweepAfter(now, this._retentionMs);
    if (this._sweepKey === null) this._nextSweep = after;
    else nextSweepByStore.set(this._sweepKey, after);
    return true;
  }

  async claim(eventId, meta) {
    storeArgs.checkEventId(eventId);
    const { type, created, objectId, leaseMs, order } = storeArgs.checkClaimMeta(meta);
    const token = globalThis.crypto.randomUUID();
    const args = { eventId, type, created, objectId, leaseMs, token };
    if (order !== null) args.order = order;
    if (!this._closed && this._sweepDue()) args.retentionMs = this._retentionMs;
    const result = await this._run('claim', 'mutation', this._fn.claim, args);
    return result.status === 'acquired' ? { status: 'acquired', token, attempt: result.attempt } : result;
  }

  /**
   * Atomic ordering (docs/stores.md): claim takes meta.order's slot, complete sets the marker.
   * Needs the functions of this hookwise version deployed (their claim takes `order`).
   */
  get atomicOrdering() {
    return true;
  }

  async complete(eventId, token) {
    storeArgs.checkEventId(eventId);
    storeArgs.checkToken(token);
    return this._run('complete', 'mutation', this._fn.complete, { eventId, token });
  }

  async fail(eventId, token, error, maxAttempts) {
    storeArgs.checkEventId(eventId);
    storeArgs.checkToken(token);
    storeArgs.checkFailArgs(error, maxAttempts);
    // Cut here too: a multi-MiB argument would exceed Convex's limits before the mutation cuts it.
    const args = { eventId, token, error: truncateLastError(error), maxAttempts };
    const result = await this._run('fail', 'mutation', this._fn.fail, args);
    return result.stale ? result : { deadLettered: result.deadLettered, attempt: result.attempt };
  }

  async lastApplied(objectId) {
    storeArgs.checkObjectId(objectId);
    return this._run('lastApplied', 'query', this._fn.lastApplied, { objectId });
  }

  async markApplied(objectId, created, eventId) {
    storeArgs.checkObjectId(objectId);
    storeArgs.checkCreated(created);
    storeArgs.checkEventId(eventId);
    await this._run('markApplied', 'mutation', this._fn.markApplied, { objectId, created, eventId });
  }

  async get(eventId) {
    storeArgs.checkEventId(eventId);
    return this._run('get', 'query', this._fn.get, { eventId });
  }

  async list(query) {
    const { status, type, before, limit } = storeArgs.normalizeListQuery(query);
    const args = { limit };
    if (status !== null) args.status = status;
    if (type !== null) args.type = type;
    if (before !== null) args.before = before;
    return this._run('list', 'query', this._fn.list, args);
  }

  async requeue(eventId) {
    storeArgs.checkEventId(eventId);
    return this._run('requeue', 'mutation', this._fn.requeue, { eventId });
  }

  async purge(olderThanMs) {
    storeArgs.checkOlderThan(olderThanMs);
    let deleted = 0;
    let cutoff;
    for (;;) {
      const batch = await this._run('purge', 'mutation', this._fn.purge, cutoff === undefined ? { olderThanMs } : { olderThanMs, cutoff });
      deleted += batch.deleted;
      cutoff = batch.cutoff;
      if (!batch.more) return deleted;
    }
  }

  // ---- Pending payloads (ack-first delivery) ----

  /** Keeps the raw body of an event until it completes (the first one given stays). */
  async savePayload(eventId, payload) {
    storeArgs.checkEventId(eventId);
    const bytes = storeArgs.payloadBytes(payload);
    // A copy of exactly these bytes: Convex's v.bytes() takes an ArrayBuffer.
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    await this._run('savePayload', 'mutation', this._fn.savePayload, { eventId, payload: buffer });
  }

  /** The kept raw body (a Uint8Array; a Buffer where the runtime has one), or null. */
  async loadPayload(eventId) {
    storeArgs.checkEventId(eventId);
    return bytesOf(await this._run('loadPayload', 'query', this._fn.loadPayload, { eventId }));
  }

  async deletePayload(eventId) {
    storeArgs.checkEventId(eventId);
    await this._run('deletePayload', 'mutation', this._fn.deletePayload, { eventId });
  }

  /** Records with a kept payload that a worker should run now, oldest first, payload included. */
  async due(query) {
    const limit = query && query.limit !== undefined ? query.limit : DEFAULT_LIST_LIMIT;
    storeArgs.checkInteger('limit', limit, 1);
    const records = await this._run('due', 'query', this._fn.due, { limit: Math.min(limit, storeArgs.MAX_LIST_LIMIT) });
    return records.map((r) => ({ ...r, payload: bytesOf(r.payload) }));
  }

  // The billing-state capability (lib/stores/billing-args.js), table hookwise_billing.
  async billingGet(customerId) {
    billingArgs.checkCustomerId(customerId);
    return this._run('billingGet', 'query', this._fn.billingGet, { customerId });
  }

  async billingFind(query) {
    const userId = billingArgs.checkBillingFind(query);
    return this._run('billingFind', 'query', this._fn.billingFind, { userId });
  }

  async billingPut(customerId, doc, expectedVersion) {
    const { userId, record, updatedAt } = billingArgs.checkBillingPut(customerId, doc, expectedVersion);
    return this._run('billingPut', 'mutation', this._fn.billingPut, { customerId, userId, record, updatedAt, expectedVersion });
  }

  // The store holds nothing of its own: close() only stops this instance.
  async close() {
    this._closed = true;
  }
}

// Exactly-once effects: handlers inside one mutation with the claim and the
// completion (lib/convex/webhook-mutation.mjs), over this module's records.
export const { defineWebhookMutation, recordFailure, webhookHttpAction } = webhookMutations({
  findEvent,
  deleteOlderThan,
  sweepBatch: SWEEP_BATCH,
  ConvexStore,
  billingOnDb,
});
