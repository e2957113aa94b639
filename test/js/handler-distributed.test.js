'use strict';
// The handler on the stores for several machines (real redis-server and
// PostgreSQL on 127.0.0.1, started by test/js/support/services.js): the same
// exactly-once guarantee under concurrent deliveries, and the failure path
// (attempts, dead letter) end to end; once per implementation.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const { ENGINES } = require('./support/engines');
const { unavailable, startRedis, startPostgres } = require('./support/services');
const { SECRET, makeEvent, sign, delivery, startServer, post, recordingLogger } = require('./support/deliveries');

function suite(name, service, open, { name: implementation, hookwise }) {
  const { createWebhookHandler } = hookwise;
  describe(`createWebhookHandler (${implementation}) on ${name}`, { skip: unavailable(service) ?? false }, () => {
    let server;
    let store;
    let close;
    let service;
    before(async () => {
      ({ store, close, service } = await open());
    });
    after(async () => {
      if (close) await close();
    });

    it('40 concurrent deliveries of one event through node:http run its handler exactly once', async () => {
      let runs = 0;
      const webhooks = createWebhookHandler({
        secret: SECRET,
        store,
        on: { 'invoice.paid': async () => { runs++; await new Promise((r) => setTimeout(r, 20)); } },
      });
      server = await startServer((req, res) => webhooks.node(req, res));
      try {
        const { body } = delivery(makeEvent({ id: `evt_${randomBytes(8).toString('hex')}` }));
        const results = await Promise.all(Array.from({ length: 40 }, () => post(server.url, body, sign(body))));
        assert.equal(runs, 1);
        assert.equal(results.filter((r) => r.status === 200 && Object.keys(r.body).length === 1).length, 1);
        assert.ok(results.every((r) => r.status === 200 || r.status === 409), JSON.stringify(results.map((r) => r.status)));
      } finally {
        await server.close();
      }
    });

    it('answers 500 while the server is down, completes nothing, and processes Stripe\'s retry once it is back', async () => {
      let runs = 0;
      const log = recordingLogger();
      const webhooks = createWebhookHandler({
        // A short lease: a claim that timed out during the outage may still be
        // applied when the client reconnects (ioredis queues it), holding a lease
        // nobody owns; Stripe's retry gets 409 until it expires.
        secret: SECRET, store, leaseMs: 500, logger: log.logger, on: { '*': async () => { runs++; } },
      });
      const { body } = delivery(makeEvent({ id: `evt_${randomBytes(8).toString('hex')}` }));
      const request = () => new Request('http://localhost/webhooks', {
        method: 'POST', body, headers: { 'content-type': 'application/json', 'stripe-signature': sign(body) },
      });
      await service.kill();
      let down;
      try {
        down = await webhooks.fetch(request());
      } finally {
        await service.restart();
      }
      assert.equal(down.status, 500);
      assert.deepEqual(await down.json(), { error: 'internal_error' });
      assert.equal(runs, 0);

      // Stripe retries; the client reconnects at its own pace, so retry as Stripe would.
      let answer = null;
      for (let i = 0; i < 100 && (answer === null || answer.status === 500 || answer.status === 409); i++) {
        if (answer !== null) await new Promise((r) => setTimeout(r, 100));
        answer = await webhooks.fetch(request());
      }
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { received: true });
      assert.equal(runs, 1);
      assert.equal((await store.get(JSON.parse(body).id)).status, 'completed');
      assert.match(log.text(), /store|unavailable|failed/i, 'the outage reached the logger');
      assert.ok(!log.text().includes(SECRET));
      assert.ok(!log.text().includes(body));
    });

    it('counts failed attempts across deliveries and dead-letters at maxAttempts', async () => {
      const webhooks = createWebhookHandler({
        secret: SECRET, store, retry: false, maxAttempts: 2, logger: recordingLogger().logger,
        on: { '*': async () => { throw new Error('broken'); } },
      });
      const { body } = delivery(makeEvent({ id: `evt_${randomBytes(8).toString('hex')}` }));
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push((await webhooks.handle(body, sign(body))).outcome);
      assert.deepEqual(outcomes, ['failed', 'dead_lettered', 'dead_lettered']);
      const record = await store.get(JSON.parse(body).id);
      assert.equal(record.status, 'dead_lettered');
      assert.match(record.lastError, /broken/);
    });
  });
}

for (const engine of ENGINES) suite('RedisStore (ioredis)', 'redis', async () => {
  const { RedisStore } = engine.hookwise;
  const Redis = require('ioredis');
  const redis = await startRedis();
  const client = new Redis(redis.url);
  // A short operation timeout: while the server is down ioredis queues commands
  // until it reconnects, and the store's timeout is what turns that into a 500.
  const store = new RedisStore({ client, prefix: `hookwise-handler-test-${randomBytes(4).toString('hex')}:`, timeoutMs: 1500 });
  return {
    store,
    service: redis,
    close: async () => {
      await store.close();
      client.disconnect();
      await redis.stop();
    },
  };
}, engine);

for (const engine of ENGINES) suite('PostgresStore (pg)', 'postgres', async () => {
  const { PostgresStore } = engine.hookwise;
  const { Pool } = require('pg');
  const postgres = await startPostgres();
  const pool = new Pool({ connectionString: postgres.connectionString, max: 8 });
  // Idle clients see the server die; pg reports that on the pool, which an app must listen to.
  pool.on('error', () => {});
  const store = new PostgresStore({ pool });
  return {
    store,
    service: postgres,
    close: async () => {
      await store.close();
      await pool.end();
      await postgres.stop();
    },
  };
}, engine);
