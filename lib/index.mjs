// ESM entry: named exports of the CommonJS build (one implementation, one
// addon instance, whichever way the package is loaded).
import hookwise from './index.js';

export const {
  constructEvent,
  constructEventAsync,
  verifyHeader,
  generateTestHeaderString,
  generateTestHeaderStringAsync,
  webhooks,
  SignatureVerificationError,
  RedisStore,
  PostgresStore,
} = hookwise;
export default hookwise;
