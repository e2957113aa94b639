'use strict';
// RedisStore and PostgresStore are exported by `hookwise` (CommonJS and ESM)
// without loading any client library; hookwise/convex is an ESM entry of its own.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const run = (args) => spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

test('require("hookwise") exports the stores and loads no client library', () => {
  const r = run(['-e', `
    const h = require('hookwise');
    const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](ioredis|redis|@redis|pg|convex)[\\\\/]/.test(f));
    console.log(typeof h.RedisStore, typeof h.PostgresStore, JSON.stringify(loaded));`]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'function function []');
});

test('creating a store does no I/O and needs no client library', () => {
  const r = run(['-e', `
    const { RedisStore, PostgresStore } = require('hookwise');
    let calls = 0;
    new RedisStore({ client: { call() { calls++; }, evalsha() { calls++; } } });
    new PostgresStore({ pool: { query() { calls++; }, connect() { calls++; } } });
    console.log(calls);`]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '0');
});

test('ESM: named exports from hookwise and hookwise/convex', () => {
  const r = run(['--input-type=module', '-e', `
    import { RedisStore, PostgresStore } from 'hookwise';
    import { ConvexStore, hookwiseTables, claim } from 'hookwise/convex';
    console.log(typeof RedisStore, typeof PostgresStore, typeof ConvexStore, Object.keys(hookwiseTables).join(','), typeof claim);`]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'function function function hookwise_events,hookwise_applied,hookwise_billing,hookwise_ordering_slots function');
});
