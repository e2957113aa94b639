'use strict';
// Stores: claim + complete per second, with 1, 16 and 64 events in flight.
//
//   node bench/store.js     (about 2 minutes: 6 rounds x 21 cells x BENCH_SECONDS, default 1)
//
// Rows: each store; columns: events/s (one event = claim + complete) at each
// concurrency, then the ratio against its peer:
//   SqliteStore (full)    vs better-sqlite3 by hand at synchronous=FULL
//   SqliteStore (normal)  vs better-sqlite3 by hand at synchronous=NORMAL
//   MemoryStore           vs a JS Map with the same semantics
// The better-sqlite3 version is what users write today: WAL, the same
// synchronous setting, one prepared statement per step, each its own
// (autocommit) transaction. better-sqlite3 is synchronous, so "in flight"
// changes nothing for it: each event waits for its own commits.
// One more row bounds what any store can reach at 1 in flight with a durable
// `complete`: better-sqlite3 committing its claim at NORMAL (no fsync) and its
// complete at FULL, on the calling thread, so one fsync and no thread hop per
// event. "better-sqlite3 one fsync / better-sqlite3 FULL" is then the ceiling
// of "SqliteStore full / better-sqlite3 FULL" with one event in flight.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { SqliteStore, MemoryStore } = require('..');

const SECONDS = Number(process.env.BENCH_SECONDS || 1);
const RUNS = 5;
const CONCURRENCY = [1, 16, 64];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-bench-store-'));
let fileNumber = 0;
const newFile = () => path.join(dir, `bench-${++fileNumber}.db`);
const META = { type: 'invoice.paid', created: 1_760_000_000, objectId: 'in_1', leaseMs: 60_000 };

