'use strict';
// The portable implementation (hookwise/portable, what workerd, Vercel Edge,
// Convex's default runtime and Deno get) next to stripe-node's
// constructEventAsync with its SubtleCrypto provider (what those runtimes use
// with stripe-node), in one process and one run.
//
//   node bench/portable.js
//
// Rows: pretty-printed Stripe events of about 2, 14 and 130 KB, given as a
// Buffer (as request.arrayBuffer() gives them) and as a string (request.text()).
// Columns: µs per call and stripe-node / hookwise ratios for
//   stripe async Subtle  Stripe.webhooks.constructEventAsync(…, SubtleCrypto provider)
//   portable async       hookwise/portable constructEventAsync as it runs in Node: bodies
//                        under 64 KiB verified inline with node:crypto, larger ones with
//                        WebCrypto (key imported once per secret) while the body is parsed
//   WebCrypto only       the same with the inline path off: what runtimes without
//                        node:crypto (workerd, Vercel Edge, Convex) run
//   native async         require('hookwise').constructEventAsync, for scale
// stripe-node imports the key on every call and verifies before it parses.
// The machine is shared: each figure is the median of ROUNDS rounds, the
// competitors interleaved within each round.
const Stripe = require('stripe');
const portable = require('../lib/portable');
const { settings } = require('../lib/engine/portable/verifier');
const { measure, stripeEventBody, fmt, printTable } = require('./support');

const ROUNDS = Number(process.env.BENCH_ROUNDS) || 5;
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function webCryptoOnly(fn) {
  const saved = settings.inlineMaxBytes;
  settings.inlineMaxBytes = 0;
  try {
    return await fn();
  } finally {
    settings.inlineMaxBytes = saved;
  }
}

const SECRET = 'whsec_bench_secret_0123456789abcdef';
const stripeWebhooks = Stripe.webhooks;
const subtle = Stripe.createSubtleCryptoProvider();

let native = null;
try {
  native = require('..');
  if (native.implementation !== 'native') native = null;
} catch {
  native = null;
}

async function main() {
  const os = require('node:os');
  console.log(`node ${process.version}, stripe ${Stripe.PACKAGE_VERSION}, ${os.cpus()[0].model}, nproc ${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('\nµs per call (lower is better); ratio = stripe-node / hookwise/portable\n');
  const header = ['size', 'payload', 'stripe async Subtle', 'portable async', 'ratio', 'WebCrypto only', 'ratio', 'native async'];
  const rows = [];
  for (const size of [2 * 1024, 14 * 1024, 130 * 1024]) {
    const text = stripeEventBody(size);
    const bytes = Buffer.from(text);
    const t = Math.floor(Date.now() / 1000);
    const sig = portable.generateTestHeaderString({ payload: text, secret: SECRET, timestamp: t });
    for (const [form, body] of [['Buffer', bytes], ['string', text]]) {
      // Same answers first: a benchmark of a wrong result is worthless.
      const reference = JSON.stringify(await stripeWebhooks.constructEventAsync(body, sig, SECRET, undefined, subtle));
      for (const ours of [await portable.constructEventAsync(body, sig, SECRET), await webCryptoOnly(() => portable.constructEventAsync(body, sig, SECRET))]) {
        if (JSON.stringify(ours) !== reference) throw new Error(`different events at ${size} bytes (${form})`);
      }
      const runs = { sa: [], pa: [], pw: [], na: [] };
      const opts = { minMs: 150, warmup: 100 };
      for (let round = 0; round < ROUNDS; round++) {
        runs.sa.push(await measure(() => stripeWebhooks.constructEventAsync(body, sig, SECRET, undefined, subtle), opts));
        runs.pa.push(await measure(() => portable.constructEventAsync(body, sig, SECRET), opts));
        runs.pw.push(await webCryptoOnly(() => measure(() => portable.constructEventAsync(body, sig, SECRET), opts)));
        if (native) runs.na.push(await measure(() => native.constructEventAsync(body, sig, SECRET), opts));
      }
      const [sa, pa, pw] = [median(runs.sa), median(runs.pa), median(runs.pw)];
      rows.push([`${(bytes.length / 1024).toFixed(1)} KB`, form, fmt(sa), fmt(pa), `${(sa / pa).toFixed(1)}x`,
        fmt(pw), `${(sa / pw).toFixed(1)}x`, native ? fmt(median(runs.na)) : 'n/a']);
    }
  }
  printTable(header, rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
