// Types for hookwise/convex (lib/convex/index.mjs).
import type { TableDefinition, RegisteredMutation, RegisteredQuery, FunctionReference, GenericActionCtx, GenericDataModel, GenericMutationCtx, GenericQueryCtx, PublicHttpAction } from 'convex/server';
import type { Store, BillingStore, BillingDocument, BillingQuery, CustomerState, Claim, EventRecord, ListQuery, FailResult, ClaimMeta, WebhookEvent, WebhookEventType, StripeEvent, WebhookLogger, WebhookSecret, PendingPayloadStore } from '../../index.js';

/** Spread into defineSchema({ ...hookwiseTables, ... }) in convex/schema.ts. */
export declare const hookwiseTables: {
  hookwise_events: TableDefinition<any, any, any, any>;
  hookwise_applied: TableDefinition<any, any, any, any>;
  hookwise_billing: TableDefinition<any, any, any, any>;
  /** Atomic ordering: each object's ordering slot (docs/stores.md). */
  hookwise_ordering_slots: TableDefinition<any, any, any, any>;
};

// The internal functions; re-export them from convex/hookwise.ts.
export declare const claim: RegisteredMutation<'internal', { eventId: string; type: string; created: number; objectId: string | null; leaseMs: number; token: string; retentionMs?: number; order?: { objectId: string; created: number; rank: number } }, Promise<{ status: Claim['status']; attempt: number }>>;
export declare const complete: RegisteredMutation<'internal', { eventId: string; token: string }, Promise<boolean>>;
export declare const fail: RegisteredMutation<'internal', { eventId: string; token: string; error: string; maxAttempts: number }, Promise<FailResult>>;
export declare const lastApplied: RegisteredQuery<'internal', { objectId: string }, Promise<number | null>>;
export declare const markApplied: RegisteredMutation<'internal', { objectId: string; created: number; eventId: string }, Promise<null>>;
export declare const get: RegisteredQuery<'internal', { eventId: string }, Promise<EventRecord | null>>;
export declare const list: RegisteredQuery<'internal', { status?: EventRecord['status']; type?: string; before?: number; limit?: number }, Promise<EventRecord[]>>;
export declare const requeue: RegisteredMutation<'internal', { eventId: string }, Promise<boolean>>;
export declare const billingGet: RegisteredQuery<'internal', { customerId: string }, Promise<BillingDocument | null>>;
export declare const billingFind: RegisteredQuery<'internal', { userId: string }, Promise<BillingDocument | null>>;
export declare const billingPut: RegisteredMutation<'internal', { customerId: string; userId: string | null; record: string; updatedAt: number; expectedVersion: number }, Promise<number | null>>;
/** The CustomerState for ctx.runQuery(internal.hookwise.billingState, { userId }) (or { customerId }). */
export declare const billingState: RegisteredQuery<'internal', { customerId?: string; userId?: string; graceDays?: number }, Promise<CustomerState | null>>;

/**
 * A customer's CustomerState from the app's own queries and mutations (ctx.db of a QueryCtx): null when
 * hookwise holds none. Pass the handler's graceDays. Reactive, like any ctx.db read.
 */
export declare function getCustomerState(ctx: { db: GenericQueryCtx<any>['db'] }, query: BillingQuery, options?: { graceDays?: number }): Promise<CustomerState | null>;

export declare const purge: RegisteredMutation<'internal', { olderThanMs: number; cutoff?: number }, Promise<{ deleted: number; cutoff: number; more: boolean }>>;
// Pending payloads, for delivery: 'ack-first' (re-export them too).
export declare const savePayload: RegisteredMutation<'internal', { eventId: string; payload: ArrayBuffer }, Promise<boolean>>;
export declare const loadPayload: RegisteredQuery<'internal', { eventId: string }, Promise<ArrayBuffer | null>>;
export declare const deletePayload: RegisteredMutation<'internal', { eventId: string }, Promise<boolean>>;
export declare const due: RegisteredQuery<'internal', { limit?: number }, Promise<Array<EventRecord & { payload: ArrayBuffer }>>>;

/** References to the deployed functions: `internal.hookwise` when convex/hookwise.ts re-exports them. */
export interface HookwiseFunctionReferences {
  claim: FunctionReference<'mutation', 'internal'>;
  complete: FunctionReference<'mutation', 'internal'>;
  fail: FunctionReference<'mutation', 'internal'>;
  lastApplied: FunctionReference<'query', 'internal'>;
  markApplied: FunctionReference<'mutation', 'internal'>;
  get: FunctionReference<'query', 'internal'>;
  list: FunctionReference<'query', 'internal'>;
  requeue: FunctionReference<'mutation', 'internal'>;
  purge: FunctionReference<'mutation', 'internal'>;
  /** For delivery: 'ack-first'. */
  savePayload?: FunctionReference<'mutation', 'internal'>;
  loadPayload?: FunctionReference<'query', 'internal'>;
  deletePayload?: FunctionReference<'mutation', 'internal'>;
  due?: FunctionReference<'query', 'internal'>;
  /** For billing state (`billing: true` in the handler). */
  billingGet?: FunctionReference<'query', 'internal'>;
  billingFind?: FunctionReference<'query', 'internal'>;
  billingPut?: FunctionReference<'mutation', 'internal'>;
}

