'use strict';
// HTTP: a node:http server receiving Stripe webhooks, under load.
//
//   node bench/http.js [--duration 10] [--connections 32] [--rounds 1] [--only <server>]   (npm run bench:http)
//
// --only measures stripe-node + Map and the one server named (e.g. --only 'hookwise SqliteStore full'),
// for profiling one server (`perf record -g -a` while it runs).
//
// With --rounds N the servers are measured in turn N times (A B C, then C B A, ...: the order
// flips each round, so a slow drift of the machine's speed does not favour one server), each
// figure is the median over the rounds, and each ratio is the median of the rounds' ratios (a
// server against stripe-node + Map of the same round), so that a burst of other load on the machine does
// not land on one server only.
//
// Servers (each in its own child process, on 127.0.0.1, measured one after another):
//   stripe-node + Map   the usual hand-written route: read the body, stripe.webhooks.constructEvent,
//                        a Map of seen event ids for dedup, then the (empty) handler
//   hookwise <store>     webhooks.node from createWebhookHandler with the same (empty) handler
//                        (a duplicate that arrives while its first copy is in flight gets 409),
//                        for each store this build has: SqliteStore (durability 'full', then 'normal'),
//                        MemoryStore, and the tests' plain-JS reference store (the pipeline's
//                        own cost with the cheapest possible store)
// Load: autocannon in this process, the same for every server: realistic invoice.paid bodies
// (about 4.2 KB pretty-printed, fresh event ids), 10% of requests re-sending an event
// already sent (duplicates). The bodies of a measured run are made and signed before it starts
// (sized from the warm-up's rate, topped up on the fly if the run outgrows them), so that the
// load generator, which shares the machine's cores with the server, spends its time sending.
// Prints requests/s and latency percentiles (medians over the rounds), and the ratio of each
// server's requests/s to stripe-node + Map's; and the server process's CPU time per request
// (all its threads), with stripe-node + Map's divided by it: what the server would serve per
// core if the load generator did not share the machine's cores with it; and of that, the main
// (JS) thread's part (the rest is the SQLite writer and the libuv pool).
const { fork } = require('node:child_process');
const path = require('node:path');
const os = require('node:os');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { parseArgs } = require('node:util');

const SECRET = 'whsec_bench_http_0123456789abcdef';

function option(name, fallback) {
  const { values } = parseArgs({ options: { duration: { type: 'string' }, connections: { type: 'string' }, rounds: { type: 'string' }, only: { type: 'string' }, serve: { type: 'string' } }, strict: true });
  return values[name] ?? fallback;
}

// ---------------------------------------------------------------- servers (child processes)

// The main (JS) thread's CPU time in µs, from /proc (Linux, whose clock tick is
// 100 Hz: 10 ms steps, fine over a run of seconds); null where there is no /proc.
// The rest of the process's CPU is its other threads: the SQLite writer above all.
function mainThreadCpuMicros() {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3, state
    return (Number(fields[11]) + Number(fields[12])) * 1e4; // utime + stime: ticks of 10 ms
  } catch {
    return null;
  }
}

