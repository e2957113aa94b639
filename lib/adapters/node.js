'use strict';
// webhooks.node(req, res): the node:http adapter (plain servers, Express with
// express.raw() or no body parser, Next.js Pages Router with bodyParser: false).
// Reads the raw bytes from the stream and stops at maxBodyBytes, so an
// oversized body is never buffered; a body a framework already parsed is
// answered at once, since its raw bytes are gone and no signature can match.
const { answerFor, jsonOf, TOO_LARGE, JSON_HEADERS } = require('./answer');

const NOT_RAW = Object.freeze({
  status: 400,
  body: Object.freeze({
    error: 'payload_not_raw',
    message:
      'The request body was already consumed by a body parser (for example express.json(), or Next.js ' +
      "Pages Router's default bodyParser), so the raw bytes Stripe signed are gone. Give this route the raw " +
      "body: in Express, app.post(path, express.raw({ type: 'application/json' }), webhooks.node) registered " +
      'before app.use(express.json()); in Next.js Pages Router, export const config = { api: { bodyParser: false } }.',
  }),
  headers: JSON_HEADERS,
});

function send(res, { status, body, headers }) {
  if (res.headersSent || res.writableEnded) return;
  const { text, bytes } = jsonOf(body);
  res.statusCode = status;
  for (const name in headers) res.setHeader(name, headers[name]);
  res.setHeader('content-length', bytes);
  res.end(text);
}

/**
 * True when something else has read the stream to its end already (a body
 * parser): waiting for 'end' would wait forever. The same test body-parser
 * uses (on-finished's isFinished), plus readableEnded.
 */
function consumed(req) {
  return req.readableEnded === true || req.destroyed === true || (req.complete === true && req.readable === false);
}

/** Resolves with the body as one Buffer, or null once it exceeds `limit` (reading stops there). */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let total = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    function onData(chunk) {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        req.pause();
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    }
    function onEnd() {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
    }
    function onError(err) {
      cleanup();
      reject(err);
    }
    function onClose() {
      if (req.readableEnded) return;
      cleanup();
      reject(new Error('the client closed the connection before sending the whole body'));
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function signatureHeader(req) {
  const value = req.headers['stripe-signature'];
  return Array.isArray(value) ? value.join(',') : value;
}

function nodeAdapter(webhooks, config) {
  const { maxBodyBytes: limit, logger } = config;
  const tooLarge = (res) => {
    logger.warn(`hookwise: rejected a delivery larger than maxBodyBytes (${limit} bytes)`);
    send(res, TOO_LARGE);
  };
  return async function node(req, res) {
    if (!req || typeof req.on !== 'function' || !req.headers || !res || typeof res.end !== 'function') {
      throw new TypeError('hookwise: webhooks.node expects (req, res) from node:http, Express or Next.js Pages Router');
    }
    let body = req.body;
    // express.raw() (a Buffer) and express.text() (a string) leave the raw body where we can use it.
    if (body instanceof Uint8Array || typeof body === 'string') {
      if ((typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) > limit) return tooLarge(res);
    } else if (consumed(req)) {
      logger.warn('hookwise: rejected a delivery whose body a body parser already consumed (payload_not_raw)');
      return send(res, NOT_RAW);
    } else {
      if (Number(req.headers['content-length']) > limit) return tooLarge(res);
      try {
        body = await readBody(req, limit);
      } catch (err) {
        logger.info(`hookwise: delivery abandoned while reading the body: ${err.message}`);
        return undefined;
      }
      if (body === null) return tooLarge(res);
    }
    // The standard scheme reads its three headers itself (lib/standard/headers.js).
    const signature = config.scheme === 'standard' ? req.headers : signatureHeader(req);
    send(res, await answerFor(webhooks, logger, body.length === 0 ? '' : body, signature));
    return undefined;
  };
}

module.exports = { nodeAdapter };
