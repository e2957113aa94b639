'use strict';
// HMAC-SHA256 for the portable engine.
//
// Async: WebCrypto (crypto.subtle), in every runtime. Each secret's CryptoKey
// is imported once and kept in a small cache (stripe-node's SubtleCrypto
// provider imports it on every call, which is most of its cost for small
// bodies); the cache holds at most MAX_KEYS secrets, dropping the least
// recently used. Keys are non-extractable; secrets are never logged.
//
// Sync: node:crypto's createHmac, loaded on first use where the runtime has it
// (Node, Bun, Deno, workerd with nodejs_compat). Where it has none, a
// synchronous HMAC does not exist: the caller gets an Error naming the async
// function instead of a wrong answer.

const { nodeBuiltin, webCrypto } = require('../../runtime');

const MAX_KEYS = 16;
// secret -> { key: CryptoKey once imported, pending: Promise<CryptoKey> }
const keys = new Map();
const encoder = new TextEncoder();
let hexTable = null;

function toHex(bytes) {
  if (hexTable === null) hexTable = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += hexTable[bytes[i]];
  return out;
}

// HMAC pads its key with zeros to the hash's block size (RFC 2104), so an
// empty key is the same key as 64 zero bytes, which WebCrypto (unlike
// createHmac and the native core) accepts.
const BLOCK_BYTES = 64;

function importKey(secret) {
  let material = typeof secret === 'string' ? encoder.encode(secret) : secret;
  if (material.byteLength === 0) material = new Uint8Array(BLOCK_BYTES);
  return webCrypto().subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** The secret's CryptoKey when it is cached and imported, else a promise of it. */
function keyFor(secret) {
  let entry = keys.get(secret);
  if (entry !== undefined) {
    // Most recently used last, so the first entry is the one to drop.
    keys.delete(secret);
    keys.set(secret, entry);
    return entry.key ?? entry.pending;
  }
  entry = { key: null, pending: importKey(secret) };
  entry.pending.then(
    (key) => { entry.key = key; },
    () => { if (keys.get(secret) === entry) keys.delete(secret); },
  );
  keys.set(secret, entry);
  if (keys.size > MAX_KEYS) keys.delete(keys.keys().next().value);
  return entry.pending;
}

/** The message `prefix` + `payload` as one byte array (WebCrypto signs one buffer). */
function messageBytes(prefix, payload) {
  if (typeof payload === 'string') return encoder.encode(prefix + payload);
  const head = encoder.encode(prefix);
  const out = new Uint8Array(head.length + payload.byteLength);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

const hexOf = (mac) => toHex(new Uint8Array(mac));

/**
 * Lowercase hex HMAC-SHA256 of `prefix` + `payload` (payload: a string, UTF-8
 * encoded, or bytes) keyed with `secret` (a string, UTF-8 encoded, or bytes).
 * With a cached key the signing starts before this returns (so a caller can
 * parse the body while the runtime computes the MAC).
 */
function hmacHexAsync(secret, prefix, payload) {
  try {
    // Byte secrets (generateTestHeaderString accepts them) are not cached: a
    // Uint8Array is a mutable, identity-keyed thing.
    const key = typeof secret === 'string' ? keyFor(secret) : importKey(secret);
    const data = messageBytes(prefix, payload);
    const sign = (k) => webCrypto().subtle.sign('HMAC', k, data);
    return (typeof key.then === 'function' ? key.then(sign) : sign(key)).then(hexOf);
  } catch (err) {
    return Promise.reject(err);
  }
}

let createHmac; // undefined: not looked up yet; null: none in this runtime

function syncHmac() {
  if (createHmac === undefined) {
    const nodeCrypto = nodeBuiltin('crypto');
    createHmac = nodeCrypto && typeof nodeCrypto.createHmac === 'function' ? nodeCrypto.createHmac : null;
  }
  return createHmac;
}

function syncUnavailable(syncName, asyncName) {
  const err = new Error(
    `hookwise: ${syncName}() needs a synchronous HMAC-SHA256 (node:crypto), which this runtime does not have. ` +
      `Use \`await ${asyncName}(...)\` instead of \`${syncName}(...)\`.`,
  );
  err.code = 'HOOKWISE_SYNC_CRYPTO_UNAVAILABLE';
  return err;
}

/** True where the runtime has a synchronous HMAC (node:crypto). */
const hasSyncHmac = () => syncHmac() !== null;

/** As hmacHexAsync, synchronously; throws syncUnavailable(asyncName) without node:crypto. */
function hmacHex(secret, prefix, payload, asyncName) {
  const hmac = syncHmac();
  if (hmac === null) throw syncUnavailable(asyncName.replace(/Async$/, ''), asyncName);
  return hmac('sha256', secret).update(prefix).update(payload).digest('hex');
}

/**
 * True when any candidate equals `expected` (64 lowercase hex characters).
 * Every candidate of the right length is compared in full, none stops early;
 * only candidates' lengths (public: they are in the header) shape the timing.
 */
function anyCandidateMatches(candidates, expected) {
  let found = 0;
  for (const candidate of candidates) {
    if (candidate.length !== expected.length) continue;
    let diff = 0;
    for (let i = 0; i < expected.length; i++) diff |= candidate.charCodeAt(i) ^ expected.charCodeAt(i);
    found |= diff === 0 ? 1 : 0;
  }
  return found !== 0;
}

module.exports = { hmacHex, hmacHexAsync, hasSyncHmac, anyCandidateMatches, syncUnavailable, MAX_KEYS, _keyCache: keys };
