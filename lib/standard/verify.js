'use strict';
// verifyStandardWebhook, verifyStandardWebhookAsync and signStandardWebhook
// (API.md section 9) over one engine. Everything but the cryptography lives
// here once: argument checks, header lookup, the error an engine's code
// becomes, and the event parse (the engine's own, JSON.parse-identical, as
// constructEvent's). An engine (lib/engine/native/standard.js,
// lib/engine/portable/standard.js) only verifies or signs and reports a code.
const { StandardWebhookVerificationError } = require('../errors');
const { isString, isBytes, isPlainObject, invalidArgument } = require('../args');
const { readStandardHeaders } = require('./headers');
const { checkKeys, VERIFYING_KINDS, SIGNING_KINDS } = require('./keys');

const DEFAULT_TOLERANCE = 300;
const OPTION_KEYS = new Set(['tolerance', 'receivedAt']);
const SIGN_KEYS = new Set(['id', 'timestamp', 'payload', 'secret']);
const INTEGER = /^[0-9]+$/;

function rawOf(payload) {
  if (isString(payload) || isBytes(payload)) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  throw invalidArgument(
    'payload',
    'the raw request body as a string, Buffer or Uint8Array (a parsed object cannot be verified: the signature covers the exact bytes)',
    payload,
  );
}

function checkNumber(name, value, finite) {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || Number.isNaN(value) || (finite && !Number.isFinite(value))) {
    throw invalidArgument(name, finite ? 'a finite number' : 'a number', value);
  }
}

/**
 * Checks the arguments and reads the headers: what an engine verifies. Keys
 * are checked first (bad_secret is the receiver's mistake, whatever the
 * delivery), then the payload's type; the headers' contents are the engine's.
 */
function prepareStandard(payload, headers, secretOrKeys, options) {
  const keys = checkKeys(secretOrKeys, VERIFYING_KINDS, payload);
  const raw = rawOf(payload);
  let tolerance;
  let receivedAt;
  if (options !== undefined && options !== null) {
    if (!isPlainObject(options)) throw invalidArgument('options', '{ tolerance?, receivedAt? }', options);
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw new TypeError(`hookwise: unknown verifyStandardWebhook option "${key}"`);
    }
    ({ tolerance, receivedAt } = options);
    checkNumber('tolerance', tolerance, false);
    checkNumber('receivedAt', receivedAt, true);
  }
  const { id, timestamp, signature } = readStandardHeaders(headers);
  return {
    raw,
    payload,
    id,
    timestamp,
    signature,
    keys,
    tolerance: tolerance ?? DEFAULT_TOLERANCE,
    receivedAt: receivedAt ?? Date.now(),
  };
}

/**
 * `p` with a private copy of a bytes payload: the async functions parse after
 * an `await`, and the caller may reuse its buffer as soon as the call returns.
 */
function ownedBytes(p) {
  if (isBytes(p.raw)) p.raw = new Uint8Array(p.raw); // a copy (Buffer#slice would be a view)
  return p;
}

/** Throws the StandardWebhookVerificationError of an engine's `code`; nothing for null. */
function checkStandardCode(code, p) {
  if (code !== null) throw new StandardWebhookVerificationError(code, { payload: p.payload });
}

// The verified delivery: the header's id and timestamp, and the parsed body.
// (The engine has accepted the timestamp, so it is all digits.)
function delivery(p, event) {
  return { id: p.id, timestamp: Number(p.timestamp), event };
}

function createStandardWebhooks(engine) {
  function verifyStandardWebhook(payload, headers, secretOrKeys, options) {
    const p = prepareStandard(payload, headers, secretOrKeys, options);
    checkStandardCode(engine.standardVerify(p, 'verifyStandardWebhookAsync'), p);
    return delivery(p, engine.parseVerified(p.raw, false));
  }

  async function verifyStandardWebhookAsync(payload, headers, secretOrKeys, options) {
    const p = ownedBytes(prepareStandard(payload, headers, secretOrKeys, options));
    checkStandardCode(await engine.standardVerifyAsync(p), p);
    return delivery(p, engine.parseVerified(p.raw, false));
  }

  function signStandardWebhook(options) {
    if (!isPlainObject(options)) throw invalidArgument('signStandardWebhook options', '{ id, timestamp?, payload, secret }', options);
    for (const key of Object.keys(options)) {
      if (!SIGN_KEYS.has(key)) throw new TypeError(`hookwise: unknown signStandardWebhook option "${key}"`);
    }
    const { id, payload, secret } = options;
    if (!isString(id) || id.length === 0) throw invalidArgument('id', 'a non-empty string (the webhook-id)', id);
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw invalidArgument('timestamp', 'an integer number of seconds since the epoch', timestamp);
    }
    const raw = rawOf(payload);
    const keys = checkKeys(secret, SIGNING_KINDS, payload);
    const text = String(timestamp);
    if (!INTEGER.test(text)) throw invalidArgument('timestamp', 'an integer number of seconds since the epoch', timestamp);
    const signature = keys.map((key) => engine.standardSign(id, text, raw, key, 'signStandardWebhook')).join(' ');
    return { 'webhook-id': id, 'webhook-timestamp': text, 'webhook-signature': signature };
  }

  return { verifyStandardWebhook, verifyStandardWebhookAsync, signStandardWebhook };
}

module.exports = { createStandardWebhooks, prepareStandard, checkStandardCode, ownedBytes, DEFAULT_TOLERANCE };
