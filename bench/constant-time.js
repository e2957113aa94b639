'use strict';
// Does rejecting a near-miss signature take the same time as rejecting a wild
// one? A dudect-style check (Reparaz, Balasch, Verbauwhede 2017): two classes of
// forged signatures, interleaved at random, timed call by call; Welch's t
// statistic between the classes' timings says whether they differ.
//
//   node bench/constant-time.js [samplesPerClass]
//
// Classes, both signature_mismatch for the same body and timestamp:
//   first: the right signature with its FIRST hex digit changed
//   last:  the right signature with its LAST hex digit changed
// A byte-by-byte early-exit compare would make "last" slower; |t| > 4.5 is the
// usual threshold for "a leak is likely". Results go to docs/SECURITY.md.
// The crop step drops the slowest samples (interrupts, GC) at several
// percentiles, as dudect does, and reports the worst |t| over the crops.
const hookwise = require('..');
const native = require('../lib/native');

const SECRET = 'whsec_constant_time_0123456789';
const samples = Number(process.argv[2] || 200000);

function flip(hex, index) {
  const c = hex[index] === '0' ? '1' : '0';
  return hex.slice(0, index) + c + hex.slice(index + 1);
}

function welch(a, b) {
  const mean = (x) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  const va = a.reduce((s, v) => s + (v - ma) ** 2, 0) / (a.length - 1);
  const vb = b.reduce((s, v) => s + (v - mb) ** 2, 0) / (b.length - 1);
  return { t: (ma - mb) / Math.sqrt(va / a.length + vb / b.length), ma, mb };
}

function main() {
  const body = Buffer.from(JSON.stringify({ id: 'evt_ct', object: 'event', data: { object: { id: 'x'.repeat(1000) } } }));
  const t = 1_760_000_000;
  const good = hookwise.generateTestHeaderString({ payload: body.toString(), secret: SECRET, timestamp: t }).split(',v1=')[1];
  const headers = [`t=${t},v1=${flip(good, 0)}`, `t=${t},v1=${flip(good, 63)}`];
  const secrets = [SECRET];
  const now = t * 1000;
  const times = [[], []];
  // Warm up both paths.
  for (let i = 0; i < 20000; i += 1) native.verify(body, headers[i & 1], secrets, 300, now);
  for (let i = 0; i < 2 * samples; i += 1) {
    const cls = Math.random() < 0.5 ? 0 : 1;
    const start = process.hrtime.bigint();
    const status = native.verify(body, headers[cls], secrets, 300, now);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (status !== 4) throw new Error(`expected signature_mismatch, got status ${status}`);
    times[cls].push(elapsed);
  }
  const all = [...times[0], ...times[1]].sort((x, y) => x - y);
  const rows = [];
  for (const pct of [1, 0.99, 0.9, 0.75, 0.5]) {
    const cut = all[Math.min(all.length - 1, Math.floor(all.length * pct) - 1)];
    const a = times[0].filter((v) => v <= cut);
    const b = times[1].filter((v) => v <= cut);
    const { t: stat, ma, mb } = welch(a, b);
    rows.push({ crop: `<= p${Math.round(pct * 100)}`, first_ns: ma.toFixed(1), last_ns: mb.toFixed(1), n: `${a.length}/${b.length}`, t: stat.toFixed(2) });
  }
  console.log(`node ${process.version}; ${samples} samples per class; body ${body.length} B`);
  console.table(rows);
  const worst = Math.max(...rows.map((r) => Math.abs(Number(r.t))));
  console.log(`max |t| = ${worst.toFixed(2)} -> ${worst > 4.5 ? 'timing difference detected' : 'no evidence of a timing difference (|t| <= 4.5)'}`);
}

main();
