'use strict';
// What both HTTP adapters do with handle()'s result or failure: the same
// status, body and headers whichever server runs the handler.

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' });
const CLOSE_HEADERS = Object.freeze({ 'content-type': 'application/json', connection: 'close' });

const TOO_LARGE = Object.freeze({ status: 413, body: Object.freeze({ error: 'payload_too_large' }), headers: CLOSE_HEADERS });

function answerOf(result) {
  return { status: result.status, body: result.body, headers: result.status === 413 ? CLOSE_HEADERS : JSON_HEADERS };
}

/**
 * handle() rejects only for configuration errors (a secret missing at runtime
 * after `next build`) and store failures. Stripe retries a 500, which is what
 * both deserve; the body names the configuration problem but never details of
 * a store error (connection strings can hold credentials).
 */
function failureAnswer(err, logger) {
  if (err && err.name === 'WebhookConfigError') {
    return { status: 500, body: { error: err.code, message: err.message }, headers: JSON_HEADERS };
  }
  logger.error(`hookwise: the delivery could not be processed: ${err && err.message}`, { error: err });
  return { status: 500, body: { error: 'internal_error' }, headers: JSON_HEADERS };
}

// The JSON text of an answer body. The pipeline's bodies are frozen and shared by
// every result with that outcome, so their text and byte length are computed
// once, not per request.
const texts = new WeakMap();
function jsonOf(body) {
  let cached = texts.get(body);
  if (cached === undefined) {
    const text = JSON.stringify(body);
    cached = { text, bytes: utf8Bytes(text) };
    if (Object.isFrozen(body)) texts.set(body, cached);
  }
  return cached;
}

// Without Buffer (workerd, Convex): TextEncoder.
function utf8Bytes(text) {
  const B = globalThis.Buffer;
  return B ? B.byteLength(text) : new TextEncoder().encode(text).byteLength;
}

async function answerFor(webhooks, logger, body, header) {
  try {
    return answerOf(await webhooks.handle(body, header));
  } catch (err) {
    return failureAnswer(err, logger);
  }
}

module.exports = { answerFor, failureAnswer, jsonOf, TOO_LARGE, JSON_HEADERS, CLOSE_HEADERS };
