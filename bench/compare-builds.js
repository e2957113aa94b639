'use strict';
// Two builds of the addon side by side: the verification cases of
// bench/verify.js (sync steady state, constructEvent from 32 to 256 KiB around
// the parallel parse's threshold, and the thread-pool path for 64 KiB to
// 1 MiB bodies) and the native stores' claim + complete, each build in its own
// child process, alternating over the rounds so that both see the same load.
//
//   node bench/compare-builds.js <before.node> <after.node> [rounds=7]
//
// Prints, per case, the median over the rounds for each build, their ratio,
// and the best round of each (the least disturbed, on a shared machine).
// µs per call for verification (lower is better), events/s for the stores
// (higher is better).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SECRET = 'whsec_bench_secret_0123456789abcdef';

async function child() {
  const hookwise = require('..');
  const native = require('../lib/native');
  const { measure, stripeEventBody } = require('./support');
  const out = {};
  const t = Math.floor(Date.now() / 1000);
  const signed = (size) => {
    const text = stripeEventBody(size);
    return { body: Buffer.from(text), sig: hookwise.generateTestHeaderString({ payload: text, secret: SECRET, timestamp: t }) };
  };
  for (const size of [1600, 10 * 1024]) {
    const { body, sig } = signed(size);
    out[`µs verifyHeader ${size} B`] = await measure(() => hookwise.verifyHeader(body, sig, SECRET), { minMs: 300 });
    out[`µs constructEvent ${size} B`] = await measure(() => hookwise.constructEvent(body, sig, SECRET), { minMs: 300 });
  }
  // Where the parse moves to the helper thread (src/addon/event_binding.cc kParallelParseBytes).
  for (const size of [32 * 1024, 64 * 1024, 96 * 1024, 128 * 1024, 256 * 1024]) {
    const { body, sig } = signed(size);
    out[`µs constructEvent ${size >> 10} KiB`] = await measure(() => hookwise.constructEvent(body, sig, SECRET), { minMs: 300, warmup: 50 });
  }
  for (const size of [64 * 1024, 256 * 1024, 1024 * 1024]) {
    const { body, sig } = signed(size);
    out[`µs verifyAsync ${size >> 10} KiB`] = await measure(() => native.verifyAsync(body, sig, [SECRET], 300, Date.now()), { minMs: 300, warmup: 50 });
    out[`µs constructEventAsync ${size >> 10} KiB`] = await measure(() => hookwise.constructEventAsync(body, sig, SECRET), { minMs: 300, warmup: 50 });
  }
  const meta = { type: 'invoice.paid', created: 1_760_000_000, objectId: 'in_1', leaseMs: 60_000 };
  let n = 0;
  const rate = async (store, inFlight, ms) => {
    let done = 0;
    const end = Date.now() + ms;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (Date.now() < end) {
        const id = `evt_compare_builds_${++n}_0123456789`;
        await store.complete(id, (await store.claim(id, meta)).token);
        done += 1;
      }
    }));
    return done / (ms / 1000);
  };
  const memory = new hookwise.MemoryStore({ maxEntries: 50_000 });
  await rate(memory, 1, 200);
  out['events/s MemoryStore, 1 in flight'] = await rate(memory, 1, 1000);
  out['events/s MemoryStore, 64 in flight'] = await rate(memory, 64, 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-compare-builds-'));
  for (const durability of ['full', 'normal']) {
    const sqlite = new hookwise.SqliteStore({ path: path.join(dir, `events-${durability}.db`), durability });
    await rate(sqlite, 16, 200);
    out[`events/s SqliteStore ${durability}, 1 in flight`] = await rate(sqlite, 1, 1000);
    out[`events/s SqliteStore ${durability}, 64 in flight`] = await rate(sqlite, 64, 1000);
    await sqlite.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out));
}

function parent() {
  const [before, after, rounds = '7'] = process.argv.slice(2);
  if (!before || !after) {
    console.error('usage: node bench/compare-builds.js <before.node> <after.node> [rounds]');
    process.exit(2);
  }
  const builds = { before: path.resolve(before), after: path.resolve(after) };
  const runs = { before: [], after: [] };
  for (let r = 0; r < Number(rounds); r += 1) {
    for (const name of r % 2 ? ['after', 'before'] : ['before', 'after']) {
      const env = { ...process.env, HOOKWISE_NATIVE_BINARY: builds[name] };
      runs[name].push(JSON.parse(execFileSync(process.execPath, [__filename, '--child'], { env, encoding: 'utf8' })));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fmt = (x) => (x >= 1000 ? x.toFixed(0) : x.toFixed(2));
  console.log(`node ${process.version}, ${os.cpus()[0].model}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${rounds} rounds`);
  const cols = ['case', 'before (median)', 'after (median)', 'after/before', 'before (best)', 'after (best)', 'after/before'];
  console.log(cols.join(' | '));
  for (const key of Object.keys(runs.before[0])) {
    const best = key.startsWith('µs') ? Math.min : Math.max;
    const b = runs.before.map((o) => o[key]);
    const a = runs.after.map((o) => o[key]);
    console.log([key, fmt(median(b)), fmt(median(a)), (median(a) / median(b)).toFixed(3), fmt(best(...b)), fmt(best(...a)), (best(...a) / best(...b)).toFixed(3)].join(' | '));
  }
}

if (process.argv[2] === '--child') {
  child().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  parent();
}
