'use strict';
// The three Standard Webhooks headers out of whatever the caller has: a Fetch
// `Headers`, Node's IncomingHttpHeaders or a plain record, looked up
// case-insensitively (API.md section 9). The `webhook-*` names are used when
// `webhook-id` is present, else the `svix-*` names (Svix, and Clerk through
// it, send both or only the svix- ones).
const { isString, invalidArgument } = require('../args');

const NAMES = Object.freeze({
  webhook: Object.freeze(['webhook-id', 'webhook-timestamp', 'webhook-signature']),
  svix: Object.freeze(['svix-id', 'svix-timestamp', 'svix-signature']),
});

/** A lookup function name -> string | undefined over `headers`. */
function lookupOf(headers) {
  if (headers === null || typeof headers !== 'object') {
    throw invalidArgument('headers', 'a Headers object, req.headers or a record of header values', headers);
  }
  if (typeof headers.get === 'function' && typeof headers.has === 'function') {
    return (name) => headers.get(name) ?? undefined;
  }
  let lower = null;
  return (name) => {
    if (Object.prototype.hasOwnProperty.call(headers, name)) return headers[name];
    if (lower === null) {
      lower = new Map();
      for (const key of Object.keys(headers)) {
        const k = key.toLowerCase();
        if (!lower.has(k)) lower.set(k, headers[key]);
      }
    }
    return lower.get(name);
  };
}

function valueOf(name, value) {
  if (value === undefined || value === null) return '';
  if (isString(value)) return value;
  throw invalidArgument(`the ${name} header`, 'a string', value);
}

/** { id, timestamp, signature } as strings ('' when absent). */
function readStandardHeaders(headers) {
  const get = lookupOf(headers);
  const webhookId = get('webhook-id');
  const names = webhookId !== undefined && webhookId !== null ? NAMES.webhook : NAMES.svix;
  const [id, timestamp, signature] = names.map((name) => valueOf(name, get(name)));
  return { id, timestamp, signature };
}

module.exports = { readStandardHeaders };
