'use strict';
// The portable engine's Standard Webhooks verification and signing: the
// native core's algorithm (src/core/standard_webhook_verifier.cc) in
// JavaScript, step for step, so both engines give the same code for every
// input: headers present -> timestamp a strict integer -> keys -> any v1
// (HMAC-SHA256, base64) or v1a (ed25519) item matching -> the window.
//
// Async: WebCrypto (HMAC, and Ed25519 where the runtime has it: Node >= 20,
// Deno, Bun, workerd, current browsers); where its WebCrypto has no Ed25519, a
// v1a key gets an Error naming that capability (HOOKWISE_ED25519_UNAVAILABLE),
// never a silent rejection. Sync: node:crypto where the runtime has it, else
// an Error naming the async function (as for the Stripe functions).
const { nodeBuiltin, webCrypto } = require('../../runtime');
const { syncUnavailable, anyCandidateMatches } = require('./hmac');
const { decodeKey, decodeBase64 } = require('../../standard/keys');
const { StandardWebhookVerificationError } = require('../../errors');

const encoder = new TextEncoder();
const MAX_SAFE_TIMESTAMP = Number.MAX_SAFE_INTEGER;
const DIGITS = /^[0-9]+$/;

/** The `webhook-signature` items: { v1: [base64 text], v1a: [base64 text] } (header.h's grammar). */
function parseSignatures(header) {
  const v1 = [];
  const v1a = [];
  for (const item of header.split(' ')) {
    const comma = item.indexOf(',');
    if (comma === -1) continue;
    const version = item.slice(0, comma);
    if (version === 'v1') v1.push(item.slice(comma + 1));
    else if (version === 'v1a') v1a.push(item.slice(comma + 1));
  }
  return { v1, v1a };
}

/** The canonical digits of a strict integer timestamp, or null. */
function canonicalTimestamp(text) {
  if (!DIGITS.test(text)) return null;
  const value = Number(text);
  return value <= MAX_SAFE_TIMESTAMP ? String(value) : null;
}

function base64Of(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/** `${id}.${timestamp}.` followed by the payload's bytes, as one array (WebCrypto and ed25519 sign one buffer). */
function contentOf(id, timestamp, raw) {
  const head = encoder.encode(`${id}.${timestamp}.`);
  const body = typeof raw === 'string' ? encoder.encode(raw) : raw;
  const out = new Uint8Array(head.length + body.byteLength);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/**
 * The checks before any cryptography: a code, or what the signature check
 * needs (the canonical timestamp, the items, the decoded keys).
 */
function precheck(p) {
  if (p.id === '' || p.timestamp === '' || p.signature === '') return { code: 'missing_header' };
  const timestamp = canonicalTimestamp(p.timestamp);
  if (timestamp === null) return { code: 'bad_timestamp' };
  if (p.keys.length === 0) return { code: 'bad_secret' };
  const keys = p.keys.map(decodeKey);
  if (keys.some((k) => k === null || k.kind === 'secretKey')) return { code: 'bad_secret' };
  return { code: null, timestamp, keys, items: parseSignatures(p.signature), content: contentOf(p.id, timestamp, p.raw) };
}

function windowCode(p, timestamp) {
  if (p.tolerance > 0) {
    const age = Math.floor(p.receivedAt / 1000) - Number(timestamp);
    if (age > p.tolerance) return 'timestamp_too_old';
    if (-age > p.tolerance) return 'timestamp_in_future';
  }
  return null;
}

// v1a signatures as 64 bytes each (others can never verify).
const ed25519Signatures = (items) => items.v1a.map(decodeBase64).filter((s) => s !== null && s.length === 64);

// --- synchronous: node:crypto ---------------------------------------------

function nodeCrypto(syncName, asyncName) {
  const c = nodeBuiltin('crypto');
  if (!c || typeof c.createHmac !== 'function') throw syncUnavailable(syncName, asyncName);
  return c;
}

const base64url = (bytes) => base64Of(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function nodePublicKey(c, bytes) {
  return c.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(bytes) }, format: 'jwk' });
}

