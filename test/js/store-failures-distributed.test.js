'use strict';
// The store-failure suite (test/js/support/store-failures.js) over RedisStore
// and PostgresStore on real servers (test/js/support/services.js), driven by
// the native implementation's handler: each store call failing once at each
// step of the pipeline, and for longer, runs no handler twice and loses no event.
const { before, after } = require('node:test');
const { randomBytes } = require('node:crypto');
const { ENGINES } = require('./support/engines');
const { failureSuite } = require('./support/store-failures');
const services = require('./support/services');
const { RedisStore, PostgresStore } = require('../../lib');

const { hookwise } = ENGINES[0];
const unique = (label) => `${label}${randomBytes(6).toString('hex')}`;

const redisSkip = services.unavailable('redis');
const postgresSkip = services.unavailable('postgres');
let redis = null;
let redisClient = null;
let postgres = null;
let pool = null;
const tables = [];

before(async () => {
  if (!redisSkip) {
    redis = await services.startRedis();
    const Redis = require('ioredis');
    redisClient = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
    await redisClient.connect();
  }
  if (!postgresSkip) {
    postgres = await services.startPostgres();
    const { Pool } = require('pg');
    pool = new Pool({ connectionString: postgres.connectionString, max: 10 });
  }
});
after(async () => {
  if (redisClient) await redisClient.quit();
  if (redis) await redis.stop();
  if (pool) {
    for (const t of tables) await pool.query(`DROP TABLE IF EXISTS "${t}", "${t}_applied"`);
    await pool.end();
  }
  if (postgres) await postgres.stop();
});

if (redisSkip) console.log(`# RedisStore store-failure suite skipped — ${redisSkip}`);
else failureSuite('RedisStore', hookwise, () => new RedisStore({ client: redisClient, prefix: unique('hw-fail:') + ':' }));

if (postgresSkip) console.log(`# PostgresStore store-failure suite skipped — ${postgresSkip}`);
else {
  failureSuite('PostgresStore', hookwise, () => {
    const table = unique('hw_fail_');
    tables.push(table);
    return new PostgresStore({ pool, table });
  });
}
