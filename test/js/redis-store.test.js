'use strict';
// RedisStore against a real redis-server started on 127.0.0.1 by the tests
// (test/js/support/services.js), through each client library it supports.

const { before, after, describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const { RedisStore } = require('../../lib/stores/redis-store');
const { storeContract } = require('./support/store-contract');
const services = require('./support/services');

const skip = services.unavailable('redis') ?? false;
let redis = null;
before(async () => {
  if (!skip) redis = await services.startRedis();
});
after(async () => {
  if (redis) await redis.stop();
});

// Deletes every key under a prefix (test clean-up, through the test's own client).
async function deletePrefix(send, prefix) {
  let cursor = '0';
  do {
    const [next, keys] = await send(['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000']);
    cursor = String(next);
    if (keys.length > 0) await send(['DEL', ...keys]);
  } while (cursor !== '0');
}

const clients = {
  ioredis: {
    async connect(port) {
      const Redis = require('ioredis');
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
      await client.connect();
      return { client, send: (args) => client.call(...args), quit: () => client.quit() };
    },
  },
  'node-redis': {
    async connect(port) {
      const { createClient } = require('redis');
      const client = createClient({ url: `redis://127.0.0.1:${port}` });
      client.on('error', () => {});
      await client.connect();
      return { client, send: (args) => client.sendCommand(args), quit: () => client.quit() };
    },
  },
  'node-redis v4': {
    async connect(port) {
      const { createClient } = require('redis-v4');
      const client = createClient({ url: `redis://127.0.0.1:${port}` });
      client.on('error', () => {});
      await client.connect();
      return { client, send: (args) => client.sendCommand(args), quit: () => client.quit() };
    },
  },
};

for (const [library, { connect }] of Object.entries(clients)) {
  let conn = null;
  describe(`RedisStore with ${library}`, { skip }, () => {
    before(async () => {
      conn = await connect(redis.port);
    });
    after(async () => {
      if (conn) await conn.quit();
    });

    storeContract(`RedisStore (${library})`, {
      create: async () => new RedisStore({ client: conn.client, prefix: `hw-test:${randomBytes(6).toString('hex')}:` }),
      destroy: async (store) => {
        await store.close();
        await deletePrefix(conn.send, store._prefix);
      },
    });
  });
}
