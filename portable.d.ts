// hookwise/portable, and `hookwise` under the workerd, edge-light, worker,
// browser and deno conditions: the same API as `hookwise` (index.d.ts), with
// no native addon. Its synchronous verifying functions (constructEvent,
// verifyHeader, parseEventNotification, generateTestHeaderString) need a
// synchronous HMAC (node:crypto); where the runtime has none they throw an
// Error naming the …Async function to use instead.
export * from './index';

/** Always 'portable' here. */
export const implementation: 'portable';
