'use strict';
// webhooks.fetch(request): the Fetch API adapter (Next.js App Router, Convex
// httpAction, Hono, Bun, Deno). Reads the body as bytes, never as text or
// JSON, and stops reading as soon as it exceeds maxBodyBytes.
const { answerFor, jsonOf, TOO_LARGE, JSON_HEADERS } = require('./answer');

// A Buffer where the runtime has one (Node, Bun, Deno: what the native engine
// reads fastest), else a plain Uint8Array (workerd, Vercel Edge, Convex).
function bytesOf(chunk) {
  const B = globalThis.Buffer;
  return B ? B.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : chunk;
}

function concat(chunks, total) {
  const B = globalThis.Buffer;
  if (B) return B.concat(chunks, total);
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

const BODY_USED = Object.freeze({
  status: 400,
  body: Object.freeze({
    error: 'payload_not_raw',
    message:
      "The request body was already read (request.json() or request.text() before webhooks.fetch). " +
      'Pass the untouched Request: the signature covers the exact raw bytes.',
  }),
  headers: JSON_HEADERS,
});

function toResponse({ status, body, headers }) {
  return new Response(jsonOf(body).text, { status, headers });
}

/** The body as one Buffer (or Uint8Array), or null when it is larger than `limit` (reading stops there). */
async function readBody(request, limit) {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? bytesOf(chunks[0]) : concat(chunks, total);
}

function fetchAdapter(webhooks, config) {
  const { maxBodyBytes: limit, logger } = config;
  return async function fetch(request) {
    if (request === null || typeof request !== 'object' || typeof request.headers?.get !== 'function') {
      throw new TypeError('hookwise: webhooks.fetch expects a Fetch API Request');
    }
    if (request.bodyUsed) return toResponse(BODY_USED);
    const declared = Number(request.headers.get('content-length'));
    if (declared > limit) {
      if (request.body) await request.body.cancel().catch(() => {});
      logger.warn(`hookwise: rejected a delivery larger than maxBodyBytes (${limit} bytes)`);
      return toResponse(TOO_LARGE);
    }
    const body = await readBody(request, limit);
    if (body === null) {
      logger.warn(`hookwise: rejected a delivery larger than maxBodyBytes (${limit} bytes)`);
      return toResponse(TOO_LARGE);
    }
    // An empty body is reported as missing_payload, as constructEvent does for ''.
    // The standard scheme reads its three headers itself (lib/standard/headers.js).
    const signature = config.scheme === 'standard' ? request.headers : request.headers.get('stripe-signature');
    const answer = await answerFor(webhooks, logger, body.byteLength === 0 ? '' : body, signature);
    return toResponse(answer);
  };
}

module.exports = { fetchAdapter };
