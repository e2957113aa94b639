'use strict';
// Shared pieces of the JS benchmarks: a timing loop and realistic bodies.

/** Mean µs per call of fn (sync or async), after a warm-up, over >= minMs. */
async function measure(fn, { minMs = 400, warmup = 200 } = {}) {
  const probe = fn();
  const isAsync = probe && typeof probe.then === 'function';
  if (isAsync) await probe;
  for (let i = 0; i < warmup; i += 1) {
    if (isAsync) await fn(); else fn();
  }
  let iterations = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(minMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 50; i += 1) {
      if (isAsync) await fn(); else fn();
    }
    iterations += 50;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / 1000 / iterations;
}

/**
 * Median µs per call of each function in `fns` ({ name: fn }), measured in
 * `rounds` interleaved rounds of about `minMs` each: on a shared, loaded machine
 * a load spike then hits every contender of a round alike, and the median
 * drops the rounds it distorted most.
 */
async function measureRounds(fns, { rounds = 7, minMs = 60, warmup = 50 } = {}) {
  const samples = Object.fromEntries(Object.keys(fns).map((name) => [name, []]));
  for (let r = 0; r < rounds; r += 1) {
    for (const [name, fn] of Object.entries(fns)) samples[name].push(await measure(fn, { minMs, warmup }));
  }
  const median = (list) => list.slice().sort((a, b) => a - b)[Math.floor(list.length / 2)];
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, median(list)]));
}

/** A Stripe-shaped event, pretty-printed as Stripe sends it, padded to about `bytes`. */
function stripeEventBody(bytes) {
  const lines = [];
  const event = {
    id: 'evt_1QbenchAbCdEfGhIjKlMnOp',
    object: 'event',
    api_version: '2025-03-31.basil',
    created: 1760000000,
    data: {
      object: {
        id: 'in_1QbenchInvoice',
        object: 'invoice',
        customer: 'cus_Rbench',
        currency: 'usd',
        status: 'paid',
        lines: { object: 'list', data: lines, has_more: false, url: '/v1/invoices/in_1QbenchInvoice/lines' },
        parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_1Qbench', metadata: {} } },
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'invoice.paid',
  };
  let i = 0;
  while (JSON.stringify(event, null, 2).length < bytes) {
    lines.push({
      id: `il_1Qbench${i}`,
      object: 'line_item',
      amount: 1999 + i,
      currency: 'usd',
      description: `1 × Premium plan (at $19.99 / month) — line ${i}`,
      period: { end: 1762592000 + i, start: 1760000000 + i },
      pricing: { price_details: { price: 'price_1Qbench', product: 'prod_Bench' }, type: 'price_details', unit_amount_decimal: '1999' },
      quantity: 1,
      metadata: {},
    });
    i += 1;
  }
  return JSON.stringify(event, null, 2);
}

function fmt(n) {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** Prints rows under a header, each column right-aligned to its widest cell. */
function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

module.exports = { measure, measureRounds, stripeEventBody, fmt, printTable };
