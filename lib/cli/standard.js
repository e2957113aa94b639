'use strict';
// `hookwise trigger --scheme standard` and `hookwise verify --scheme standard`:
// the two commands for Standard Webhooks senders (Clerk, Svix, Resend). The
// secret is --secret or CLERK_WEBHOOK_SIGNING_SECRET: a whsec_ secret (v1), or
// for verify a whpk_ public key (v1a) and for trigger a whsk_ secret key.
const fs = require('node:fs');
const { signStandardWebhook, verifyStandardWebhook, StandardWebhookVerificationError } = require('..');
const { buildClerkEvent, CLERK_EVENT_TYPES, clerkId } = require('../fixtures/clerk');
const { EXIT, UsageError, intOption, postDelivery, outcomeOfAnswer, unreachable, readPayloadFile } = require('./common');
const { table, styleOutcome } = require('./output');

const ENV_SECRET = 'CLERK_WEBHOOK_SIGNING_SECRET';
const PREFIXES = ['svix', 'webhook'];

const TRIGGER_USAGE = `hookwise trigger --scheme standard <event-type> --to URL [--secret whsec_...|whsk_...]
                 [--fixture FILE] [--times N] [--prefix svix|webhook] [--json]

Signs a realistic Clerk event of <event-type> by the Standard Webhooks scheme and POSTs it to
URL, N times under one message id (more are duplicates, as Svix's retries are). Clerk fixtures:
  ${CLERK_EVENT_TYPES.join('\n  ')}
--fixture FILE sends your own JSON instead (its bytes as they are). --prefix names the headers
(svix-id, ... as Clerk sends them, by default; or webhook-id, ...). The secret comes from --secret
or ${ENV_SECRET}. Exit code: 0 every delivery answered 2xx, 1 some did not, 2 usage error, 3 URL unreachable.`;

const VERIFY_USAGE = `hookwise verify --scheme standard --payload FILE --id ID --timestamp SECONDS --signature 'v1,...'
                [--secret whsec_...|whpk_...] [--tolerance SECONDS] [--json]

Checks a captured Standard Webhooks delivery (Clerk, Svix, Resend): the exact body bytes in FILE
and its webhook-id / webhook-timestamp / webhook-signature (or svix-*) header values. The secret
comes from --secret or ${ENV_SECRET} (several: comma-separated). --tolerance 0 checks the
signature only. Exit code: 0 valid, 1 invalid, 2 usage error.`;

function standardSecret(values) {
  const secret = values.secret !== undefined ? values.secret : process.env[ENV_SECRET];
  if (secret === undefined || secret.trim() === '') {
    throw new UsageError(`no signing secret: pass --secret whsec_... or set ${ENV_SECRET}`);
  }
  return secret.split(',').filter((s) => s.length > 0);
}

function readFixture(file, type) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --fixture ${file}: ${err.code || err.message}`);
  }
  let event;
  try {
    event = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--fixture ${file} is not JSON: ${err.message}`);
  }
  if (type !== undefined && event.type !== type) throw new UsageError(`--fixture ${file} is a "${event.type}" event, not "${type}"`);
  return { body: text, event };
}

function clerkBody(values, type) {
  if (values.fixture !== undefined) return readFixture(values.fixture, type);
  if (type === undefined) throw new UsageError(`an event type is required, one of: ${CLERK_EVENT_TYPES.join(', ')}`);
  if (!CLERK_EVENT_TYPES.includes(type)) {
    throw new UsageError(`no Clerk fixture for "${type}"; fixtures: ${CLERK_EVENT_TYPES.join(', ')} (or --fixture FILE)`);
  }
  const event = buildClerkEvent(type);
  return { body: JSON.stringify(event), event };
}

function withPrefix(headers, prefix) {
  if (prefix === 'webhook') return headers;
  return {
    'svix-id': headers['webhook-id'],
    'svix-timestamp': headers['webhook-timestamp'],
    'svix-signature': headers['webhook-signature'],
  };
}

function signingFailure(err) {
  if (err instanceof StandardWebhookVerificationError) {
    return new UsageError(`--secret: ${err.message} To sign, pass the whsec_ secret (v1) or a whsk_ secret key (v1a).`);
  }
  return err;
}

async function triggerStandard(values, positionals, io) {
  if (values.help) {
    io.out(TRIGGER_USAGE);
    return EXIT.OK;
  }
  if (values.attempt !== undefined || values.mode !== undefined) {
    throw new UsageError('--attempt and --mode are for Stripe fixtures; with --scheme standard use the Clerk event types');
  }
  if (positionals.length > 1) throw new UsageError(`one event type at a time, got: ${positionals.join(' ')}`);
  const prefix = values.prefix ?? 'svix';
  if (!PREFIXES.includes(prefix)) throw new UsageError('--prefix must be svix or webhook');
  const secret = standardSecret(values);
  const times = intOption(values, 'times', 1, 1);
  const { body, event } = clerkBody(values, positionals[0]);
  const id = clerkId('msg');
  const rows = [];
  let allOk = true;
  for (let i = 1; i <= times; i++) {
    let headers;
    try {
      headers = withPrefix(signStandardWebhook({ id, payload: body, secret }), prefix);
    } catch (err) {
      throw signingFailure(err);
    }
    let answer;
    try {
      answer = await postDelivery(values.to, body, headers);
    } catch (err) {
      throw Object.assign(unreachable(values.to, err), { exitCode: EXIT.UNREACHABLE });
    }
    if (answer.status < 200 || answer.status >= 300) allOk = false;
    rows.push({ n: i, status: answer.status, outcome: outcomeOfAnswer(answer), messageId: id, type: event.type, body: answer.body });
  }
  if (values.json) {
    io.out(JSON.stringify({ url: values.to, deliveries: rows }));
  } else {
    const c = io.colors;
    io.out(table(
      [{ title: '#', align: 'right' }, { title: 'status', align: 'right' }, { title: 'outcome' }, { title: 'type' }, { title: 'message' }],
      rows.map((r) => [r.n, r.status, styleOutcome(r.outcome, c), r.type, r.messageId]),
      c,
    ));
    for (const r of rows) {
      if (r.status >= 200 && r.status < 300) continue;
      const reason = r.body && typeof r.body === 'object' && typeof r.body.error === 'string' ? `${r.body.error}${r.body.message ? `: ${r.body.message}` : ''}` : String(r.body).split('\n')[0];
      io.out(`#${r.n} ${styleOutcome(r.outcome, c)}: ${reason}`);
    }
  }
  return allOk ? EXIT.OK : EXIT.FAILED;
}

