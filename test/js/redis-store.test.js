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

function unreachableClient() {
  const Redis = require('ioredis');
  const client = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  return client;
}

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
      create: async (options) => new RedisStore({ client: conn.client, prefix: `hw-test:${randomBytes(6).toString('hex')}:`, ...options }),
      // A client of a server that is gone (a port nobody listens on), failing at once rather than queueing.
      unreachable: library === 'ioredis' ? async () => new RedisStore({ client: unreachableClient(), prefix: 'hw-gone:' }) : undefined,
      destroy: async (store) => {
        await store.close();
        await deletePrefix(conn.send, store._prefix);
      },
    });
  });
}

describe('RedisStore specifics', { skip }, () => {
  let conn = null;
  before(async () => {
    conn = await clients.ioredis.connect(redis.port);
  });
  after(async () => {
    if (conn) await conn.quit();
  });
  const meta = { type: 'invoice.paid', created: 1_700_000_000, objectId: 'in_1', leaseMs: 60_000 };
  const newPrefix = () => `hw-spec:${randomBytes(6).toString('hex')}:`;

  test('every key it writes starts with the prefix', async () => {
    const prefix = newPrefix();
    const store = new RedisStore({ client: conn.client, prefix });
    const c = await store.claim('evt_1', meta);
    await store.fail('evt_1', c.token, 'x', 5);
    await store.markApplied('in_1', 10, 'evt_1');
    const keys = await conn.send(['KEYS', '*']);
    const mine = keys.filter((k) => !k.startsWith('hw-'));
    assert.deepEqual(mine, [], 'no key outside a test prefix');
    assert.ok(keys.filter((k) => k.startsWith(prefix)).length >= 5);
    await deletePrefix(conn.send, prefix);
  });

  test('records and ordering markers expire by TTL at retentionMs; a later claim cleans the indexes', async () => {
    const prefix = newPrefix();
    const store = new RedisStore({ client: conn.client, prefix, retentionMs: 300 });
    const c = await store.claim('evt_old', meta);
    await store.complete('evt_old', c.token);
    await store.markApplied('in_1', 10, 'evt_old');
    const ttl = Number(await conn.send(['PTTL', `${prefix}e:evt_old`]));
    assert.ok(ttl > 0 && ttl <= 300, `PTTL ${ttl}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await store.get('evt_old'), null);
    assert.equal(await store.lastApplied('in_1'), null);
    assert.deepEqual(await store.list(), []);
    // Expired: a new delivery of the same id is a new event.
    assert.equal((await store.claim('evt_old', meta)).status, 'acquired');
    const upd = await conn.send(['ZRANGE', `${prefix}i:upd`, '0', '-1']);
    assert.equal(upd.length, 1, 'the expired record’s index entry was trimmed');
    assert.equal((await store.list()).length, 1);
    await deletePrefix(conn.send, prefix);
  });

  test('a filter that matches little is scanned in bounded steps and still finds everything', async () => {
    const prefix = newPrefix();
    const store = new RedisStore({ client: conn.client, prefix });
    const done = async (id, type) => {
      const c = await store.claim(id, { ...meta, type });
      await store.complete(id, c.token);
    };
    await done('evt_b_old', 'customer.created');
    for (let i = 0; i < 2300; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => done(`evt_a_${i + j}`, 'invoice.paid')));
    }
    await done('evt_b_new', 'customer.created');
    // More than one script call's budget of index entries lies between the two.
    const found = await store.list({ status: 'completed', type: 'customer.created' });
    assert.deepEqual(found.map((r) => r.id), ['evt_b_new', 'evt_b_old']);
    const page = await store.list({ status: 'completed', limit: 2500 });
    assert.equal(page.length, 2302);
    await deletePrefix(conn.send, prefix);
  });

  test('a flushed script cache (restart, SCRIPT FLUSH) falls back to EVAL', async () => {
    const prefix = newPrefix();
    const store = new RedisStore({ client: conn.client, prefix });
    await store.claim('evt_1', meta);
    await conn.send(['SCRIPT', 'FLUSH']);
    assert.equal((await store.claim('evt_1', meta)).status, 'in_progress');
    assert.equal((await store.get('evt_1')).status, 'processing');
    await deletePrefix(conn.send, prefix);
  });

  test('close() leaves the client open for its owner; later calls reject', async () => {
    const store = new RedisStore({ client: conn.client, prefix: newPrefix() });
    await store.close();
    assert.equal(await conn.send(['PING']), 'PONG');
    await assert.rejects(store.get('evt_1'), /after close/);
  });

  test('bad options and arguments are clear errors before any I/O', async () => {
    assert.throws(() => new RedisStore(), TypeError);
    assert.throws(() => new RedisStore({}), /needs \{ client \}/);
    assert.throws(() => new RedisStore({ client: {} }), /ioredis or node-redis/);
    assert.throws(() => new RedisStore({ client: conn.client, prefix: 5 }), /prefix/);
    assert.throws(() => new RedisStore({ client: conn.client, timeoutMs: -1 }), /timeoutMs/);
    assert.throws(() => new RedisStore({ client: conn.client, prefx: 'app:' }), {
      name: 'TypeError',
      message: 'hookwise: unknown RedisStore option "prefx" (expected client, prefix, retentionMs, timeoutMs)',
    });
    const store = new RedisStore({ client: conn.client, prefix: newPrefix() });
    await assert.rejects(store.claim('', meta), /eventId/);
    await assert.rejects(store.claim('evt_1', { ...meta, leaseMs: 0 }), /leaseMs/);
    await assert.rejects(store.claim('evt_1', { ...meta, created: 1.5 }), /created/);
    await assert.rejects(store.claim('evt_1', { ...meta, type: undefined }), /meta.type/);
    await assert.rejects(store.fail('evt_1', 'tok', new Error('x'), 5), /error must be a string/);
    await assert.rejects(store.fail('evt_1', 'tok', 'x', 0), /maxAttempts/);
    await assert.rejects(store.list({ status: 'done' }), /query.status/);
    await assert.rejects(store.list({ limit: 0 }), /query.limit/);
    await assert.rejects(store.purge(-1), /olderThanMs/);
    assert.equal(await store.get('evt_1'), null, 'nothing was written');
  });
});

describe('RedisStore when Redis hangs', { skip }, () => {
  test('operations reject after timeoutMs with a clear error, and work again when it answers', async () => {
    const conn = await clients.ioredis.connect(redis.port);
    const store = new RedisStore({ client: conn.client, prefix: `hw-hang:${randomBytes(4).toString('hex')}:`, timeoutMs: 300 });
    const meta = { type: 'invoice.paid', created: 1, leaseMs: 60_000 };
    try {
      const first = await store.claim('evt_1', meta);
      redis.pause();
      try {
        const err = await store.complete('evt_1', first.token).then(
          (v) => assert.fail(`complete resolved ${v} while Redis hung`),
          (e) => e,
        );
        assert.equal(err.code, 'HOOKWISE_STORE_UNAVAILABLE');
        assert.equal(err.name, 'StoreError');
        assert.match(err.message, /^hookwise RedisStore: complete failed: no answer from Redis within 300 ms/);
      } finally {
        redis.resume();
      }
      // The complete that timed out may still run when Redis wakes up: the event
      // is then completed, never completed twice, and never reported so falsely.
      // (It can take a second round trip: EVALSHA, NOSCRIPT, EVAL.) Let it land.
      let record = await store.get('evt_1');
      for (let i = 0; i < 20 && record.status === 'processing'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        record = await store.get('evt_1');
      }
      assert.ok(['processing', 'completed'].includes(record.status));
      if (record.status === 'processing') assert.equal(await store.complete('evt_1', first.token), true);
      assert.equal((await store.claim('evt_1', meta)).status, 'duplicate');
    } finally {
      await conn.quit();
    }
  });
});
