// hookwise/testing as ESM: the named exports of lib/testing.js.
import testing from './testing.js';

export const { runStoreContract, SHORT_LEASE_MS, AFTER_SHORT_LEASE_MS, LONG_LEASE_MS, SHORT_RETENTION_MS } = testing;
export default testing;
