'use strict';
// constructEvent / constructEventAsync / verifyHeader: stripe.webhooks'
// verification contract (API.md section 1), over either engine. Everything
// that does not need the HMAC lives here once: argument checks in stripe-node's
// order, and the SignatureVerificationError an engine's failure code becomes.
// An engine (lib/engine/native, lib/engine/portable) only parses the header,
// computes and compares the HMAC and checks the timestamp window, and reports
// a code (null when the delivery verifies).
const { SignatureVerificationError } = require('./errors');
const { isString, isBytes, isPlainObject, isBlank, invalidArgument } = require('./args');

const DEFAULT_TOLERANCE = 300;

const utf8 = new TextDecoder('utf-8');
const WHITESPACE = /\s/;
const OPTION_KEYS = new Set(['secret', 'tolerance', 'receivedAt']);

function normalizeSecrets(secret) {
  if (secret === undefined || secret === null) return [];
  if (isString(secret)) return [secret];
  if (Array.isArray(secret)) {
    secret.forEach((s, i) => {
      if (!isString(s)) throw invalidArgument(`secret[${i}]`, 'a string', s);
    });
    return secret;
  }
  throw invalidArgument('secret', 'a string, an array of strings or { secret, tolerance?, receivedAt? }', secret);
}

function checkNumber(name, value, finite) {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || Number.isNaN(value) || (finite && !Number.isFinite(value))) {
    throw invalidArgument(name, finite ? 'a finite number' : 'a number', value);
  }
}

/**
 * Checks the arguments and turns them into what the native verifier takes.
 * Everything that can fail without looking at the header's contents fails
 * here, in stripe-node's order: payload, then header.
 */
function prepare(payload, header, secret, tolerance, receivedAt) {
  if (Array.isArray(header)) {
    throw invalidArgument('header', 'the Stripe-Signature value as a string (not an array)', header);
  }
  if (header !== undefined && header !== null && !isString(header) && !isBytes(header)) {
    throw invalidArgument('header', 'a string, Buffer or Uint8Array', header);
  }
  if (isPlainObject(secret)) {
    for (const key of Object.keys(secret)) {
      if (!OPTION_KEYS.has(key)) throw new TypeError(`hookwise: unknown verification option "${key}"`);
    }
    if (tolerance === undefined || tolerance === null) tolerance = secret.tolerance;
    if (receivedAt === undefined || receivedAt === null) receivedAt = secret.receivedAt;
    secret = secret.secret;
  }
  const secrets = normalizeSecrets(secret);
  checkNumber('tolerance', tolerance, false);
  checkNumber('receivedAt', receivedAt, true);

  if (!payload) {
    throw new SignatureVerificationError('missing_payload', { header, payload });
  }
  let raw;
  if (isString(payload) || isBytes(payload)) raw = payload;
  else if (payload instanceof ArrayBuffer) raw = new Uint8Array(payload);
  else raw = null; // a parsed object: reported as payload_not_raw after the header checks

  if (header === undefined || header === null || header.length === 0) {
    throw new SignatureVerificationError('missing_header', { header, payload });
  }
  const headerText = isString(header) ? header : utf8.decode(header);

  const usable = secrets.filter((s) => !isBlank(s));
  return {
    raw,
    payload,
    header: headerText,
    secrets: usable,
    secretHasWhitespace: secrets.some((s) => WHITESPACE.test(s)),
    tolerance: tolerance ?? DEFAULT_TOLERANCE,
    receivedAt: receivedAt ?? Date.now(),
  };
}

function decodedPayload(payload) {
  if (isString(payload)) return payload;
  if (isBytes(payload)) return utf8.decode(payload);
  if (payload instanceof ArrayBuffer) return utf8.decode(new Uint8Array(payload));
  return payload;
}

/**
 * Throws the SignatureVerificationError for an engine's failure `code` (a
 * SignatureVerificationError code); returns true for null (verified).
 */
function checkVerifyCode(code, p) {
  if (code === null) return true;
  if (code === 'signature_mismatch' && p.raw === null) code = 'payload_not_raw';
  const err = new SignatureVerificationError(code, {
    header: p.header,
    payload: undefined,
    secretHasWhitespace: p.secretHasWhitespace,
  });
  // Decoding a large body only when someone reads err.payload.
  const { payload } = p;
  Object.defineProperty(err, 'payload', {
    get() {
      const value = decodedPayload(payload);
      Object.defineProperty(err, 'payload', { value, enumerable: false, writable: true, configurable: true });
      return value;
    },
    enumerable: false,
    configurable: true,
  });
  throw err;
}

/** verifyHeader and verifyHeaderAsync over `engine`. */
function createVerification(engine) {
  function verifyHeader(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
    const p = prepare(payload, header, secret, tolerance, receivedAt);
    return checkVerifyCode(engine.verify(p, 'verifyHeaderAsync'), p);
  }

  async function verifyHeaderAsync(payload, header, secret, tolerance, cryptoProvider, receivedAt) {
    const p = prepare(payload, header, secret, tolerance, receivedAt);
    return checkVerifyCode(await engine.verifyAsync(p), p);
  }

  return { verifyHeader, verifyHeaderAsync };
}

module.exports = {
  DEFAULT_TOLERANCE,
  createVerification,
  decodedPayload,
  // For the engines and the parsing functions; not public API.
  prepareVerification: prepare,
  checkVerifyCode,
};
