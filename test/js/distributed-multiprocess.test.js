'use strict';
// Several processes — each with its own Redis client or pg pool, as separate
// machines would have — receive the same events at once. Every event must be
// acquired by exactly one of them and end completed.
const { before, after, describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RedisStore } = require('../../lib/stores/redis-store');
const { PostgresStore } = require('../../lib/stores/postgres-store');
const services = require('./support/services');

const PROCESSES = 4;
const EVENTS = 300;
const worker = path.join(__dirname, 'support', 'claim-worker.js');

// Starts a worker; `ready` settles once it is connected, `done` with its ids.
function runWorker(args) {
  const child = spawn(process.execPath, [worker, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markReady;
  const ready = new Promise((resolve) => (markReady = resolve));
  child.stdout.on('data', (d) => {
    out += d;
    if (out.includes('READY\n')) markReady();
  });
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      markReady();
      if (code === 0) resolve(JSON.parse(out.slice(out.lastIndexOf('\n') + 1)));
      else reject(new Error(`worker exited ${code}: ${err}`));
    });
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

async function raceProcesses(kind, url, name, store) {
  const ids = Array.from({ length: EVENTS }, (_, i) => `evt_mp_${i}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-mp-'));
  try {
    // Each process sees the events in its own order, so they collide all along.
    const files = Array.from({ length: PROCESSES }, (_, p) => {
      const order = p % 2 === 0 ? ids : [...ids].reverse();
      const rotated = [...order.slice((p * 37) % EVENTS), ...order.slice(0, (p * 37) % EVENTS)];
      const file = path.join(dir, `ids-${p}.json`);
      fs.writeFileSync(file, JSON.stringify(rotated));
      return file;
    });
    const workers = files.map((file) => runWorker([kind, url, name, file]));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const results = await Promise.all(workers.map((w) => w.done));
    const counts = new Map();
    for (const acquired of results) for (const id of acquired) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of ids) {
      assert.equal(counts.get(id), 1, `${id} acquired ${counts.get(id) ?? 0} times`);
      assert.equal((await store.get(id)).status, 'completed');
    }
    assert.ok(results.filter((r) => r.length > 0).length > 1, 'more than one process did work');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('RedisStore across processes', { skip: services.unavailable('redis') ?? false }, () => {
  let redis = null;
  before(async () => {
    redis = await services.startRedis();
  });
  after(async () => {
    if (redis) await redis.stop();
  });

  test(`${PROCESSES} processes, ${EVENTS} events each: every event acquired exactly once`, async () => {
    const Redis = require('ioredis');
    const client = new Redis(redis.url);
    try {
      const prefix = `hw-mp:${randomBytes(4).toString('hex')}:`;
      await raceProcesses('redis', redis.url, prefix, new RedisStore({ client, prefix }));
    } finally {
      await client.quit();
    }
  });
});

describe('PostgresStore across processes', { skip: services.unavailable('postgres') ?? false }, () => {
  let postgres = null;
  before(async () => {
    postgres = await services.startPostgres();
  });
  after(async () => {
    if (postgres) await postgres.stop();
  });

  test(`${PROCESSES} processes start together on a fresh database and race on ${EVENTS} events`, async () => {
    const { Pool } = require('pg');
    const pool = new Pool({ connectionString: postgres.connectionString, max: 2 });
    try {
      // No table yet: all processes create it on first use at the same moment.
      const table = `hw_mp_${randomBytes(4).toString('hex')}`;
      await raceProcesses('postgres', postgres.connectionString, table, new PostgresStore({ pool, table }));
    } finally {
      await pool.end();
    }
  });
});
