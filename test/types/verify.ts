// Compile-time checks of index.d.ts (tsc --noEmit, run by test/js/types.test.js).
// Lines marked @ts-expect-error must fail to compile; the rest must compile.
import {
  constructEvent,
  constructEventAsync,
  generateTestHeaderString,
  SignatureVerificationError,
  StripeEvent,
  verifyHeader,
  webhooks,
} from 'hookwise';

const body: Buffer = Buffer.from('{}');
const event: StripeEvent = constructEvent(body, 't=1,v1=x', 'whsec_x');
const id: string = event.id;
const objectId: string | undefined = event.data.object.id;
const pending: Promise<StripeEvent> = constructEventAsync('{}', null, ['whsec_a', 'whsec_b'], 0);
const ok: true = verifyHeader(new Uint8Array(2), 't=1', { secret: 'whsec_x', tolerance: 10, receivedAt: 1 });
const header: string = generateTestHeaderString({ payload: '{}', secret: 'whsec_x', timestamp: 1 });
const tolerance: 300 = webhooks.DEFAULT_TOLERANCE;

try {
  webhooks.constructEvent(body, header, 'whsec_x');
} catch (err) {
  if (err instanceof SignatureVerificationError) {
    const code: 'signature_mismatch' | 'missing_payload' | string = err.code;
    void code;
  }
}

// @ts-expect-error a header array is not accepted
constructEvent(body, ['t=1'], 'whsec_x');
// @ts-expect-error the secret is a string or an array of strings
constructEvent(body, 't=1', 42);
// @ts-expect-error tolerance is a number
constructEvent(body, 't=1', 'whsec_x', '300');

void [id, objectId, pending, ok, tolerance];
