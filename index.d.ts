// Types for hookwise. (Branch `dist`: the Store interface of API.md §5 and the
// distributed stores; the lead merges these declarations with the others.)

/// <reference types="node" />

// ---- Stores (API.md §5) -------------------------------------------------------

export type EventStatus = 'processing' | 'completed' | 'failed' | 'dead_lettered';

export interface ClaimMeta {
  type: string;
  /** The event's `created` (Unix seconds). */
  created: number;
  objectId?: string | null;
  /** How long the claim counts as in progress, in ms. */
  leaseMs: number;
  payload?: Buffer | Uint8Array;
}

export interface Claim {
  status: 'acquired' | 'duplicate' | 'in_progress' | 'dead_lettered';
  /** The fencing token; only when acquired. */
  token?: string;
  attempt: number;
}

export interface EventRecord {
  id: string;
  type: string;
  created: number;
  objectId: string | null;
  status: EventStatus;
  /** Claims acquired so far (1 after the first). */
  attempts: number;
  lastError: string | null;
  /** ms since the epoch */
  receivedAt: number;
  /** ms since the epoch */
  updatedAt: number;
  payload?: Buffer;
}

export interface ListQuery {
  status?: EventStatus;
  type?: string;
  /** default 100 */
  limit?: number;
  /** a receivedAt cursor (exclusive) */
  before?: number;
}

export interface FailResult {
  deadLettered: boolean;
  attempt: number;
  stale?: true;
}

export interface Store {
  claim(eventId: string, meta: ClaimMeta): Promise<Claim>;
  complete(eventId: string, token: string): Promise<boolean>;
  fail(eventId: string, token: string, error: string, maxAttempts: number): Promise<FailResult>;
  lastApplied(objectId: string): Promise<number | null>;
  markApplied(objectId: string, created: number, eventId: string): Promise<void>;
  get(eventId: string): Promise<EventRecord | null>;
  list(query?: ListQuery): Promise<EventRecord[]>;
  requeue(eventId: string): Promise<boolean>;
  purge(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The part of an ioredis (`new Redis()`) or node-redis v4+ (`createClient()`)
 * client that RedisStore uses. Pass the client itself.
 */
export type RedisClientLike =
  | { call(command: string, ...args: string[]): Promise<unknown>; evalsha(...args: any[]): Promise<unknown> }
  | { sendCommand(args: string[]): Promise<unknown> };

export interface RedisStoreOptions {
  /** A connected ioredis or node-redis (v4+) client; the store never closes it. */
  client: RedisClientLike;
  /** Every key starts with it. Default 'hookwise:'. Use a hash tag ('{hookwise}:') on Redis Cluster. */
  prefix?: string;
  /** Records and ordering markers expire (TTL) this long after their last change. Default 30 days. */
  retentionMs?: number;
  /** An operation that gets no answer in this many ms rejects. 0 = wait forever. Default 10000. */
  timeoutMs?: number;
}

/** The Store on Redis: each operation one atomic Lua script (one round trip). */
export declare class RedisStore implements Store {
  constructor(options: RedisStoreOptions);
  claim(eventId: string, meta: ClaimMeta): Promise<Claim>;
  complete(eventId: string, token: string): Promise<boolean>;
  fail(eventId: string, token: string, error: string, maxAttempts: number): Promise<FailResult>;
  lastApplied(objectId: string): Promise<number | null>;
  markApplied(objectId: string, created: number, eventId: string): Promise<void>;
  get(eventId: string): Promise<EventRecord | null>;
  list(query?: ListQuery): Promise<EventRecord[]>;
  requeue(eventId: string): Promise<boolean>;
  purge(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

/** The part of a pg `Pool` (or `Client`) that PostgresStore uses. Pass the pool itself. */
export interface PgPoolLike {
  query(config: { text: string; values?: unknown[]; name?: string } | string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
  connect?(): Promise<{ query: PgPoolLike['query']; release(err?: boolean | Error): void }>;
}

export interface PostgresStoreOptions {
  /** A pg Pool; the store never ends it. */
  pool: PgPoolLike;
  /** Table name, optionally 'schema.table'; letters, digits and _. Default 'hookwise_events' (and 'hookwise_events_applied'). */
  table?: string;
  /** Create the tables on first use (default true); false when migrations create them from schemaSql(). */
  createTables?: boolean;
}

/** The Store on PostgreSQL: one statement per operation; claims by INSERT … ON CONFLICT. */
export declare class PostgresStore implements Store {
  constructor(options: PostgresStoreOptions);
  /** The DDL the store runs on first use, for migrations. */
  static schemaSql(table?: string): string;
  claim(eventId: string, meta: ClaimMeta): Promise<Claim>;
  complete(eventId: string, token: string): Promise<boolean>;
  fail(eventId: string, token: string, error: string, maxAttempts: number): Promise<FailResult>;
  lastApplied(objectId: string): Promise<number | null>;
  markApplied(objectId: string, created: number, eventId: string): Promise<void>;
  get(eventId: string): Promise<EventRecord | null>;
  list(query?: ListQuery): Promise<EventRecord[]>;
  requeue(eventId: string): Promise<boolean>;
  purge(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}
