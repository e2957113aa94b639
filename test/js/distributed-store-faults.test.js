'use strict';
// Fault tests for RedisStore and PostgresStore: the server is killed (SIGKILL)
// in the middle of a stream of deliveries and restarted. Each event is
// delivered by several concurrent "instances" that retry, as Stripe does, until
// one of them sees it processed or duplicate. Afterwards:
//   - no event is lost: every event is completed in the store;
//   - no event is completed twice: complete() resolved true at most once per event;
//   - nothing was reported completed that was not: every complete() that
//     resolved true is still 'completed' after the restart;
//   - operations while the server is down reject (a StoreError with code HOOKWISE_STORE_UNAVAILABLE).

const { before, after, describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const { RedisStore } = require('../../lib/stores/redis-store');
const { PostgresStore } = require('../../lib/stores/postgres-store');
const services = require('./support/services');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const EVENTS = 150;
const COPIES = 3; // concurrent deliveries of each event
const ARRIVAL_GAP_MS = 15; // events arrive over ~2.3 s
const LEASE_MS = 300;
const DEADLINE_MS = 60_000;

// One delivery loop: what a webhook handler instance does with one delivery,
// plus Stripe's retry when the answer is an error or in_progress.
async function deliver(store, id, state) {
  const deadline = Date.now() + DEADLINE_MS;
  while (!state.done && Date.now() < deadline) {
    let claim;
    try {
      claim = await store.claim(id, { type: 'invoice.paid', created: 1_700_000_000, objectId: id, leaseMs: LEASE_MS });
    } catch (err) {
      state.errors.push(err);
      await sleep(100);
      continue;
    }
    if (claim.status === 'duplicate') {
      state.done = true;
      return;
    }
    if (claim.status !== 'acquired') {
      await sleep(50);
      continue;
    }
    state.handlerRuns++;
    await sleep(Math.floor(Math.random() * 20)); // the handler's work
    try {
      if (await store.complete(id, claim.token)) {
        state.completions++;
        state.done = true;
        return;
      }
    } catch (err) {
      state.errors.push(err);
      await sleep(100);
    }
  }
}

async function runWithCrash(store, server) {
  const ids = Array.from({ length: EVENTS }, (_, i) => `evt_fault_${i}_${randomBytes(4).toString('hex')}`);
  const states = new Map(ids.map((id) => [id, { done: false, completions: 0, handlerRuns: 0, errors: [] }]));

  const deliveries = (async () => {
    const running = [];
    for (const id of ids) {
      for (let c = 0; c < COPIES; c++) running.push(deliver(store, id, states.get(id)));
      await sleep(ARRIVAL_GAP_MS);
    }
    await Promise.all(running);
  })();

  const downProbe = (async () => {
    await sleep(EVENTS * ARRIVAL_GAP_MS * 0.3);
    await server.kill();
    // While the server is down, operations reject; they never report success.
    const err = await store.claim(`evt_probe_${randomBytes(4).toString('hex')}`, { type: 't', created: 1, leaseMs: LEASE_MS }).then(
      (claim) => assert.fail(`claim resolved while the server was down: ${JSON.stringify(claim)}`),
      (e) => e,
    );
    assert.equal(err.code, 'HOOKWISE_STORE_UNAVAILABLE');
    assert.match(err.message, /^hookwise (Redis|Postgres)Store: claim failed: /);
    await sleep(500);
    await server.restart();
  })();

  await Promise.all([deliveries, downProbe]);

  const errors = [...states.values()].reduce((n, s) => n + s.errors.length, 0);
  assert.ok(errors > 0, 'the crash must have made some operations fail (else the test tested nothing)');
  for (const s of states.values()) {
    for (const e of s.errors) assert.equal(e.code, 'HOOKWISE_STORE_UNAVAILABLE', e.message);
  }
  for (const id of ids) {
    const s = states.get(id);
    assert.equal(s.done, true, `${id} was never processed (lost)`);
    assert.ok(s.completions <= 1, `${id} completed ${s.completions} times`);
    const record = await store.get(id);
    assert.ok(record, `${id} has no record after the restart`);
    assert.equal(record.status, 'completed', `${id} is ${record.status} after the restart`);
  }
  return { errors, handlerRuns: [...states.values()].reduce((n, s) => n + s.handlerRuns, 0) };
}

describe('RedisStore survives a Redis crash and restart', { skip: services.unavailable('redis') ?? false }, () => {
  let redis = null;
  before(async () => {
    redis = await services.startRedis();
  });
  after(async () => {
    if (redis) await redis.stop();
  });

  test('with ioredis', async () => {
    const Redis = require('ioredis');
    const client = new Redis({ host: '127.0.0.1', port: redis.port });
    client.on('error', () => {}); // reconnect noise while the server is down
    try {
      const store = new RedisStore({ client, prefix: `hw-fault:${randomBytes(4).toString('hex')}:`, timeoutMs: 1000 });
      await runWithCrash(store, redis);
    } finally {
      client.disconnect();
    }
  });

  test('with node-redis', async () => {
    const { createClient } = require('redis');
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 100 } });
    client.on('error', () => {});
    await client.connect();
    try {
      const store = new RedisStore({ client, prefix: `hw-fault:${randomBytes(4).toString('hex')}:`, timeoutMs: 1000 });
      await runWithCrash(store, redis);
    } finally {
      await client.disconnect();
    }
  });
});

describe('PostgresStore survives a PostgreSQL crash and restart', { skip: services.unavailable('postgres') ?? false }, () => {
  let postgres = null;
  let pool = null;
  before(async () => {
    postgres = await services.startPostgres();
    const { Pool } = require('pg');
    pool = new Pool({ connectionString: postgres.connectionString, max: 20, connectionTimeoutMillis: 2000 });
    pool.on('error', () => {}); // idle connections dropped by the crash
  });
  after(async () => {
    if (pool) await pool.end();
    if (postgres) await postgres.stop();
  });

  test('with pg', async () => {
    const store = new PostgresStore({ pool, table: `hw_fault_${randomBytes(4).toString('hex')}` });
    await runWithCrash(store, postgres);
  });
});