function matchesSync(c, key, items, content) {
  if (key.kind === 'secret') {
    return anyCandidateMatches(items.v1, c.createHmac('sha256', key.bytes).update(content).digest('base64'));
  }
  const signatures = ed25519Signatures(items);
  if (signatures.length === 0) return false;
  const publicKey = nodePublicKey(c, key.bytes);
  let found = false;
  for (const signature of signatures) found = c.verify(null, content, publicKey, signature) || found;
  return found;
}

function standardVerify(p, asyncName) {
  const pre = precheck(p);
  if (pre.code !== null) return pre.code;
  const c = nodeCrypto(asyncName.replace(/Async$/, ''), asyncName);
  const matched = pre.keys.some((key) => matchesSync(c, key, pre.items, pre.content));
  return matched ? windowCode(p, pre.timestamp) : 'no_matching_signature';
}

function signSync(c, key, content) {
  if (key.kind === 'secret') return `v1,${c.createHmac('sha256', key.bytes).update(content).digest('base64')}`;
  const seed = key.bytes.subarray(0, 32);
  const publicHalf = key.bytes.subarray(32);
  const privateKey = c.createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: base64url(seed), x: base64url(publicHalf) },
    format: 'jwk',
  });
  // A public half that is not the seed's would make signatures nobody verifies (the core refuses it too).
  if (c.createPublicKey(privateKey).export({ format: 'jwk' }).x !== base64url(publicHalf)) return null;
  return `v1a,${base64Of(c.sign(null, content, privateKey))}`;
}

function standardSign(id, timestamp, raw, keyText, syncName) {
  const c = nodeBuiltin('crypto');
  if (!c || typeof c.createHmac !== 'function' || typeof c.sign !== 'function') {
    const err = new Error(
      `hookwise: ${syncName}() needs node:crypto (a synchronous HMAC and ed25519), which this runtime does not have; ` +
        'sign test deliveries in Node, Bun or Deno.',
    );
    err.code = 'HOOKWISE_SYNC_CRYPTO_UNAVAILABLE';
    throw err;
  }
  const item = signSync(c, decodeKey(keyText), contentOf(id, timestamp, raw));
  // A whsk_ key whose public half is not its seed's (the core refuses it too).
  if (item === null) throw new StandardWebhookVerificationError('bad_secret', { payload: raw });
  return item;
}

// --- asynchronous: WebCrypto ----------------------------------------------

function ed25519Unavailable(cause) {
  const err = new Error(
    "hookwise: this runtime's WebCrypto has no Ed25519 (crypto.subtle.importKey('raw', key, 'Ed25519')), " +
      'which v1a signatures (whpk_ public keys) need. Verify with a whsec_ secret (v1), or run where WebCrypto ' +
      'supports Ed25519 (Node 20+, Deno, Bun, Cloudflare Workers).',
    { cause },
  );
  err.code = 'HOOKWISE_ED25519_UNAVAILABLE';
  return err;
}

async function matchesAsync(key, items, content) {
  const subtle = webCrypto().subtle;
  if (key.kind === 'secret') {
    const hmacKey = await subtle.importKey('raw', key.bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return anyCandidateMatches(items.v1, base64Of(new Uint8Array(await subtle.sign('HMAC', hmacKey, content))));
  }
  const signatures = ed25519Signatures(items);
  if (signatures.length === 0) return false;
  let publicKey;
  try {
    publicKey = await subtle.importKey('raw', key.bytes, { name: 'Ed25519' }, false, ['verify']);
  } catch (err) {
    throw ed25519Unavailable(err);
  }
  let found = false;
  for (const signature of signatures) found = (await subtle.verify({ name: 'Ed25519' }, publicKey, signature, content)) || found;
  return found;
}

async function standardVerifyAsync(p) {
  const pre = precheck(p);
  if (pre.code !== null) return pre.code;
  for (const key of pre.keys) {
    if (await matchesAsync(key, pre.items, pre.content)) return windowCode(p, pre.timestamp);
  }
  return 'no_matching_signature';
}

module.exports = { standardVerify, standardVerifyAsync, standardSign, parseSignatures, canonicalTimestamp };
