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

/** Edit distance with adjacent transpositions (optimal string alignment): `--secert` is 1 from `--secret`. */
function editDistance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The option a mistyped name most likely meant (`secert` -> `secret`, `dead` -> `dead-letters`), or undefined. */
function closestOption(typed, names) {
  const lower = typed.toLowerCase();
  if (lower === '') return undefined;
  const exact = names.find((n) => n === lower);
  if (exact) return exact;
  let best;
  let bestDistance = Infinity;
  for (const name of names) {
    const distance = editDistance(lower, name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  if (bestDistance <= (lower.length <= 3 ? 1 : 2)) return best;
  const prefixed = names.filter((n) => n.startsWith(lower));
  return lower.length >= 2 && prefixed.length === 1 ? prefixed[0] : undefined;
}

/** The argument as the user typed it that parseArgs reported as `token` (`-to` is reported as `-t`). */
function rawArgument(argv, token) {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  const long = args.find((a) => a === token || a.startsWith(`${token}=`));
  if (long !== undefined || token.startsWith('--')) return (long ?? token).split('=')[0];
  return (args.find((a) => !a.startsWith('--') && a.startsWith(token)) ?? token).split('=')[0];
}

/** parseArgs's error as a usage error in our words: the option named, a suggestion, the usage. */
function usageErrorOf(err, argv, names, usage) {
  const token = (/'(-{1,2}[^' <]*)/.exec(err.message) || [])[1];
  const withUsage = (message) => new UsageError(usage ? `${message}\n\n${usage}` : message);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const typed = token ? rawArgument(argv, token) : '?';
      const meant = closestOption(typed.replace(/^-+/, ''), names);
      return withUsage(`unknown option ${typed}${meant ? ` (did you mean --${meant}?)` : ''}`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = (/'([^']*)'/.exec(err.message) || [])[1];
      return withUsage(`unexpected argument ${arg === undefined ? '' : JSON.stringify(arg)} (this command takes options only)`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (token && /does not take an argument/.test(err.message)) return new UsageError(`${token} takes no value`);
      if (token && /ambiguous/.test(err.message)) return new UsageError(`${token} needs a value (for a value starting with "-", write ${token}=-...)`);
      if (token) return new UsageError(`${token} needs a value`);
      return new UsageError(err.message);
    default:
      return new UsageError(err.message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

/**
 * util.parseArgs, with its errors turned into UsageError (exit 2) in our words (an unknown
 * option gets a "did you mean" and the command's usage), and a `--json` flag everywhere.
 */
function parse(argv, options, { positionals = false, usage } = {}) {
  const all = { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
  try {
    return parseArgs({ args: argv, options: all, allowPositionals: positionals, strict: true });
  } catch (err) {
    if (typeof err.code !== 'string' || !err.code.startsWith('ERR_PARSE_ARGS_')) throw err;
    throw usageErrorOf(err, argv, Object.keys(all), usage);
  }
}

const API_KEYS = { sk_: 'a secret API key', rk_: 'a restricted API key', pk_: 'a publishable key' };

/**
 * What looks wrong about a signing secret (none of it provably wrong, so these are warnings):
 * whitespace around it, an API key where the endpoint's whsec_ secret belongs, another prefix.
 * `secret` may be a comma-separated list (verify); each item is checked. Never quotes the secret.
 */
function secretWarnings(secret, from, { whitespace = true } = {}) {
  const items = secret.split(',');
  const warnings = [];
  items.forEach((item, i) => {
    const which = items.length > 1 ? `secret #${i + 1} of ${from}` : `the secret from ${from}`;
    if (whitespace && item !== item.trim()) {
      warnings.push(`${which} has leading or trailing whitespace (a space, tab or newline), which Stripe's signing secrets never have: trim it (it is used as given).`);
    }
    const key = Object.keys(API_KEYS).find((prefix) => item.trim().startsWith(prefix));
    if (key) {
      warnings.push(`${which} starts with ${key}: that is ${API_KEYS[key]}, not a webhook signing secret. Use the endpoint's signing secret (whsec_..., Dashboard > Developers > Webhooks > your endpoint, or the one \`stripe listen\` prints).`);
    } else if (item.trim() !== '' && !item.trim().startsWith('whsec_')) {
      warnings.push(`${which} does not start with whsec_: Stripe's webhook signing secrets do.`);
    }
  });
  return warnings;
}

/** Prints secretWarnings to stderr (not fatal): "hookwise <command>: warning: ...", or JSON lines with `json`. */
function warnAboutSecret(secret, { io, command, from, json = false, whitespace = true }) {
  for (const message of secretWarnings(secret, from, { whitespace })) {
    io.err(json ? JSON.stringify({ level: 'warn', message: `hookwise ${command}: ${message}` }) : `hookwise ${command}: warning: ${message}`);
  }
}

/** The secret (--secret, else STRIPE_WEBHOOK_SECRET), warning on stderr when it looks wrong. */
function secretFrom(values, { required = true, io, command } = {}) {
  const fromFlag = values.secret !== undefined;
  const secret = fromFlag ? values.secret : process.env.STRIPE_WEBHOOK_SECRET;
  if (required && (secret === undefined || secret.trim() === '')) {
    throw new UsageError('no signing secret: pass --secret whsec_... or set STRIPE_WEBHOOK_SECRET');
  }
  if (secret !== undefined && secret.trim() !== '' && io) {
    warnAboutSecret(secret, { io, command, from: fromFlag ? '--secret' : 'STRIPE_WEBHOOK_SECRET' });
  }
  return secret;
}

/** The exact bytes of a captured body (--payload FILE), or a usage error naming the file. */
function readPayloadFile(file) {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read --payload ${file}: ${err.code || err.message}`);
  }
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

/**
 * POSTs a signed body; resolves { status, body } (body parsed when JSON), or rejects when unreachable.
 * `header` is the Stripe-Signature value, or (Standard Webhooks) a record of the signing headers.
 */
async function postDelivery(url, body, header) {
  const signing = typeof header === 'string' ? { 'stripe-signature': header } : header;
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json; charset=utf-8', ...signing, 'user-agent': 'hookwise-cli (Stripe/1.0 compatible)' },
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

module.exports = {
  EXIT, DEFAULT_DB, UsageError, parse, editDistance, closestOption, secretWarnings, warnAboutSecret, secretFrom,
  intOption, urlOption, openStore, postDelivery, outcomeOfAnswer, unreachable, readPayloadFile,
};
