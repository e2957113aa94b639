'use strict';
// The native engine's Standard Webhooks calls (src/addon/standard_webhook_binding.h):
//   standardVerify(p)        -> null | a StandardWebhookVerificationError code
//   standardVerifyAsync(p)   -> Promise of the same (large bodies on the libuv pool)
//   standardSign(id, timestamp, raw, key) -> one signature item ("v1,..." / "v1a,...")
// `p` is lib/standard/verify.js's prepareStandard(...). The codes are the
// core's StandardStatus names, read from the addon (one list for both languages).
const native = require('../../native');
const { StandardWebhookVerificationError } = require('../../errors');
const { ASYNC_OFFLOAD_BYTES } = require('./status');

const NAMES = native.standardStatusNames;
const OK = NAMES.indexOf('ok');

function codeOf(status) {
  const name = NAMES[status];
  if (name === undefined || name === 'internal_error') {
    throw new Error('hookwise: HMAC-SHA256 failed inside OpenSSL');
  }
  return status === OK ? null : name;
}

const args = (p) => [p.raw, p.id, p.timestamp, p.signature, p.keys, p.tolerance, p.receivedAt];
const size = (raw) => (typeof raw === 'string' ? raw.length : raw.byteLength);

function standardVerify(p) {
  return codeOf(native.standardVerify(...args(p)));
}

async function standardVerifyAsync(p) {
  const status =
    size(p.raw) >= ASYNC_OFFLOAD_BYTES ? await native.standardVerifyAsync(...args(p)) : native.standardVerify(...args(p));
  return codeOf(status);
}

function standardSign(id, timestamp, raw, key) {
  const item = native.standardSign(id, timestamp, raw, key);
  if (typeof item === 'string') return item;
  // lib/standard/keys.js checked the key's syntax; only the core can tell that a whsk_ key's
  // public half is not its seed's.
  throw new StandardWebhookVerificationError(codeOf(item), { payload: raw });
}

module.exports = { standardVerify, standardVerifyAsync, standardSign };
