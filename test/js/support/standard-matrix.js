'use strict';
// A generated matrix of Standard Webhooks deliveries for the cross-checks
// against `standardwebhooks` and `svix` (test/js/standard-webhooks.test.js):
// payloads, secrets, timestamps, signature headers and header forms, each
// case serialisable (so that a child process under another Node can judge the
// same cases). Signatures are made here with node:crypto, independently of
// hookwise. Every case is one the references define: JSON bodies in valid
// UTF-8 (they re-decode Buffers as text), all-digit timestamps (they parseInt
// "12ab" as 12; hookwise's stricter rule has its own test), and, when both
// prefixes are present, the same values under both (svix prefers svix-*,
// hookwise webhook-*: API.md section 9).
const crypto = require('node:crypto');
const { seededRandom } = require('./random');

// Fixed "now" for every verifier (the tests replace Date.now while they run): ms part 999,
// so flooring to seconds matters.
const NOW_MS = 1_700_000_000_999;
const NOW = Math.floor(NOW_MS / 1000);

const PAYLOADS = [
  () => JSON.stringify({ type: 'user.created', object: 'event', data: { id: 'user_2a', email_addresses: [] } }),
  () => '{"type":"user.updated","data":{"first_name":"Zoë","last_name":"Ångström 😀"},"object":"event"}',
  () => '{\n  "type": "user.deleted",\n  "data": { "id": "user_1", "deleted": true }\n}\n',
  () => '{"type":"email.sent","data":{"html":"<p>\\u00e9\\n</p>","n":1e400,"__proto__":{"x":1}}}',
  () => '{}',
  () => '[1,2,3]',
  () => JSON.stringify({ type: 'big', data: { items: Array.from({ length: 400 }, (_, i) => ({ i, s: 'x'.repeat(40) })) } }),
];

const sign = (secretBytes, id, ts, payload) =>
  `v1,${crypto.createHmac('sha256', secretBytes).update(`${id}.${ts}.`).update(payload).digest('base64')}`;

function flip(signature, at) {
  const chars = signature.split('');
  const i = 3 + (at % (chars.length - 4));
  chars[i] = chars[i] === 'A' ? 'B' : 'A';
  return chars.join('');
}

const HEADER_FORMS = ['lower', 'title', 'svix', 'both', 'upper'];

function headersFor(form, id, ts, signature) {
  const values = [id, ts, signature];
  const names = (prefix, cased) => ['id', 'timestamp', 'signature'].map((n) => cased(`${prefix}-${n}`));
  const record = {};
  const put = (keys) => keys.forEach((k, i) => { if (values[i] !== undefined) record[k] = values[i]; });
  const title = (s) => s.replace(/(^|-)([a-z])/g, (m, d, c) => d + c.toUpperCase());
  if (form === 'lower') put(names('webhook', (s) => s));
  else if (form === 'title') put(names('webhook', title));
  else if (form === 'upper') put(names('webhook', (s) => s.toUpperCase()));
  else if (form === 'svix') put(names('svix', (s) => s));
  else {
    put(names('svix', (s) => s));
    put(names('webhook', (s) => s));
  }
  return record;
}

/**
 * The cases: { payload: string, bytes: boolean, secret, headers (a plain record),
 * form, signatureValid, inWindow }. `references` per case lists which libraries define it:
 * standardwebhooks reads only webhook-* names.
 */
function standardMatrix(count = 700, seed = 18) {
  const rnd = seededRandom(seed);
  const cases = [];
  for (let n = 0; n < count; n++) {
    const secretBytes = rnd.bytes(rnd.pick([24, 32, 16]));
    const secret = `whsec_${secretBytes.toString('base64')}`;
    const otherSecret = rnd.bytes(32);
    const payload = rnd.pick(PAYLOADS)();
    const id = rnd.pick(['msg_', 'msg_2Yj.', 'evt-']) + rnd.bytes(8).toString('hex');
    const offset = rnd.pick([0, 1, -1, 299, -299, 300, -300, 301, -301, 5000, -5000, 7]);
    let ts = String(NOW + offset);
    const inWindow = Math.abs(offset) <= 300;
    if (rnd.int(12) === 0) ts = `00${ts}`; // leading zeros: both sides sign the canonical digits
    const good = sign(secretBytes, id, String(Number(ts)), payload);
    let signature;
    let signatureValid = false;
    switch (rnd.int(12)) {
      case 0:
        signature = flip(good, rnd.int(40));
        break;
      case 1:
        signature = sign(otherSecret, id, String(Number(ts)), payload);
        break;
      case 2:
        signature = sign(secretBytes, `${id}x`, String(Number(ts)), payload);
        break;
      case 3:
        signature = sign(secretBytes, id, String(Number(ts) + 1), payload);
        break;
      case 4:
        signature = sign(secretBytes, id, String(Number(ts)), `${payload} `);
        break;
      case 5:
        signature = `v2,${good.slice(3)}`;
        break;
      case 6:
        signature = good.replace(/=+$/, '') + (good.endsWith('=') ? '' : 'A'); // padding dropped / char added
        break;
      case 7:
        signature = `v1,${crypto.randomBytes(32).toString('base64')} ${good}`;
        signatureValid = true;
        break;
      case 8:
        signature = `v1a,${crypto.randomBytes(64).toString('base64')} ${good} v1,zzz`;
        signatureValid = true;
        break;
      default:
        signature = good;
        signatureValid = true;
    }
    let idValue = id;
    let tsValue = ts;
    let sigValue = signature;
    const drop = rnd.int(20);
    if (drop === 0) idValue = undefined;
    else if (drop === 1) tsValue = undefined;
    else if (drop === 2) sigValue = undefined;
    else if (drop === 3) sigValue = '';
    const form = rnd.pick(HEADER_FORMS);
    const missing = drop <= 3;
    cases.push({
      n,
      payload,
      bytes: rnd.int(2) === 0,
      secret,
      headers: headersFor(form, idValue, tsValue, sigValue),
      form,
      missing,
      signatureValid: signatureValid && !missing,
      inWindow,
    });
  }
  return cases;
}

/** Whether `standardwebhooks` defines a case (it reads only the webhook-* names). */
const standardwebhooksDefines = (c) => c.form !== 'svix';

module.exports = { standardMatrix, standardwebhooksDefines, NOW_MS, NOW, headersFor };
