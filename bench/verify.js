'use strict';
// Verification: hookwise next to stripe-node in one process and one run.
//
//   node bench/verify.js
//
// Rows: body sizes of about 1.6 KB, 10 KB and 90 KB (pretty-printed Stripe
// events, given as a Buffer as express.raw() and arrayBuffer() give them).
// Columns: µs per call and stripe-node / hookwise ratios for
//   verify only       webhooks.signature.verifyHeader  vs hookwise.verifyHeader
//   verify + parse    constructEvent                   vs hookwise.constructEvent
//   async (Subtle)    constructEventAsync(SubtleCrypto provider, as on Convex/edge)
//                                                      vs hookwise.constructEventAsync
//   HMAC floor        node:crypto createHmac over the same bytes (what any verifier must pay)
// then the async threshold: inline verify vs a round trip through the thread pool,
// and the pool path for large bodies (64 KiB - 1 MiB), where the addon copies
// the caller's bytes on the JS thread before the pool reads them.
//
//   node bench/verify.js --large   only that last table (to compare two builds:
//                                  HOOKWISE_NATIVE_BINARY=path/to/hookwise.node)
const crypto = require('node:crypto');
const Stripe = require('stripe');
const hookwise = require('..');
const native = require('../lib/native');
const { measure, stripeEventBody, fmt, printTable } = require('./support');

const SECRET = 'whsec_bench_secret_0123456789abcdef';
const stripeWebhooks = Stripe.webhooks;
const subtle = Stripe.createSubtleCryptoProvider();

async function main() {
  console.log(`node ${process.version}, stripe ${Stripe.PACKAGE_VERSION}, ${require('node:os').cpus()[0].model}`);
  if (process.argv.includes('--large')) return largeBodies();
  console.log('\nµs per call (lower is better); ratio = stripe-node / hookwise\n');
  const header = ['size', 'HMAC floor', 'verify: stripe', 'hookwise', 'ratio', 'hw/floor',
    'verify+parse: stripe', 'hookwise', 'ratio', 'async Subtle: stripe', 'hookwise async', 'ratio'];
  const rows = [];
  for (const size of [1600, 10 * 1024, 90 * 1024]) {
    const text = stripeEventBody(size);
    const body = Buffer.from(text);
    const t = Math.floor(Date.now() / 1000);
    const sig = hookwise.generateTestHeaderString({ payload: text, secret: SECRET, timestamp: t });
    const floor = await measure(() => crypto.createHmac('sha256', SECRET).update(`${t}.`).update(body).digest('hex'));
    const sv = await measure(() => stripeWebhooks.signature.verifyHeader(body, sig, SECRET));
    const hv = await measure(() => hookwise.verifyHeader(body, sig, SECRET));
    const sc = await measure(() => stripeWebhooks.constructEvent(body, sig, SECRET));
    const hc = await measure(() => hookwise.constructEvent(body, sig, SECRET));
    const sa = await measure(() => stripeWebhooks.constructEventAsync(body, sig, SECRET, undefined, subtle));
    const ha = await measure(() => hookwise.constructEventAsync(body, sig, SECRET));
    rows.push([`${(body.length / 1024).toFixed(1)} KB`, fmt(floor), fmt(sv), fmt(hv), `${(sv / hv).toFixed(1)}x`,
      `${(hv / floor).toFixed(2)}x`, fmt(sc), fmt(hc), `${(sc / hc).toFixed(1)}x`, fmt(sa), fmt(ha), `${(sa / ha).toFixed(1)}x`]);
  }
  printTable(header, rows);

  console.log('\nasync threshold: µs per verification, inline on the JS thread vs through the libuv pool');
  const trows = [];
  for (const size of [4, 16, 32, 64, 128, 256].map((k) => k * 1024)) {
    const body = Buffer.alloc(size, 0x20);
    const t = Math.floor(Date.now() / 1000);
    const sig = hookwise.generateTestHeaderString({ payload: body.toString(), secret: SECRET, timestamp: t });
    const sigText = sig;
    const inline = await measure(() => native.verify(body, sigText, [SECRET], 300, Date.now()));
    const pooled = await measure(() => native.verifyAsync(body, sigText, [SECRET], 300, Date.now()));
    trows.push([`${size / 1024} KB`, fmt(inline), fmt(pooled), fmt(pooled - inline)]);
  }
  printTable(['size', 'inline', 'pool round trip', 'pool overhead'], trows);
  await largeBodies();
}

// The thread-pool path with bodies of 64 KiB to 1 MiB: what the copy of the
// caller's bytes (made on the JS thread, so that a detached or transferred
// ArrayBuffer cannot be read after it is freed) costs next to the HMAC.
async function largeBodies() {
  console.log('\nlarge bodies on the pool: µs per call (verifyAsync, constructEventAsync) vs the HMAC floor');
  const rows = [];
  for (const size of [64, 256, 1024].map((k) => k * 1024)) {
    const text = stripeEventBody(size);
    const body = Buffer.from(text);
    const t = Math.floor(Date.now() / 1000);
    const sig = hookwise.generateTestHeaderString({ payload: text, secret: SECRET, timestamp: t });
    const floor = await measure(() => crypto.createHmac('sha256', SECRET).update(`${t}.`).update(body).digest('hex'));
    const va = await measure(() => native.verifyAsync(body, sig, [SECRET], 300, Date.now()));
    const ca = await measure(() => hookwise.constructEventAsync(body, sig, SECRET));
    const copy = await measure(() => Buffer.from(body));
    rows.push([`${(body.length / 1024).toFixed(0)} KB`, fmt(floor), fmt(va), fmt(ca), fmt(copy), `${(va / floor).toFixed(2)}x`]);
  }
  printTable(['size', 'HMAC floor', 'verifyAsync', 'constructEventAsync', 'Buffer copy', 'verifyAsync/floor'], rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
