// Compile-time checks of portable.d.ts (hookwise/portable): the same API as
// hookwise, with `implementation` narrowed to 'portable'.
import {
  constructEventAsync,
  createWebhookHandler,
  implementation,
  MemoryStore,
  SignatureVerificationError,
  StripeEvent,
} from 'hookwise/portable';
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

void which;
void notNative;
void either;
void onlyNative;
void portableUse;
