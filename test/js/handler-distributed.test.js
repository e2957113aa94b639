'use strict';
// The handler on the stores for several machines (real redis-server and
// PostgreSQL on 127.0.0.1, started by test/js/support/services.js): the same
// exactly-once guarantee under concurrent deliveries, and the failure path
// (attempts, dead letter) end to end.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const { createWebhookHandler, RedisStore, PostgresStore } = require('../../lib');
const { unavailable, startRedis, startPostgres } = require('./support/services');
const { SECRET, makeEvent, sign, delivery, startServer, post, recordingLogger } = require('./support/deliveries');

function suite(name, service, open) {
  describe(`createWebhookHandler on ${name}`, { skip: unavailable(service) ?? false }, () => {
    let server;
    let store;
    let close;
    before(async () => {
      ({ store, close } = await open());
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

suite('RedisStore (ioredis)', 'redis', async () => {
  const Redis = require('ioredis');
  const redis = await startRedis();
  const client = new Redis(redis.url);
  const store = new RedisStore({ client, prefix: `hookwise-handler-test-${randomBytes(4).toString('hex')}:` });
  return {
    store,
    close: async () => {
      await store.close();
      client.disconnect();
      await redis.stop();
    },
  };
});

suite('PostgresStore (pg)', 'postgres', async () => {
  const { Pool } = require('pg');
  const postgres = await startPostgres();
  const pool = new Pool({ connectionString: postgres.connectionString, max: 8 });
  const store = new PostgresStore({ pool });
  return {
    store,
    close: async () => {
      await store.close();
      await pool.end();
      await postgres.stop();
    },
  };
});