async function serve(kind) {
  const http = require('node:http');
  const hookwise = require('..');
  const noop = async () => {};
  let listener;
  let cleanup = async () => {};
  if (kind === 'stripe-node + Map') {
    const Stripe = require('stripe');
    const seen = new Map();
    listener = (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        let event;
        try {
          event = Stripe.webhooks.constructEvent(Buffer.concat(chunks), req.headers['stripe-signature'], SECRET);
        } catch (err) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message }));
          return;
        }
        if (seen.has(event.id)) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true,"duplicate":true}');
          return;
        }
        seen.set(event.id, Date.now());
        await noop(event);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      });
    };
  } else {
    let store;
    let dir;
    if (kind.startsWith('hookwise SqliteStore')) {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-bench-'));
      store = new hookwise.SqliteStore({ path: path.join(dir, 'events.db'), durability: kind.endsWith('full') ? 'full' : 'normal' });
    } else if (kind === 'hookwise MemoryStore') {
      store = new hookwise.MemoryStore();
    } else {
      const { ReferenceStore } = require('../test/js/support/reference-store');
      store = new ReferenceStore();
    }
    const webhooks = hookwise.createWebhookHandler({ secret: SECRET, store, on: { 'invoice.paid': noop }, logger: { warn() {}, error() {} } });
    listener = webhooks.node;
    cleanup = async () => {
      await store.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const server = http.createServer(listener);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  // The server's CPU time (every thread of the process: the main thread, the
  // SQLite writer, the libuv pool) over the measured run only, so that the
  // cost per request can be read apart from the load generator sharing the cores.
  let cpuAtStart = null;
  let mainAtStart = null;
  process.on('message', async (m) => {
    if (m === 'measure') {
      cpuAtStart = process.cpuUsage();
      mainAtStart = mainThreadCpuMicros();
      process.send({ measuring: true });
    } else if (m === 'report') {
      const cpu = process.cpuUsage(cpuAtStart);
      const main = mainThreadCpuMicros();
      process.send({ cpuMicros: cpu.user + cpu.system, mainMicros: main === null || mainAtStart === null ? null : main - mainAtStart });
    } else if (m === 'stop') {
      server.closeAllConnections();
      server.close();
      await cleanup();
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------- load (this process)

function loadGenerator() {
  const { buildEvent } = require('../lib/fixtures');
  const template = JSON.stringify(buildEvent('invoice.paid', { id: 'in_bench_invoice', customer: 'cus_bench', subscription: 'sub_bench' }), null, 2);
  const [before, after] = template.split(/"evt_[0-9A-Za-z]{24}"/);
  let counter = 0;
  const recent = [];
  return function nextBody() {
    // 10% duplicates: an event sent shortly before (as Stripe's retries are).
    if (recent.length > 0 && Math.random() < 0.1) return recent[Math.floor(Math.random() * recent.length)];
    counter += 1;
    const body = `${before}"evt_bench_${process.pid}_${counter}"${after}`;
    if (recent.length >= 1000) recent[counter % 1000] = body;
    else recent.push(body);
    return body;
  };
}

function sign(body) {
  const t = Math.floor(Date.now() / 1000);
  const v1 = crypto.createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

async function measureServer(kind, { duration, connections }) {
  const autocannon = require('autocannon');
  const child = fork(__filename, ['--serve', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${kind}: server exited (${code})`)));
  });
  const nextBody = loadGenerator();
  const signed = () => {
    const body = nextBody();
    return { body: Buffer.from(body), headers: { 'content-type': 'application/json', 'stripe-signature': sign(body) } };
  };
  let pool = [];
  let next = 0;
  let signedDuringRun = 0;
  const run = (seconds) =>
    autocannon({
      url: `http://127.0.0.1:${port}/webhooks`,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            let request = next < pool.length ? pool[next] : null;
            if (request === null) {
              request = signed();
              signedDuringRun += 1;
            } else pool[next] = null;
            next += 1;
            return { ...req, ...request };
          },
        },
      ],
    });
  const warmUp = await run(2); // warm-up: JIT, SQLite page cache, connection setup
  // Enough signed bodies for the measured run at 1.5x the warm-up's rate.
  pool = Array.from({ length: Math.ceil(warmUp.requests.average * duration * 1.5) + 1000 }, signed);
  next = 0;
  signedDuringRun = 0;
  const reply = () => new Promise((resolve) => child.once('message', resolve));
  child.send('measure');
  await reply();
  const r = await run(duration);
  pool = [];
  child.send('report');
  const { cpuMicros, mainMicros } = await reply();
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  return {
    kind,
    rps: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    total: r.requests.total,
    non2xx: r.non2xx,
    codes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, v.count])),
    errors: r.errors + r.timeouts,
    cpuPerRequest: cpuMicros / r.requests.total,
    mainPerRequest: mainMicros === null ? null : mainMicros / r.requests.total,
    signedDuringRun,
  };
}

