// Generated from testing.d.ts by scripts/esm-declarations.js (the ES-module twin, for "import"): edit testing.d.ts.
// Types for hookwise/testing (lib/testing.js): the Store contract suite.
import type { Store } from './index.mjs';

export interface StoreContractOptions {
  /** Printed in the suite's title. */
  name?: string;
  /** The test function (node:test's `test` by default, loaded when the suite is registered). */
  test?: (title: string, options: { skip?: boolean | string }, fn: () => Promise<void> | void) => unknown;
  /** The grouping function (node:test's `describe` by default; without it, titles carry the group). */
  describe?: (title: string, options: { skip?: boolean | string }, fn: () => void) => unknown;
  /** An assert module with node:assert/strict's API (the default). */
  assert?: typeof import('node:assert/strict');
  /** Releases a store after its test (default: store.close()). */
  destroy?: (store: Store) => Promise<void> | void;
  /** A reason: the whole suite is skipped and the reason printed. */
  skip?: string | false;
  /** A store whose backend fails: every operation must reject with a StoreError. */
  unreachable?: () => Store | Promise<Store>;
  /** false: skip the retention case (a store without retentionMs). */
  retention?: boolean;
  /** false: skip the constructor-option case. */
  constructorOptions?: boolean;
}

/**
 * Registers the Store contract suite: every hookwise store passes it. `makeStore(options)` returns
 * a new, empty store, passing `options` (undefined, `{ retentionMs }`, or a misspelt key that must
 * be refused) on to its constructor.
 */
export function runStoreContract(
  makeStore: (options?: Record<string, unknown>) => Store | Promise<Store>,
  options?: StoreContractOptions,
): void;

export const SHORT_LEASE_MS: number;
export const AFTER_SHORT_LEASE_MS: number;
export const LONG_LEASE_MS: number;
export const SHORT_RETENTION_MS: number;
