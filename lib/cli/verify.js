'use strict';
// `hookwise verify --payload FILE --header '...' --secret ...`: checks a
// captured delivery and, when it fails, says why in terms of what to change.
const { verifyHeader } = require('..');
const { parseBody } = require('../event');
const { SignatureVerificationError } = require('../errors');
const { EXIT, UsageError, parse, secretFrom, intOption, readPayloadFile } = require('./common');
const { verifyStandard, schemeOf, VERIFY_OPTIONS } = require('./standard');

const USAGE = `hookwise verify --payload FILE --header 'Stripe-Signature value' [--secret whsec_...] [--tolerance SECONDS] [--json]

Checks a captured delivery: the exact body bytes in FILE and the Stripe-Signature header value.
The secret comes from --secret or STRIPE_WEBHOOK_SECRET. --tolerance 0 checks the signature only
(a captured delivery is older than the 300 s window soon after it was sent).
--scheme standard checks a Standard Webhooks (Clerk, Svix) delivery instead (hookwise verify --scheme standard --help).
Exit code: 0 valid, 1 invalid, 2 usage error.`;

const signedWith = (payload, header, secret) => {
  try {
    verifyHeader(payload, header, secret, 0);
    return true;
  } catch {
    return false;
  }
};

function timestampOf(header) {
  const m = /(?:^|,)\s*t=(\d+)/.exec(header);
  return m ? Number(m[1]) : null;
}

/** Why a signature does not match, found by trying what usually went wrong. */
function mismatchHints(payload, header, secrets) {
  const hints = [];
  const text = payload.toString('utf8');
  const variants = [
    ['without its trailing newline', () => text.replace(/\r?\n$/, ''), (t) => /\r?\n$/.test(t)],
    ['with LF line endings instead of CRLF', () => text.replace(/\r\n/g, '\n'), (t) => t.includes('\r\n')],
    ['with CRLF line endings instead of LF', () => text.replace(/(?<!\r)\n/g, '\r\n'), (t) => /(?<!\r)\n/.test(t)],
  ];
  for (const [what, make, applies] of variants) {
    if (applies(text) && secrets.some((s) => signedWith(make(), header, s))) {
      hints.push(`The signature matches the payload ${what}: the file was changed after capture (an editor or a copy). Save the body byte for byte.`);
    }
  }
  const trimmed = secrets.map((s) => s.trim());
  if (trimmed.some((s, i) => s !== secrets[i]) && trimmed.some((s) => signedWith(payload, header, s))) {
    hints.push('The signature matches once the whitespace around the secret is removed: trim STRIPE_WEBHOOK_SECRET.');
  }
  if (hints.length === 0) {
    try {
      const reformatted = JSON.stringify(JSON.parse(text));
      if (reformatted !== text) {
        hints.push('If the body was re-serialized (JSON.parse then JSON.stringify, a pretty-printer, a body parser), the bytes differ from what Stripe signed: use the raw body.');
      }
    } catch {
      // not JSON; nothing to say about formatting
    }
    if (secrets.some((s) => !s.startsWith('whsec_'))) {
      hints.push('The secret does not start with whsec_: use the endpoint\'s signing secret, not an API key.');
    }
    hints.push('Each endpoint (and each `stripe listen` session) has its own signing secret: check this one belongs to the endpoint that received the delivery.');
  }
  return hints;
}

function explain(err, ctx) {
  const { payload, header, secrets, tolerance, now } = ctx;
  const t = timestampOf(header);
  const age = t === null ? null : now - t;
  switch (err.code) {
    case 'missing_payload':
      return ['The payload file is empty.'];
    case 'missing_header':
      return ['The --header value is empty: pass the Stripe-Signature header as received.'];
    case 'malformed_header':
      return ['The header has no usable t= timestamp. A Stripe-Signature looks like t=1700000000,v1=<64 hex digits>[,v1=...].'];
    case 'no_signatures':
      return ['The header has no v1= signature (v0 and other schemes are not checked).'];
    case 'signature_mismatch':
      return mismatchHints(payload, header, secrets);
    case 'timestamp_too_old':
      return [
        `The signature is valid, but it was made ${age} s ago and the tolerance is ${tolerance} s. ` +
          'Stripe signs each delivery attempt afresh; a captured one cannot pass later (replay protection). ' +
          'Use --tolerance 0 to check the signature alone.',
      ];
    case 'timestamp_in_future':
      return [`The signature is valid, but its timestamp is ${-age} s in the future: this machine's clock is behind (check NTP).`];
    default:
      return [];
  }
}

async function run(argv, io) {
  const { values } = parse(argv, { payload: { type: 'string' }, header: { type: 'string' }, secret: { type: 'string' }, tolerance: { type: 'string' }, ...VERIFY_OPTIONS }, { usage: USAGE });
  if (schemeOf(values) === 'standard') return verifyStandard(values, io);
  for (const name of ['id', 'timestamp', 'signature']) {
    if (values[name] !== undefined) throw new UsageError(`--${name} is for --scheme standard; a Stripe delivery has one --header`);
  }
  if (values.help) {
    io.out(USAGE);
    return EXIT.OK;
  }
  if (values.payload === undefined) throw new UsageError('--payload FILE is required (the exact body bytes)');
  if (values.header === undefined) throw new UsageError("--header '...' is required (the Stripe-Signature value)");
  const secret = secretFrom(values, { io, command: 'verify' });
  const secrets = secret.split(',').filter((s) => s.length > 0);
  const tolerance = intOption(values, 'tolerance', 300);
  const payload = readPayloadFile(values.payload);
  const now = Math.floor(Date.now() / 1000);
  const c = io.colors;
  let code = null;
  let message = null;
  let hints = [];
  let event = null;
  try {
    verifyHeader(payload, values.header, secrets, tolerance);
    try {
      event = parseBody(payload);
    } catch {
      code = 'invalid_json';
      message = 'The signature is valid but the body is not valid JSON.';
    }
  } catch (err) {
    if (!(err instanceof SignatureVerificationError)) throw err;
    code = err.code;
    message = err.message.split('\n')[0].trim();
    hints = explain(err, { payload, header: values.header, secrets, tolerance, now });
  }
  const t = timestampOf(values.header);
  if (values.json) {
    io.out(JSON.stringify(code === null
      ? { valid: true, eventId: event && event.id, type: event && event.type, signedAt: t }
      : { valid: false, code, message, hints, signedAt: t }));
  } else if (code === null) {
    io.out(`${c.green('valid')}  ${event && event.type ? `${event.type} ${event.id}` : 'signature and JSON'}${t !== null ? `, signed ${now - t} s ago` : ''}`);
  } else {
    io.out(`${c.red('invalid')}  ${code}: ${message}`);
    for (const hint of hints) io.out(`  - ${hint}`);
  }
  return code === null ? EXIT.OK : EXIT.FAILED;
}

module.exports = { run, USAGE };
