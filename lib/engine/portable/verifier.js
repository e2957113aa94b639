'use strict';
// The portable engine's verification: the native core's algorithm
// (src/core/webhook_verifier.cc) in JavaScript, step for step, so both give
// the same code for every input:
//   header grammar -> no usable secret -> no raw payload -> HMAC of
//   `${String(parseInt(t))}.` + payload for each secret, any v1 matching ->
//   timestamp window both ways (tolerance > 0).

const { parseSignatureHeader } = require('./signature-header');
const { hmacHex, hmacHexAsync, anyCandidateMatches } = require('./hmac');

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

async function verifyAsync(p) {
  const header = precheck(p);
  if (header.code !== null) return header.code;
  const prefix = `${header.timestampText}.`;
  let matched = false;
  for (const secret of p.secrets) {
    if (anyCandidateMatches(header.signatures, await hmacHexAsync(secret, prefix, p.raw))) {
      matched = true;
      break;
    }
  }
  return matched ? windowCode(p, header.timestamp) : 'signature_mismatch';
}

module.exports = { verify, verifyAsync };
