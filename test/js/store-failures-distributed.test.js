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

const tables = [];
// Registered first, so it runs while the pool is still open.
after(async () => {
  for (const t of tables) await pg.pool().query(`DROP TABLE IF EXISTS "${t}", "${t}_applied"`);
});
const redis = services.useRedis({ before, after });
const pg = services.usePostgres({ before, after }, { max: 10 });
const redisSkip = redis.skip;
const postgresSkip = pg.skip;

if (redisSkip) console.log(`# RedisStore store-failure suite skipped — ${redisSkip}`);
else failureSuite('RedisStore', hookwise, () => new RedisStore({ client: redis.client(), prefix: unique('hw-fail:') + ':' }));

if (postgresSkip) console.log(`# PostgresStore store-failure suite skipped — ${postgresSkip}`);
else {
  failureSuite('PostgresStore', hookwise, () => {
    const table = unique('hw_fail_');
    tables.push(table);
    return new PostgresStore({ pool: pg.pool(), table });
  });
}
