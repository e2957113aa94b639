// Judges test/js/support/standard-matrix.js cases with `svix` (2.5, whose
// package asks for Node >= 22): reads the cases as JSON on stdin, prints one
// verdict per case ({ ok } or { ok: false, message }) as JSON. Run as a child
// process under a given Node binary by test/js/standard-webhooks.test.js, with
// Date.now fixed to the matrix's NOW_MS.
import { Webhook } from 'svix';

const input = await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
});
const { nowMs, cases } = JSON.parse(input);
Date.now = () => nowMs;
const verdicts = cases.map((c) => {
  try {
    const payload = c.bytes ? Buffer.from(c.payload, 'utf8') : c.payload;
    const result = new Webhook(c.secret).verify(payload, c.headers);
    return { ok: true, returned: result === undefined ? 'undefined' : typeof result };
  } catch (err) {
    return { ok: false, message: err.message };
  }
});
process.stdout.write(JSON.stringify({ node: process.version, verdicts }));
