// Types for hookwise/convex (lib/convex/index.mjs).
import type { TableDefinition, RegisteredMutation, RegisteredQuery, FunctionReference, GenericActionCtx, GenericDataModel } from 'convex/server';
import type { Store, Claim, EventRecord, ListQuery, FailResult, ClaimMeta } from '../../index.js';

/** Spread into defineSchema({ ...hookwiseTables, ... }) in convex/schema.ts. */
export declare const hookwiseTables: {
  hookwise_events: TableDefinition<any, any, any, any>;
  hookwise_applied: TableDefinition<any, any, any, any>;
};

// The internal functions; re-export them from convex/hookwise.ts.
export declare const claim: RegisteredMutation<'internal', { eventId: string; type: string; created: number; objectId: string | null; leaseMs: number; token: string; retentionMs?: number }, Promise<{ status: Claim['status']; attempt: number }>>;
export declare const complete: RegisteredMutation<'internal', { eventId: string; token: string }, Promise<boolean>>;
export declare const fail: RegisteredMutation<'internal', { eventId: string; token: string; error: string; maxAttempts: number }, Promise<FailResult>>;
export declare const lastApplied: RegisteredQuery<'internal', { objectId: string }, Promise<number | null>>;
export declare const markApplied: RegisteredMutation<'internal', { objectId: string; created: number; eventId: string }, Promise<null>>;
export declare const get: RegisteredQuery<'internal', { eventId: string }, Promise<EventRecord | null>>;
export declare const list: RegisteredQuery<'internal', { status?: EventRecord['status']; type?: string; before?: number; limit?: number }, Promise<EventRecord[]>>;
export declare const requeue: RegisteredMutation<'internal', { eventId: string }, Promise<boolean>>;
export declare const purge: RegisteredMutation<'internal', { olderThanMs: number; cutoff?: number }, Promise<{ deleted: number; cutoff: number; more: boolean }>>;

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
export interface ConvexStore extends Store {}
export declare class ConvexStore {
  constructor(options: ConvexStoreOptions);
}
