'use strict';
// The native engine: verification, parsing and the embedded stores in the C++
// core, through the one loader (lib/native.js). Requiring this module loads
// the addon and throws its HOOKWISE_NATIVE_UNAVAILABLE error when it cannot.
//
// The engine interface (the portable engine, lib/engine/portable, has the same):
//   name                              'native' | 'portable'
//   verify(p, asyncName)              -> null | a SignatureVerificationError code
//   verifyAsync(p)                    -> Promise of the same
//   parse(p, withEnvelope, asyncName) -> the event, or { event, envelope }; throws as constructEvent does
//   parseAsync(p, withEnvelope)       -> Promise of the same
//   hmacSha256Hex(text, secret, asyncName), hmacSha256HexAsync(text, secret)
//   MemoryStore, SqliteStore          the store classes of this engine
//   standardVerify(p, asyncName), standardVerifyAsync(p), standardSign(id, timestamp, raw, key, syncName)
//                                     Standard Webhooks (lib/standard/verify.js's prepareStandard)
//   parseVerified(raw, withEnvelope)  parse's event (and envelope) for a body verified by another scheme
// `p` is lib/verify.js's prepareVerification(...); `asyncName` names the async
// function to use instead where a runtime has no synchronous HMAC (never here).
const native = require('../../native');
const { ASYNC_OFFLOAD_BYTES, codeOf } = require('./status');
const { parse, parseAsync, parseVerified } = require('./envelope');
const { standardVerify, standardVerifyAsync, standardSign } = require('./standard');
const { MemoryStore } = require('./memory-store');
const { SqliteStore } = require('./sqlite-store');

// For a string, its length is a lower bound of its UTF-8 size and exact for
// ASCII (Stripe's JSON is nearly all ASCII); measuring exactly would cost a pass.
function byteLength(raw) {
  return typeof raw === 'string' ? raw.length : raw.byteLength;
}

function verify(p) {
  return codeOf(native.verify(p.raw, p.header, p.secrets, p.tolerance, p.receivedAt));
}

async function verifyAsync(p) {
  const status =
    p.raw !== null && byteLength(p.raw) >= ASYNC_OFFLOAD_BYTES
      ? await native.verifyAsync(p.raw, p.header, p.secrets, p.tolerance, p.receivedAt)
      : native.verify(p.raw, p.header, p.secrets, p.tolerance, p.receivedAt);
  return codeOf(status);
}

function hmacSha256Hex(text, secret) {
  return native.hmacSha256Hex(text, secret);
}

async function hmacSha256HexAsync(text, secret) {
  return native.hmacSha256Hex(text, secret);
}

module.exports = Object.freeze({
  name: 'native',
  verify,
  verifyAsync,
  parse,
  parseAsync,
  hmacSha256Hex,
  hmacSha256HexAsync,
  MemoryStore,
  SqliteStore,
  standardVerify,
  standardVerifyAsync,
  standardSign,
  parseVerified,
});
