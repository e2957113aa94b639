'use strict';
// claim + complete per second and p99 latency for RedisStore and PostgresStore,
// with 1 and 64 operations in flight, next to the naive code users write today:
//   Redis:    SET key processing NX PX <lease>, then SET key done
//   Postgres: INSERT … ON CONFLICT DO NOTHING, then UPDATE … SET status = 'done'
// Each operation is a new event id (the common case: a first delivery).
// The naive versions do less (no lease takeover, no fencing, no attempts, no
// index for list/purge); they are the floor a correct store is measured against.
//
// Starts its own redis-server and PostgreSQL on 127.0.0.1 (test/js/support/services.js);
// PostgreSQL runs with its defaults (fsync on, synchronous_commit on), Redis with
// appendonly yes / appendfsync everysec.
//
//   node bench/distributed-stores.js [--quick]

const { randomBytes } = require('node:crypto');
const os = require('node:os');
const { RedisStore } = require('../lib/stores/redis-store');
const { PostgresStore } = require('../lib/stores/postgres-store');
const services = require('../test/js/support/services');

const quick = process.argv.includes('--quick');
const COUNTS = quick ? { 1: 300, 64: 2000 } : { 1: 2000, 64: 20000 };
const LEASE_MS = 60_000;

// Runs `op` count times with `inFlight` concurrent loops; returns ops/s and latency percentiles.
async function measure(op, count, inFlight) {
  const latencies = new Float64Array(count);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const t0 = process.hrtime.bigint();
        await op(i);
        latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort();
  const pct = (p) => latencies[Math.min(count - 1, Math.floor((p / 100) * count))];
  return { opsPerSec: count / seconds, p50: pct(50), p99: pct(99) };
}

// The contenders run in alternation, ROUNDS times each, so that load from
// anything else on the machine hits them alike; each reports its median round.
const ROUNDS = 3;

async function benchPair(label, contenders) {
  const rows = [];
  for (const inFlight of [1, 64]) {
    const rounds = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
    for (const [, op] of Object.entries(contenders)) {
      await measure(op, Math.min(200, COUNTS[inFlight]), inFlight); // warm-up: connections, prepared statements, script cache
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, op] of Object.entries(contenders)) rounds[name].push(await measure(op, COUNTS[inFlight], inFlight));
    }
    const median = (list) => [...list].sort((a, b) => a.opsPerSec - b.opsPerSec)[Math.floor(list.length / 2)];
    const [[storeName, storeRounds], [naiveName, naiveRounds]] = Object.entries(rounds);
    rows.push({ label, inFlight, storeName, store: median(storeRounds), naiveName, naive: median(naiveRounds) });
  }
  return rows;
}

// A fresh event id on every call (warm-up and measured runs never collide).
const uniqueId = (tag) => {
  const run = randomBytes(4).toString('hex');
  let n = 0;
  return () => `evt_${tag}_${run}_${n++}`;
};

async function benchRedis() {
  const redis = await services.startRedis({ appendfsync: 'everysec' });
  const Redis = require('ioredis');
  const client = new Redis({ host: '127.0.0.1', port: redis.port });
  try {
    const store = new RedisStore({ client, prefix: 'bench:' });
    const idStore = uniqueId('rs');
    const idNaive = uniqueId('rn');
    const meta = { type: 'invoice.paid', created: 1_700_000_000, objectId: 'in_1', leaseMs: LEASE_MS };
    return await benchPair('Redis (ioredis)', {
      RedisStore: async () => {
        const id = idStore();
        const claim = await store.claim(id, meta);
        if (claim.status !== 'acquired' || !(await store.complete(id, claim.token))) throw new Error('bench: claim failed');
      },
      'naive SET NX + SET': async () => {
        const key = `naive:${idNaive()}`;
        const ok = await client.set(key, 'processing', 'PX', LEASE_MS, 'NX');
        if (ok !== 'OK') throw new Error('bench: SET NX failed');
        await client.set(key, 'done', 'PX', 30 * 24 * 3600 * 1000);
      },
    });
  } finally {
    client.disconnect();
    await redis.stop();
  }
}

async function benchPostgres() {
  const postgres = await services.startPostgres();
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: postgres.connectionString, max: 64 });
  try {
    const store = new PostgresStore({ pool, table: 'bench_events' });
    await pool.query(`CREATE TABLE naive_events (id text PRIMARY KEY, status text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    const idStore = uniqueId('ps');
    const idNaive = uniqueId('pn');
    const meta = { type: 'invoice.paid', created: 1_700_000_000, objectId: 'in_1', leaseMs: LEASE_MS };
    return await benchPair('PostgreSQL (pg)', {
      PostgresStore: async () => {
        const id = idStore();
        const claim = await store.claim(id, meta);
        if (claim.status !== 'acquired' || !(await store.complete(id, claim.token))) throw new Error('bench: claim failed');
      },
      'naive INSERT ON CONFLICT DO NOTHING + UPDATE': async () => {
        const id = idNaive();
        const inserted = await pool.query({
          name: 'naive_insert',
          text: `INSERT INTO naive_events (id, status) VALUES ($1, 'processing') ON CONFLICT DO NOTHING`,
          values: [id],
        });
        if (inserted.rowCount !== 1) throw new Error('bench: insert failed');
        await pool.query({ name: 'naive_update', text: `UPDATE naive_events SET status = 'done', updated_at = now() WHERE id = $1`, values: [id] });
      },
    });
  } finally {
    await pool.end();
    await postgres.stop();
  }
}

function print(rows) {
  const f = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log('| backend | in flight | store ops/s | store p99 ms | naive ops/s | naive p99 ms | store / naive throughput |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.label}: ${r.storeName} vs ${r.naiveName} | ${r.inFlight} | ${f(r.store.opsPerSec)} | ${f(r.store.p99, 2)} | ` +
        `${f(r.naive.opsPerSec)} | ${f(r.naive.p99, 2)} | ${f(r.store.opsPerSec / r.naive.opsPerSec, 2)}× |`,
    );
  }
}

async function main() {
  const missing = ['redis', 'postgres'].map((s) => [s, services.unavailable(s)]).filter(([, why]) => why);
  for (const [s, why] of missing) console.log(`# skipping ${s}: ${why}`);
  console.log(`# ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}; ops per round: ${JSON.stringify(COUNTS)}, ${ROUNDS} alternating rounds, median shown`);
  const rows = [];
  if (!missing.some(([s]) => s === 'redis')) rows.push(...(await benchRedis()));
  if (!missing.some(([s]) => s === 'postgres')) rows.push(...(await benchPostgres()));
  print(rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
