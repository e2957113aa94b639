// Compile-time checks of testing.d.ts (hookwise/testing) and of the error
// classes every store and the handler throw; compiled by test/js/types.test.js.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runStoreContract } from 'hookwise/testing';
import { MemoryStore, StoreError, WebhookConfigError } from 'hookwise';
import type { StoreErrorCode } from 'hookwise';
import * as portable from 'hookwise/portable';

runStoreContract((options) => new MemoryStore(options), { name: 'MemoryStore', test, describe, assert });
runStoreContract(async () => new MemoryStore(), { retention: false, constructorOptions: false, skip: 'example' });
// @ts-expect-error makeStore is required
runStoreContract();
// @ts-expect-error not an option
runStoreContract(() => new MemoryStore(), { retentionMS: 1 });

function handle(err: unknown): StoreErrorCode | 'missing_secret' | 'secret_whitespace' | 'billing_off' | null {
  if (err instanceof StoreError) return err.code;
  if (err instanceof WebhookConfigError) return err.code;
  if (err instanceof portable.StoreError) return err.code;
  return null;
}
handle(new StoreError('HOOKWISE_STORE_UNAVAILABLE', 'hookwise: down', { cause: new Error('ECONNREFUSED') }));
// @ts-expect-error not a store error code
new StoreError('store_unavailable', 'x');
const portableConfigError: typeof WebhookConfigError = portable.WebhookConfigError;
void portableConfigError;