export interface ConvexStoreOptions {
  /** The ctx of a Convex action. */
  ctx: Pick<GenericActionCtx<GenericDataModel>, 'runMutation' | 'runQuery'>;
  functions: HookwiseFunctionReferences;
  /** Finished records and ordering markers older than this are deleted by claims (at most once a minute). Default 30 days. */
  retentionMs?: number;
}

/** The Store inside Convex actions: each operation one ctx.runMutation / ctx.runQuery. */
/** ConvexStore has every method of the Store interface (declaration merging). */
export interface ConvexStore extends Store, BillingStore, PendingPayloadStore {}
export declare class ConvexStore {
  constructor(options: ConvexStoreOptions);
}

// ---------------------------------------------------------------------------
// Exactly-once effects: the handlers inside one mutation with the claim and the completion
// (docs/api.md, "hookwise/convex: defineWebhookMutation and webhookHttpAction").


/** The third argument of a webhook mutation handler. */
export interface WebhookMutationInfo {
  eventId: string;
  /** Failed attempts recorded for this event so far + 1. */
  attempt: number;
  /**
   * With `billing` on: the customer's state after this event, written in this same mutation
   * (null for an event that names no customer). Absent without `billing`.
   */
  billing?: CustomerState | null;
}

export type WebhookMutationHandler<Ctx, E = StripeEvent> = (ctx: Ctx, event: E, info: WebhookMutationInfo) => unknown;

/** `{ 'invoice.paid': handler, '*': handler, … }`, typed per name as createWebhookHandler's `on` is. */
export type WebhookMutationHandlerMap<Ctx> = {
  [K in WebhookEventType | '*']?: WebhookMutationHandler<Ctx, WebhookEvent<K>> | ReadonlyArray<WebhookMutationHandler<Ctx, WebhookEvent<K>>>;
};

/** defineWebhookMutation's `billing`: BillingOptions without refetch (a mutation cannot call Stripe). */
export interface WebhookMutationBillingOptions {
  /** Default: metadata.userId, then checkout's client_reference_id. */
  userId?: (object: any) => string | null;
  /** past_due keeps access this long after the first failed invoice (default 0); pass the same to getCustomerState. */
  graceDays?: number;
}

export interface WebhookMutationOptions<Ctx> {
  /** Optional with `billing` (billing event types are processed without a handler). */
  on?: WebhookMutationHandlerMap<Ctx>;
  /**
   * Billing state (hookwise_billing, what getCustomerState reads), applied in the same mutation as the
   * claim, before the handlers; committed or rolled back with the app's writes.
   */
  billing?: boolean | WebhookMutationBillingOptions;
  /** 'skip-stale': an event older than the newest applied to its data.object.id is completed without handlers. Default 'off'. */
  ordering?: 'off' | 'skip-stale';
}

export type WebhookMutationOutcome = 'processed' | 'duplicate' | 'ignored' | 'stale' | 'in_progress' | 'dead_lettered';

/**
 * An internal mutation that parses the verified body, claims the event, runs its handlers and records the
 * completion, in one transaction. Export it from a convex/ file; give its reference to webhookHttpAction.
 * Pass your DataModel (from ./_generated/dataModel) for a typed ctx.db.
 */
export declare function defineWebhookMutation<DataModel extends GenericDataModel = GenericDataModel>(
  options: WebhookMutationOptions<GenericMutationCtx<DataModel>>,
): RegisteredMutation<'internal', { payload: string; retentionMs?: number }, Promise<{ outcome: WebhookMutationOutcome; attempt: number }>>;

/** Records a failed (rolled-back) run of a webhook mutation; re-export it from convex/hookwise.ts. */
export declare const recordFailure: RegisteredMutation<
  'internal',
  { eventId: string; type: string; created: number; objectId: string | null; error: string; maxAttempts: number },
  Promise<FailResult>
>;

export interface WebhookHttpActionOptions {
  /** The endpoint's signing secret(s), e.g. process.env.STRIPE_WEBHOOK_SECRET. Required. */
  secret: WebhookSecret | undefined;
  /** The reference of your defineWebhookMutation export, e.g. internal.stripe.apply. */
  mutation: FunctionReference<'mutation', 'internal'>;
  /** The hookwise functions, recordFailure included: internal.hookwise. */
  functions: HookwiseFunctionReferences & { recordFailure: FunctionReference<'mutation', 'internal'> };
  tolerance?: number;
  /** Failed attempts before an event is dead-lettered; default 5. */
  maxAttempts?: number;
  /** In-request reruns of a failed mutation, each its own transaction; default { attempts: 2, backoffMs: 100 }. */
  retry?: { attempts?: number; backoffMs?: number } | false;
  maxBodyBytes?: number;
  logger?: WebhookLogger;
  /** Finished records older than this are deleted by the webhook mutation (at most once a minute). Default 30 days. */
  retentionMs?: number;
}

/** The httpAction: size limit, signature and parse (hookwise/portable), then ctx.runMutation(mutation); API.md section 4's answers. */
export declare function webhookHttpAction(options: WebhookHttpActionOptions): PublicHttpAction;