// The same bookkeeping by hand on better-sqlite3, one statement per step.
class BetterSqliteStore {
  // claimSynchronous: the setting a claim commits at (then FULL again for
  // the complete), or undefined to keep `synchronous` for both. Set with
  // exec each time: a prepared PRAGMA takes effect when it is prepared.
  constructor(file, synchronous, claimSynchronous) {
    this.claimSynchronous = claimSynchronous;
    const Database = require('better-sqlite3');
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS events (
      id TEXT PRIMARY KEY, type TEXT NOT NULL, created INTEGER NOT NULL, object_id TEXT,
      status TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT,
      received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, token TEXT, lease_expires_at INTEGER NOT NULL)`);
    // Claim in one atomic statement: insert, or take over a failed event or an
    // expired lease; RETURNING says whether this caller acquired it.
    this.claimStmt = this.db.prepare(`INSERT INTO events
        (id, type, created, object_id, status, attempts, received_at, updated_at, token, lease_expires_at)
      VALUES (@id, @type, @created, @objectId, 'processing', 1, @now, @now, @token, @now + @leaseMs)
      ON CONFLICT (id) DO UPDATE SET status = 'processing', attempts = attempts + 1, updated_at = @now,
        token = @token, lease_expires_at = @now + @leaseMs
      WHERE status = 'failed' OR (status = 'processing' AND lease_expires_at <= @now)
      RETURNING attempts`);
    this.statusStmt = this.db.prepare('SELECT status, attempts, lease_expires_at FROM events WHERE id = ?');
    this.completeStmt = this.db.prepare(
      "UPDATE events SET status = 'completed', token = NULL, updated_at = ? WHERE id = ? AND token = ? AND status = 'processing'");
  }
  async claim(id, meta) {
    const token = crypto.randomBytes(16).toString('hex');
    const now = Date.now();
    if (this.claimSynchronous) this.db.exec(`PRAGMA synchronous = ${this.claimSynchronous}`);
    const row = this.claimStmt.get({ id, type: meta.type, created: meta.created, objectId: meta.objectId ?? null, now, token, leaseMs: meta.leaseMs });
    if (row) return { status: 'acquired', token, attempt: row.attempts };
    const current = this.statusStmt.get(id);
    const status = current.status === 'completed' ? 'duplicate' : current.status === 'dead_lettered' ? 'dead_lettered' : 'in_progress';
    return { status, attempt: current.attempts };
  }
  async complete(id, token) {
    if (this.claimSynchronous) this.db.exec('PRAGMA synchronous = FULL');
    return this.completeStmt.run(Date.now(), id, token).changes === 1;
  }
  async close() { this.db.close(); }
}

// The same bookkeeping in a JS Map (what an in-memory store in JS looks like).
class MapStore {
  constructor() { this.records = new Map(); }
  async claim(id, meta) {
    const now = Date.now();
    const r = this.records.get(id);
    if (!r || r.status === 'failed' || (r.status === 'processing' && r.leaseExpiresAt <= now)) {
      const token = crypto.randomBytes(16).toString('hex');
      const next = r ?? { id, type: meta.type, created: meta.created, objectId: meta.objectId ?? null, attempts: 0, lastError: null, receivedAt: now };
      Object.assign(next, { status: 'processing', attempts: next.attempts + 1, token, leaseExpiresAt: now + meta.leaseMs, updatedAt: now });
      this.records.set(id, next);
      return { status: 'acquired', token, attempt: next.attempts };
    }
    return { status: r.status === 'completed' ? 'duplicate' : r.status === 'dead_lettered' ? 'dead_lettered' : 'in_progress', attempt: r.attempts };
  }
  async complete(id, token) {
    const r = this.records.get(id);
    if (!r || r.status !== 'processing' || r.token !== token) return false;
    Object.assign(r, { status: 'completed', token: null, updatedAt: Date.now() });
    return true;
  }
  async close() {}
}

// Events per second: `inFlight` loops, each claiming and completing new ids.
async function run(store, inFlight) {
  let next = 0;
  let done = 0;
  const prefix = crypto.randomBytes(4).toString('hex');
  const deadline = process.hrtime.bigint() + BigInt(Math.round(SECONDS * 1e9));
  const start = process.hrtime.bigint();
  async function loop() {
    while (process.hrtime.bigint() < deadline) {
      const id = `evt_${prefix}_${next++}`;
      const claim = await store.claim(id, META);
      if (claim.status !== 'acquired' || !(await store.complete(id, claim.token))) throw new Error(`bench: ${id} ${claim.status}`);
      done++;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, loop));
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

// Every variant runs once per round, one after another, so that all see the
// same machine (the disk's fsync latency drifts a lot on a shared VM); each
// cell is the median over the rounds, each ratio the median of the per-round
// ratios. Round 0 is a warm-up.
async function measureAll(variants) {
  const samples = new Map(variants.map(([name]) => [name, CONCURRENCY.map(() => [])]));
  samples.fsyncMs = CONCURRENCY.map(() => []);
  for (const [ci, c] of CONCURRENCY.entries()) {
    for (let round = 0; round <= RUNS; round++) {
      samples.fsyncMs[ci].push(fsyncLatencyMs());
      for (const [name, make] of variants) {
        const store = make(); // a fresh file for every run
        const rate = await run(store, c);
        await store.close();
        if (round > 0) samples.get(name)[ci].push(rate);
      }
    }
  }
  return samples;
}

// What one durable commit costs on this disk right now: the median of 20
// 4 KiB appends each followed by fdatasync, as a WAL commit does.
function fsyncLatencyMs() {
  const file = newFile();
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const times = [];
  for (let i = 0; i < 20; i++) {
    const t = process.hrtime.bigint();
    fs.writeSync(fd, block);
    fs.fdatasyncSync(fd);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  fs.closeSync(fd);
  fs.rmSync(file);
  return median(times);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function print(samples, pairs) {
  const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  const names = [...samples.keys()];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  console.log(`\nclaim + complete per second (higher is better), median of ${RUNS} rounds of ${SECONDS}s per cell\n`);
  console.log('store'.padEnd(width) + CONCURRENCY.map((c) => `${c} in flight`.padStart(14)).join(''));
  console.log('(fsync, ms)'.padEnd(width) + samples.fsyncMs.map((xs) => median(xs).toFixed(2).padStart(14)).join(''));
  for (const [name, cells] of samples) {
    console.log(name.padEnd(width) + cells.map((xs) => fmt(median(xs)).padStart(14)).join(''));
  }
  console.log('\nratios (median of per-round ratios)');
  for (const [a, b] of pairs) {
    const cells = CONCURRENCY.map((_, ci) => median(samples.get(a)[ci].map((x, r) => x / samples.get(b)[ci][r])));
    console.log(`${a} / ${b}`.padEnd(width + 30) + cells.map((x) => `${x.toFixed(1)}x`.padStart(10)).join(''));
  }
}

async function main() {
  const cpu = os.cpus()[0].model;
  console.log(`node ${process.version}, SQLite ${require('better-sqlite3')(':memory:').prepare('select sqlite_version() v').get().v} (better-sqlite3's), ${cpu}, ${os.cpus().length} cores, files in ${os.tmpdir()}`);
  const samples = await measureAll([
    ['SqliteStore full', () => new SqliteStore({ path: newFile(), durability: 'full' })],
    ['better-sqlite3 FULL', () => new BetterSqliteStore(newFile(), 'FULL')],
    ['better-sqlite3 one fsync', () => new BetterSqliteStore(newFile(), 'FULL', 'NORMAL')],
    ['SqliteStore normal', () => new SqliteStore({ path: newFile(), durability: 'normal' })],
    ['better-sqlite3 NORMAL', () => new BetterSqliteStore(newFile(), 'NORMAL')],
    ['MemoryStore', () => new MemoryStore()],
    ['JS Map', () => new MapStore()],
  ]);
  print(samples, [
    ['SqliteStore full', 'better-sqlite3 FULL'],
    ['better-sqlite3 one fsync', 'better-sqlite3 FULL'],
    ['SqliteStore normal', 'better-sqlite3 NORMAL'],
    ['MemoryStore', 'JS Map'],
  ]);
}

main().finally(() => fs.rmSync(dir, { recursive: true, force: true }));
