'use strict';
// What the CLI commands share: argument parsing with usage errors, the secret
// (--secret or STRIPE_WEBHOOK_SECRET), the SqliteStore at --db, and exit codes.
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

// Exit codes (documented in README and `hookwise help`).
const EXIT = Object.freeze({ OK: 0, FAILED: 1, USAGE: 2, UNREACHABLE: 3 });

const DEFAULT_DB = path.join('.hookwise', 'events.db');

class UsageError extends Error {}

/** util.parseArgs, with its errors turned into UsageError (exit 2) and a `--json` flag everywhere. */
function parse(argv, options, { positionals = false } = {}) {
  try {
    return parseArgs({ args: argv, options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new UsageError(err.message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

function secretFrom(values, { required = true } = {}) {
  const secret = values.secret ?? process.env.STRIPE_WEBHOOK_SECRET;
  if (required && (secret === undefined || secret.trim() === '')) {
    throw new UsageError('no signing secret: pass --secret whsec_... or set STRIPE_WEBHOOK_SECRET');
  }
  return secret;
}

function intOption(values, name, fallback, min = 0) {
  if (values[name] === undefined) return fallback;
  const n = Number(values[name]);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${values[name]}"`);
  return n;
}

function urlOption(values, name, { required = false } = {}) {
  const raw = values[name];
  if (raw === undefined) {
    if (required) throw new UsageError(`--${name} URL is required`);
    return undefined;
  }
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${name} must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--${name} must be an http(s) URL, got "${raw}"`);
  return url.href;
}

/** The SqliteStore at `dbPath` (its directory created first); a clear error if this build has none. */
function openStore(dbPath, { keepPayloads = false, mustExist = false } = {}) {
  const file = dbPath ?? DEFAULT_DB;
  if (mustExist && !fs.existsSync(file)) {
    throw new UsageError(`no event database at ${file} (pass --db FILE; \`hookwise listen\` creates ${DEFAULT_DB})`);
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const { SqliteStore } = require('..');
  if (typeof SqliteStore !== 'function') {
    throw new Error('hookwise: this build has no SqliteStore (lib/stores/sqlite-store.js); the CLI needs it');
  }
  return new SqliteStore({ path: file, keepPayloads });
}

/** POSTs a signed body; resolves { status, body } (body parsed when JSON), or rejects when unreachable. */
async function postDelivery(url, body, header) {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header, 'user-agent': 'hookwise-cli (Stripe/1.0 compatible)' },
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** The outcome a hookwise receiver reported in its answer body (or the HTTP status for other servers). */
function outcomeOfAnswer({ status, body }) {
  if (body && typeof body === 'object') {
    if (status === 200) {
      for (const key of ['duplicate', 'ignored', 'stale', 'dead_lettered']) if (body[key] === true) return key;
      return 'processed';
    }
    if (status === 409) return 'in_progress';
    if (status === 413) return 'too_large';
    if (status === 500 && body.error === 'handler_failed') return 'failed';
    if (status === 400) return 'rejected';
  }
  return status >= 200 && status < 300 ? 'accepted' : `http_${status}`;
}

function unreachable(url, err) {
  const cause = err.cause && err.cause.code ? err.cause.code : err.message;
  return new Error(`could not reach ${url} (${cause}). Is \`hookwise listen\` (or your app) running there?`);
}

module.exports = { EXIT, DEFAULT_DB, UsageError, parse, secretFrom, intOption, urlOption, openStore, postDelivery, outcomeOfAnswer, unreachable };