async function main() {
  const duration = Number(option('duration', '10'));
  const connections = Number(option('connections', '32'));
  const hookwise = require('..');
  const kinds = ['stripe-node + Map'];
  if (typeof hookwise.SqliteStore === 'function') kinds.push('hookwise SqliteStore full', 'hookwise SqliteStore normal');
  if (typeof hookwise.MemoryStore === 'function') kinds.push('hookwise MemoryStore');
  kinds.push('hookwise reference store (JS)');
  const only = option('only');
  if (only !== undefined) {
    if (!kinds.includes(only)) throw new Error(`--only: no server called ${JSON.stringify(only)}; there are: ${kinds.join(', ')}`);
    kinds.splice(1, kinds.length, ...(only === kinds[0] ? [] : [only]));
  }
  console.log(`node ${process.version}, stripe ${require('stripe').PACKAGE_VERSION}, autocannon ${require('autocannon/package.json').version}, ${os.cpus().length} × ${os.cpus()[0].model}`);
  console.log(`${connections} connections, ${duration} s per server after a 2 s warm-up; ~4.2 KB invoice.paid bodies, 10% duplicates, signed before each run\n`);
  const rounds = Number(option('rounds', '1'));
  const results = new Map(kinds.map((k) => [k, []]));
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`load average before: ${load()}`);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) results.get(kind).push(await measureServer(kind, { duration, connections }));
  }
  console.log(`load average after:  ${load()}\n`);
  const median = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)];
  };
  const rows = kinds.map((kind) => {
    const rs = results.get(kind);
    const pick = (key) => median(rs.map((r) => r[key]));
    const sum = (key) => rs.reduce((n, r) => n + r[key], 0);
    const codes = {};
    for (const r of rs) for (const [code, count] of Object.entries(r.codes)) if (!code.startsWith('2')) codes[code] = (codes[code] ?? 0) + count;
    const non2xx = Object.entries(codes).map(([code, count]) => `${count}×${code}`).join(' ') || '0';
    // Ratios against the same round's stripe-node + Map, then the median over the rounds.
    const peer = results.get(kinds[0]);
    const rpsRatio = median(rs.map((r, i) => r.rps / peer[i].rps));
    const cpuRatio = median(rs.map((r, i) => peer[i].cpuPerRequest / r.cpuPerRequest));
    const main = rs.every((r) => r.mainPerRequest !== null) ? pick('mainPerRequest') : null;
    return { kind, rps: pick('rps'), rpsRatio, cpu: pick('cpuPerRequest'), cpuRatio, main, p50: pick('p50'), p90: pick('p90'), p99: pick('p99'), max: pick('max'), total: sum('total'), non2xx, errors: sum('errors') };
  });
  const cols = ['server', 'req/s', 'vs stripe+Map', 'CPU µs/req', 'CPU vs stripe+Map', 'main thread µs/req', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests', 'non-2xx', 'errors'];
  const cells = rows.map((r) => [r.kind, r.rps.toFixed(0), `${r.rpsRatio.toFixed(2)}×`, r.cpu.toFixed(1), `${r.cpuRatio.toFixed(2)}×`, r.main === null ? '-' : r.main.toFixed(1), r.p50, r.p90, r.p99, r.max, r.total, r.non2xx, r.errors].map(String));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(cols));
  for (const row of cells) console.log(line(row));
  const late = kinds.reduce((n, kind) => n + results.get(kind).reduce((m, r) => m + r.signedDuringRun, 0), 0);
  if (late > 0) console.log(`\n${late} requests outran the signed bodies and were signed during their run`);
}

if (process.argv.includes('--serve')) serve(option('serve'));
else main().catch((err) => {
  console.error(err);
  process.exit(1);
});
