'use strict';
// constructEvent: hookwise vs stripe-node, same process, same run.
//
//   node bench/parse.js [--quick]
//
// Bodies: pretty-printed invoice.paid events (as Stripe sends them) of about
// 2 KB, 14 KB, 130 KB and 1.3 MB, each given as a Buffer (express.raw(),
// arrayBuffer()) and as a string (req.text()). Two uses of the event:
//   route: read event.id and event.type (what routing + dedup need)
//   full:  walk every value of event.data.object
// Prints µs per operation and stripe-node / hookwise ratios.
const Stripe = require('stripe');
const hookwise = require('..');
const { text, invoicePaidEventOfSize } = require('../test/fixtures/events/generate');

const quick = process.argv.includes('--quick');
const stripe = new Stripe('sk_test_bench');
const secret = 'whsec_bench_secret_0123456789abcdef';

function walk(value) {
  let n = 1;
  if (value !== null && typeof value === 'object') {
    for (const key in value) n += walk(value[key]);
  }
  return n;
}

const uses = {
  route: (event) => (event.id.length + event.type.length),
  full: (event) => walk(event.data.object),
};

const contenders = {
  'stripe-node': (payload, header) => stripe.webhooks.constructEvent(payload, header, secret),
  hookwise: (payload, header) => hookwise.constructEvent(payload, header, secret),
};

// Median of several timed batches, each long enough to swamp timer overhead.
function measure(fn) {
  const batchMs = quick ? 20 : 80;
  const batches = quick ? 5 : 9;
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= batchMs / 4) {
      n = Math.max(1, Math.round((n * batchMs) / ms));
      break;
    }
    n *= 2;
  }
  const samples = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  samples.sort((a, b) => a - b);
  return samples[batches >> 1];
}

const sizes = [2_000, 14_000, 130_000, 1_300_000];
const rows = [];
let sink = 0;
for (const size of sizes) {
  const body = text(invoicePaidEventOfSize(size));
  const forms = { Buffer: Buffer.from(body), string: body };
  for (const [formName, payload] of Object.entries(forms)) {
    for (const [useName, use] of Object.entries(uses)) {
      const header = hookwise.generateTestHeaderString({ payload: body, secret });
      // Same result from both, checked once before timing.
      const a = contenders['stripe-node'](payload, header);
      const b = contenders.hookwise(payload, header);
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('results differ');
      const us = {};
      for (const [name, construct] of Object.entries(contenders)) {
        us[name] = measure(() => {
          sink += use(construct(payload, header));
        });
      }
      const row = {
        size: `${(Buffer.byteLength(body) / 1024).toFixed(1)} KB`,
        payload: formName,
        use: useName,
        'stripe-node µs': us['stripe-node'].toFixed(1),
        'hookwise µs': us.hookwise.toFixed(1),
        ratio: `${(us['stripe-node'] / us.hookwise).toFixed(2)}x`,
      };
      rows.push(row);
      process.stdout.write(`${Object.values(row).join('\t')}\n`);
    }
  }
}
console.log();
console.table(rows);
if (sink === 0) console.log('(sink)');
