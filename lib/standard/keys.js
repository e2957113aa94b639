'use strict';
// Standard Webhooks keys (API.md section 9): `whsec_<base64>` HMAC secrets,
// `whpk_<base64>` ed25519 public keys (32 bytes), `whsk_<base64>` ed25519
// secret keys (64 bytes: seed, then public key; for signing in tests).
//
// The base64 rules are libsodium's (what the native core decodes with,
// src/core/standard_webhook_verifier.cc's DecodeStandardKey): the original
// alphabet, with or without padding, and canonical (no stray bits in the last
// character). Both engines check keys here first, so a bad key is `bad_secret`
// before anything about the delivery is looked at; a test holds this decoder
// and the native one to the same answers. Pure JavaScript, no Node built-ins.
const { StandardWebhookVerificationError } = require('../errors');
const { isString, invalidArgument } = require('../args');

const KINDS = Object.freeze([
  { prefix: 'whsec_', kind: 'secret', bytes: 0 },
  { prefix: 'whpk_', kind: 'publicKey', bytes: 32 },
  { prefix: 'whsk_', kind: 'secretKey', bytes: 64 },
]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Strict base64 (padded or not) into bytes, or null. */
function decodeBase64(text) {
  if (!BASE64.test(text)) return null;
  const bare = text.replace(/=+$/, '');
  if (bare.length % 4 === 1) return null;
  let binary;
  try {
    binary = atob(bare + '='.repeat((4 - (bare.length % 4)) % 4));
  } catch {
    return null;
  }
  // Canonical only: re-encoding gives the text back (padded, or without its padding).
  const again = btoa(binary);
  if (again !== text && again.replace(/=+$/, '') !== text) return null;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** { kind: 'secret' | 'publicKey' | 'secretKey', bytes } for a well-formed key, else null. */
function decodeKey(text) {
  if (!isString(text)) return null;
  const entry = KINDS.find((k) => text.startsWith(k.prefix));
  if (entry === undefined) return null;
  const bytes = decodeBase64(text.slice(entry.prefix.length));
  if (bytes === null || bytes.length === 0 || (entry.bytes !== 0 && bytes.length !== entry.bytes)) return null;
  return { kind: entry.kind, bytes };
}

/**
 * The keys of `secretOrKeys` (a string or an array of strings) as an array,
 * each checked: `accepted` are the kinds allowed ('secret' and 'publicKey' to
 * verify, 'secret' and 'secretKey' to sign). A wrong type is a TypeError; a
 * missing, blank or malformed key, or an empty array, is `bad_secret`.
 */
// Keys already found well-formed, by text -> kind: an endpoint verifies every
// delivery with the same one or two keys, and decoding base64 on each call
// would cost more than the HMAC of a small body. Bounded like the portable
// engine's CryptoKey cache (lib/engine/portable/hmac.js): at most MAX_CHECKED
// keys, the oldest dropped first. It holds only strings the caller holds too.
const MAX_CHECKED = 16;
const checked = new Map();

function kindOf(key) {
  let kind = checked.get(key);
  if (kind !== undefined) return kind;
  const decoded = decodeKey(key);
  if (decoded === null) return null;
  kind = decoded.kind;
  decoded.bytes.fill(0);
  checked.set(key, kind);
  if (checked.size > MAX_CHECKED) checked.delete(checked.keys().next().value);
  return kind;
}

function checkKeys(secretOrKeys, accepted, payload) {
  let list;
  if (secretOrKeys === undefined || secretOrKeys === null) list = [];
  else if (isString(secretOrKeys)) list = [secretOrKeys];
  else if (Array.isArray(secretOrKeys)) {
    secretOrKeys.forEach((k, i) => {
      if (!isString(k)) throw invalidArgument(`secret[${i}]`, 'a string', k);
    });
    list = secretOrKeys;
  } else {
    throw invalidArgument('secret', 'a whsec_/whpk_ string or an array of them', secretOrKeys);
  }
  if (list.length === 0) throw new StandardWebhookVerificationError('bad_secret', { payload });
  for (const key of list) {
    const kind = kindOf(key);
    if (kind === null || !accepted.includes(kind)) {
      throw new StandardWebhookVerificationError('bad_secret', { payload });
    }
  }
  return list.slice();
}

const VERIFYING_KINDS = Object.freeze(['secret', 'publicKey']);
const SIGNING_KINDS = Object.freeze(['secret', 'secretKey']);

module.exports = { decodeKey, decodeBase64, checkKeys, VERIFYING_KINDS, SIGNING_KINDS };
