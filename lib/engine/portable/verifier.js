'use strict';
// The portable engine's verification: the native core's algorithm
// (src/core/webhook_verifier.cc) in JavaScript, step for step, so both give
// the same code for every input:
//   header grammar -> no usable secret -> no raw payload -> HMAC of
//   `${String(parseInt(t))}.` + payload for each secret, any v1 matching ->
//   timestamp window both ways (tolerance > 0).

const { parseSignatureHeader } = require('./signature-header');
const { hmacHex, hmacHexAsync, anyCandidateMatches, hasSyncHmac } = require('./hmac');

// Where the runtime has a synchronous HMAC (node:crypto: Node, Bun, Deno), the
// async functions verify bodies smaller than this inline with it, as the
// native engine does below the same size: WebCrypto's sign is a round trip
// through the libuv pool in Node, which costs more than the HMAC of a small
// body (bench/portable.js). Larger bodies, and every body where there is no
// synchronous HMAC (workerd, Vercel Edge, Convex), go to WebCrypto. Read at
// call time; tests set it to 0 to hold the WebCrypto path to the same answers.
const settings = { inlineMaxBytes: 64 * 1024 };

// As the native engine measures it: a string's length (exact for ASCII).
const sizeOf = (raw) => (typeof raw === 'string' ? raw.length : raw.byteLength);
const inline = (p) => sizeOf(p.raw) < settings.inlineMaxBytes && hasSyncHmac();

// The checks before any HMAC: the header's parse, or a failure code.
function precheck(p) {
  const header = parseSignatureHeader(p.header);
  if (header.code !== null) return header;
  if (p.secrets.length === 0) return { code: 'missing_secret' };
  if (p.raw === null) return { code: 'signature_mismatch' };
  return header;
}

function windowCode(p, timestamp) {
  if (p.tolerance > 0) {
    const age = Math.floor(p.receivedAt / 1000) - timestamp;
    if (age > p.tolerance) return 'timestamp_too_old';
    if (-age > p.tolerance) return 'timestamp_in_future';
  }
  return null;
}

/** null when `p` verifies, else its SignatureVerificationError code. */
function verify(p, asyncName) {
  const header = precheck(p);
  if (header.code !== null) return header.code;
  const prefix = `${header.timestampText}.`;
  let matched = false;
  for (const secret of p.secrets) {
    if (anyCandidateMatches(header.signatures, hmacHex(secret, prefix, p.raw, asyncName))) {
      matched = true;
      break;
    }
  }
  return matched ? windowCode(p, header.timestamp) : 'signature_mismatch';
}

/**
 * As verify, with WebCrypto. Not an async function: the first HMAC is started
 * before it returns, so parseAsync can parse while the runtime signs.
 */
function verifyAsync(p) {
  const header = precheck(p);
  if (header.code !== null) return Promise.resolve(header.code);
  if (inline(p)) {
    try {
      return Promise.resolve(verify(p, 'verifyHeaderAsync'));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  const prefix = `${header.timestampText}.`;
  const first = hmacHexAsync(p.secrets[0], prefix, p.raw);
  return (async () => {
    let expected = await first;
    for (let i = 0; ; i++) {
      if (anyCandidateMatches(header.signatures, expected)) return windowCode(p, header.timestamp);
      if (i + 1 === p.secrets.length) return 'signature_mismatch';
      expected = await hmacHexAsync(p.secrets[i + 1], prefix, p.raw);
    }
  })();
}

// Bodies up to this size are parsed while WebCrypto signs them; larger ones
// after, so that the event loop turns between the HMAC and a long parse (the
// handler's default maxBodyBytes is 1 MiB).
const PARSE_DURING_HMAC_MAX_BYTES = 1024 * 1024;

/**
 * True when `p`'s HMAC goes to WebCrypto, off this thread, and its body is
 * small enough to parse meanwhile.
 */
const parsesDuringHmac = (p) =>
  precheck(p).code === null && !inline(p) && sizeOf(p.raw) <= PARSE_DURING_HMAC_MAX_BYTES;

module.exports = { verify, verifyAsync, parsesDuringHmac, settings };
