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
// Prints µs per operation (wall clock, and process CPU time, which counts
// hookwise's parse helper thread too) and stripe-node / hookwise ratios.
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

// Iterations per batch so that one batch lasts about `batchMs`.
function calibrate(fn, batchMs) {
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= batchMs / 4) return Math.max(1, Math.round((n * batchMs) / ms));
    n *= 2;
  }
}

// The contenders' batches alternate, so that load from anything else on the
// machine falls on both alike; the median batch is reported.
function measure(fns) {
  const batchMs = quick ? 20 : 150;
  const batches = quick ? 5 : 15;
  const names = Object.keys(fns);
  const counts = Object.fromEntries(names.map((name) => [name, calibrate(fns[name], batchMs)]));
  const wall = Object.fromEntries(names.map((name) => [name, []]));
  const cpu = Object.fromEntries(names.map((name) => [name, []]));
  for (let b = 0; b < batches; b++) {
    for (const name of names) {
      const fn = fns[name];
      const n = counts[name];
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) fn();
      wall[name].push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
      const c = process.cpuUsage(c0);
      cpu[name].push((c.user + c.system) / n);
    }
  }
  const median = (list) => list.sort((a, b) => a - b)[batches >> 1];
  return Object.fromEntries(names.map((name) => [name, { wall: median(wall[name]), cpu: median(cpu[name]) }]));
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
      const us = measure(
        Object.fromEntries(
          Object.entries(contenders).map(([name, construct]) => [
            name,
            () => {
              sink += use(construct(payload, header));
            },
          ]),
        ),
      );
      const s = us['stripe-node'];
      const h = us.hookwise;
      const row = {
        size: `${(Buffer.byteLength(body) / 1024).toFixed(1)} KB`,
        payload: formName,
        use: useName,
        'stripe-node µs': s.wall.toFixed(1),
        'hookwise µs': h.wall.toFixed(1),
        ratio: `${(s.wall / h.wall).toFixed(2)}x`,
        // Process CPU time (all threads: hookwise's helper thread counts too).
        'stripe-node CPU µs': s.cpu.toFixed(1),
        'hookwise CPU µs': h.cpu.toFixed(1),
        'CPU ratio': `${(s.cpu / h.cpu).toFixed(2)}x`,
      };
      rows.push(row);
      process.stdout.write(`${Object.values(row).join('\t')}\n`);
    }
  }
}
console.log();
console.table(rows);
if (sink === 0) console.log('(sink)');
