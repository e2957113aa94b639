'use strict';
// PostgresStore holds a pool client of its own only for the first-use DDL. A
// pg client whose connection dies while it is checked out emits 'error'; with
// no listener, EventEmitter throws it and the app's process crashes (the crash
// test, test/chaos/, saw a receiver die so when PostgreSQL was killed while the
// receiver created its tables). Here a stand-in client emits that error between
// two DDL statements: the store must hear it, fail the operation with a
// StoreError, give the client back as broken, and create the tables on the next try.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');
const { PostgresStore } = require('../../lib/stores/postgres-store');

function fakePool({ dieAfter }) {
  const released = [];
  let statements = 0;
  let dead = false;
  const pool = {
    released,
    async connect() {
      const client = new EventEmitter();
      client.query = async (text) => {
        if (dead) throw new Error('Client has encountered a connection error and is not queryable');
        statements += 1;
        if (statements === dieAfter) {
          dead = true;
          // pg emits this on the client when the server ends the connection between queries.
          setImmediate(() => client.emit('error', new Error('terminating connection due to unexpected postmaster exit')));
          await new Promise((resolve) => setImmediate(resolve));
        }
        return { rows: [], rowCount: 0, text };
      };
      client.release = (err) => released.push(err === undefined ? 'ok' : 'broken');
      return client;
    },
    async query() {
      // get() once the tables exist: no such event.
      return { rows: [], rowCount: 0 };
    },
  };
  pool.revive = () => {
    dead = false;
  };
  return pool;
}

test("a connection that dies during the first-use DDL fails that call, and does not crash the process on the client's 'error'", async () => {
  const pool = fakePool({ dieAfter: 2 });
  const store = new PostgresStore({ pool });
  await assert.rejects(store.get('evt_1'), (err) => err.name === 'StoreError' && err.code === 'HOOKWISE_STORE_UNAVAILABLE');
  assert.deepEqual(pool.released, ['broken']);
  // The next operation tries the DDL again, on a new client, and goes on.
  pool.revive();
  await store.get('evt_1');
  assert.deepEqual(pool.released, ['broken', 'ok']);
});

// pg-pool's connect() for a new connection, as it happens inside the parse of one TCP chunk:
// the pool hands the client over and, in the same synchronous step, the rest of the chunk —
// the server's FATAL — is emitted on the client. A promise would resume its `await` only after.
function sameChunkPool() {
  const client = new EventEmitter();
  return {
    client,
    connect(cb) {
      cb(undefined, client);
      client.emit('error', new Error('terminating connection due to unexpected postmaster exit'));
    },
  };
}

test('connectListening: the listener is on before the rest of the chunk is parsed', async () => {
  const { connectListening } = require('../../lib/stores/pg-connect');
  const heard = [];
  const pool = sameChunkPool();
  const client = await connectListening(pool, (err) => heard.push(err.message));
  assert.equal(client, pool.client);
  assert.deepEqual(heard, ['terminating connection due to unexpected postmaster exit']);
});

test('the gap it closes: a client not listened to in that same step throws the error', () => {
  assert.throws(() => sameChunkPool().connect(() => {}), /terminating connection/);
});