const verifies = (payload, headers, secrets) => {
  try {
    verifyStandardWebhook(payload, headers, secrets, { tolerance: 0 });
    return true;
  } catch {
    return false;
  }
};

/** What usually went wrong, tried one by one (no secret or body is printed). */
function hints(code, ctx) {
  const { payload, headers, secrets, tolerance, now } = ctx;
  const age = now - Number(headers['webhook-timestamp']);
  switch (code) {
    case 'missing_header':
      return ['Pass all three: --id (webhook-id or svix-id), --timestamp (webhook-timestamp) and --signature (webhook-signature), as received.'];
    case 'bad_timestamp':
      return ['--timestamp must be the webhook-timestamp header: whole seconds since the epoch, digits only.'];
    case 'bad_secret':
      return [`The secret must be the endpoint's signing secret "whsec_..." (Clerk Dashboard > Webhooks > your endpoint > Signing Secret) or a "whpk_..." public key.`];
    case 'timestamp_too_old':
      return [`The signature is valid, but it was made ${age} s ago and the tolerance is ${tolerance} s (replay protection). Use --tolerance 0 to check the signature alone.`];
    case 'timestamp_in_future':
      return [`The signature is valid, but its timestamp is ${-age} s in the future: this machine's clock is behind (check NTP).`];
    case 'no_matching_signature': {
      const out = [];
      const text = payload.toString('utf8');
      if (/\r?\n$/.test(text) && verifies(text.replace(/\r?\n$/, ''), headers, secrets)) {
        out.push('The signature matches the payload without its trailing newline: save the body byte for byte.');
      }
      if (out.length === 0) {
        out.push('The signed content is "<webhook-id>.<webhook-timestamp>.<body>": check --id and --timestamp belong to this delivery, and that the body is the raw bytes (not re-serialized JSON).');
        out.push('Each endpoint has its own signing secret: check this one belongs to the endpoint that received the delivery.');
      }
      return out;
    }
    default:
      return [];
  }
}

async function verifyStandard(values, io) {
  if (values.help) {
    io.out(VERIFY_USAGE);
    return EXIT.OK;
  }
  if (values.header !== undefined) throw new UsageError('--header is the Stripe-Signature value; with --scheme standard pass --id, --timestamp and --signature');
  if (values.payload === undefined) throw new UsageError('--payload FILE is required (the exact body bytes)');
  const secrets = standardSecret(values);
  const tolerance = intOption(values, 'tolerance', 300);
  const payload = readPayloadFile(values.payload);
  const headers = { 'webhook-id': values.id ?? '', 'webhook-timestamp': values.timestamp ?? '', 'webhook-signature': values.signature ?? '' };
  const now = Math.floor(Date.now() / 1000);
  let code = null;
  let message = null;
  let result = null;
  try {
    result = verifyStandardWebhook(payload, headers, secrets, { tolerance });
  } catch (err) {
    if (err instanceof SyntaxError) {
      code = 'invalid_json';
      message = 'The signature is valid but the body is not valid JSON.';
    } else if (err instanceof StandardWebhookVerificationError) {
      code = err.code;
      message = err.message;
    } else {
      throw err;
    }
  }
  const c = io.colors;
  const advice = code === null || code === 'invalid_json' ? [] : hints(code, { payload, headers, secrets, tolerance, now });
  if (values.json) {
    io.out(JSON.stringify(code === null
      ? { valid: true, id: result.id, type: result.event && result.event.type, signedAt: result.timestamp }
      : { valid: false, code, message, hints: advice }));
  } else if (code === null) {
    const type = result.event && typeof result.event.type === 'string' ? `${result.event.type} ` : '';
    io.out(`${c.green('valid')}  ${type}${result.id}, signed ${now - result.timestamp} s ago`);
  } else {
    io.out(`${c.red('invalid')}  ${code}: ${message}`);
    for (const hint of advice) io.out(`  - ${hint}`);
  }
  return code === null ? EXIT.OK : EXIT.FAILED;
}

// The options the standard variants add to trigger and verify.
const TRIGGER_OPTIONS = { scheme: { type: 'string' }, prefix: { type: 'string' } };
const VERIFY_OPTIONS = { scheme: { type: 'string' }, id: { type: 'string' }, timestamp: { type: 'string' }, signature: { type: 'string' } };

/** --scheme's value: 'stripe' (default) or 'standard'. */
function schemeOf(values) {
  const scheme = values.scheme ?? 'stripe';
  if (scheme !== 'stripe' && scheme !== 'standard') throw new UsageError(`--scheme must be stripe or standard, got "${scheme}"`);
  return scheme;
}

module.exports = { triggerStandard, verifyStandard, schemeOf, TRIGGER_OPTIONS, VERIFY_OPTIONS, TRIGGER_USAGE, VERIFY_USAGE };
