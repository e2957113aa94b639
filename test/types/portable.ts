// Compile-time checks of portable.d.ts (hookwise/portable): the same API as
// hookwise, with `implementation` narrowed to 'portable'.
import {
  constructEventAsync,
  createWebhookHandler,
  implementation,
  MemoryStore,
  SignatureVerificationError,
  SqliteStore,
  StripeEvent,
} from 'hookwise/portable';
import { SqliteStore as NativeSqliteStore } from 'hookwise';
import { implementation as mainImplementation } from 'hookwise';

const which: 'portable' = implementation;
// @ts-expect-error -- the portable entry is never native
const notNative: 'native' = implementation;
const either: 'native' | 'portable' = mainImplementation;
// @ts-expect-error -- hookwise may be either
const onlyNative: 'native' = mainImplementation;

async function portableUse(body: string, header: string): Promise<StripeEvent> {
  const handler = createWebhookHandler({ secret: 'whsec_x', store: new MemoryStore({ name: 'shared' }) });
  void handler.fetch;
  try {
    return await constructEventAsync(body, header, 'whsec_x');
  } catch (err) {
    if (err instanceof SignatureVerificationError) throw new Error(err.code);
    throw err;
  }
}

const sqlite = new SqliteStore({ path: 'events.db', durability: 'normal' });
const driver: 'node:sqlite' | 'bun:sqlite' = sqlite.driver;
void sqlite.claim('evt_1', { type: 't', created: 1, leaseMs: 1000 });
// @ts-expect-error -- the native SqliteStore has no driver
void new NativeSqliteStore().driver;
void driver;

void which;
void notNative;
void either;
void onlyNative;
void portableUse;
