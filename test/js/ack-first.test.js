'use strict';
// Ack-first delivery (createWebhookHandler({ delivery: 'ack-first' })) on every store that
// supports it: SqliteStore (keepPayloads; native, and portable on node:sqlite where this Node
// has it), PostgresStore and RedisStore on real
// servers (test/js/support/services.js), MemoryStore (in-process only). What must hold:
// - a receiver killed (SIGKILL) right after its 200, before the run, loses nothing: the next
//   drain() runs the event, once;
// - one killed in the middle of the run: once the lease is over, drain() runs it again, once;
// - failures are retried by drain() and dead-lettered at maxAttempts;
// - concurrent drains (two handlers, two store instances) never run one event twice.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { fork } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const hookwise = require('../../lib');
const { ADVANCE_CLOCK } = require('../../lib/stores/store-args');
const { SECRET, makeEvent, delivery } = require('./support/deliveries');
const { openStore, entryFor } = require('./support/ack-first-store');
const services = require('./support/services');

const receiver = path.join(__dirname, 'support', 'ack-first-receiver.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-ack-first-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let nodeSqlite = true;
try {
  require('node:sqlite');
} catch {
  nodeSqlite = false;
}
const pgSkip = services.unavailable('postgres') ?? false;
const redisSkip = services.unavailable('redis') ?? false;
let postgres = null;
let redis = null;
before(async () => {
  if (!pgSkip) postgres = await services.startPostgres();
  if (!redisSkip) redis = await services.startRedis();
});
after(async () => {
  if (postgres) await postgres.stop();
  if (redis) await redis.stop();
});

const unique = () => randomBytes(5).toString('hex');
const KINDS = [
  { kind: 'sqlite', skip: false, describe: () => ({ kind: 'sqlite', path: path.join(tmp, `${unique()}.db`) }) },
  { kind: 'portable-sqlite', skip: nodeSqlite ? false : 'this Node has no node:sqlite (22.13+)', describe: () => ({ kind: 'portable-sqlite', path: path.join(tmp, `${unique()}-portable.db`) }) },
  { kind: 'postgres', skip: pgSkip, describe: () => ({ kind: 'postgres', connectionString: postgres.connectionString, table: `hw_ack_${unique()}` }) },
  { kind: 'redis', skip: redisSkip, describe: () => ({ kind: 'redis', url: redis.url, prefix: `hw-ack-${unique()}:` }) },
];

/** A handler over `store` whose invoice.paid handler counts runs per event id (and throws while `failing`). */
function worker(store, { runs = new Map(), failing = () => false, entry = hookwise, ...options } = {}) {
  const webhooks = entry.createWebhookHandler({ secret: SECRET, store, delivery: 'ack-first', retry: false, logger: {}, ...options });
  webhooks.on('invoice.paid', async (event) => {
    runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
    if (failing(event)) throw new Error('not yet');
  });
  return { webhooks, runs };
}

/** Starts a receiver process, delivers one event over HTTP, waits for `signal`, kills it. */
async function deliverAndKill(description, where, event) {
  const child = fork(receiver, [JSON.stringify(description), where], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const [{ port }] = await once(child, 'message');
    const signal = once(child, 'message');
    const { body, header } = delivery(event);
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers: { 'stripe-signature': header, 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { received: true });
    assert.equal((await signal)[0], where === 'after-ack' ? 'acked' : 'running');
  } finally {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  }
  assert.equal(child.signalCode, 'SIGKILL');
}

for (const { kind, skip, describe: describeStore } of KINDS) describe(`ack-first on ${kind}`, { skip }, () => {
  test('killed right after the 200: the next drain() runs the event once', async () => {
    const description = describeStore();
    const event = makeEvent();
    await deliverAndKill(description, 'after-ack', event);
    const { store, close } = await openStore(description);
    try {
      const record = await store.get(event.id);
      assert.equal(record.status, 'failed'); // queued: claimable at once
      assert.equal(record.attempts, 0);
      const { webhooks, runs } = worker(store, { entry: entryFor(description) });
      const results = await webhooks.drain();
      assert.deepEqual(results.map((r) => [r.eventId, r.outcome, r.attempt]), [[event.id, 'processed', 1]]);
      assert.equal(runs.get(event.id), 1);
      assert.equal((await store.get(event.id)).status, 'completed');
      assert.deepEqual(await webhooks.drain(), []);
      assert.equal(runs.get(event.id), 1);
    } finally {
      await close();
    }
  });

  test('killed in the middle of the run: after the lease, drain() runs it again, once', async () => {
    const sqlite = kind === 'sqlite' || kind === 'portable-sqlite';
    const leaseMs = sqlite ? 60_000 : 300;
    const description = { ...describeStore(), leaseMs };
    const event = makeEvent();
    await deliverAndKill(description, 'mid-run', event);
    const { store, close } = await openStore(description);
    try {
      assert.equal((await store.get(event.id)).status, 'processing');
      const { webhooks, runs } = worker(store, { leaseMs, entry: entryFor(description) });
      // While the dead run's lease holds, drain() leaves the event alone.
      if (sqlite) {
        assert.deepEqual((await webhooks.drain()).map((r) => r.outcome), ['in_progress']);
        store[ADVANCE_CLOCK](leaseMs + 1);
      }
      let results = [];
      for (let i = 0; i < 100 && !results.some((r) => r.outcome === 'processed'); i++) {
        results = await webhooks.drain();
        if (!results.some((r) => r.outcome === 'processed')) await sleep(50);
      }
      assert.deepEqual(results.filter((r) => r.outcome === 'processed').map((r) => [r.eventId, r.attempt]), [[event.id, 2]]);
      assert.equal(runs.get(event.id), 1);
      assert.equal((await store.get(event.id)).status, 'completed');
    } finally {
      await close();
    }
  });

  test('failures are retried by drain() and dead-lettered at maxAttempts; nothing runs after', async () => {
    const description = describeStore();
    const { store, close } = await openStore(description);
    try {
      const { webhooks, runs } = worker(store, { maxAttempts: 3, failing: () => true, entry: entryFor(description) });
      const event = makeEvent();
      const { body, header } = delivery(event);
      const res = await webhooks.handle(body, header);
      assert.equal(res.outcome, 'accepted');
      assert.equal(res.status, 200);
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push(...(await webhooks.drain()).map((r) => r.outcome));
      assert.deepEqual(outcomes, ['failed', 'dead_lettered']); // the in-process run was attempt 1
      assert.equal(runs.get(event.id), 3);
      const record = await store.get(event.id);
      assert.equal(record.status, 'dead_lettered');
      assert.equal(record.attempts, 3);
      assert.equal((await webhooks.handle(body, header)).outcome, 'dead_lettered');
      assert.equal(runs.get(event.id), 3);
    } finally {
      await close();
    }
  });

  test('concurrent drains over two store instances run every event exactly once', async () => {
    const description = describeStore();
    const a = await openStore(description);
    const b = await openStore(description);
    try {
      // Queued only: `after` does not start the runs, the drains do.
      const runs = new Map();
      const entry = entryFor(description);
      const receiving = worker(a.store, { runs, after: () => {}, entry });
      const events = Array.from({ length: 12 }, () => makeEvent());
      for (const event of events) {
        const { body, header } = delivery(event);
        assert.equal((await receiving.webhooks.handle(body, header)).outcome, 'accepted');
      }
      const one = worker(a.store, { runs, entry });
      const two = worker(b.store, { runs, entry });
      const results = (await Promise.all([one.webhooks.drain(), two.webhooks.drain(), one.webhooks.drain(), two.webhooks.drain()])).flat();
      const processed = results.filter((r) => r.outcome === 'processed').map((r) => r.eventId).sort();
      assert.deepEqual(processed, events.map((e) => e.id).sort());
      for (const event of events) assert.equal(runs.get(event.id), 1, event.id);
      assert.deepEqual(await one.webhooks.drain(), []);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('ack-first on MemoryStore (in-process only)', () => {
  test('answers before the run, runs in process, retries failures from its own memory', async () => {
    let fail = true;
    const { webhooks, runs } = worker(undefined, { maxAttempts: 5, failing: () => fail });
    const event = makeEvent();
    const { body, header } = delivery(event);
    assert.equal((await webhooks.handle(body, header)).outcome, 'accepted');
    assert.deepEqual((await webhooks.drain()).map((r) => r.outcome), ['failed']); // waits for the in-process run first
    fail = false;
    assert.deepEqual((await webhooks.drain()).map((r) => [r.outcome, r.attempt]), [['processed', 3]]);
    assert.equal(runs.get(event.id), 3);
    assert.equal((await webhooks.handle(body, header)).outcome, 'duplicate');
    await webhooks.close();
  });

  test('after receives the run: the answer does not wait for it', async () => {
    const handed = [];
    const { webhooks, runs } = worker(undefined, { after: (work) => handed.push(work) });
    const event = makeEvent();
    const { body, header } = delivery(event);
    assert.equal((await webhooks.handle(body, header)).outcome, 'accepted');
    assert.equal(runs.size, 0);
    assert.equal(handed.length, 1);
    await handed[0]();
    assert.equal(runs.get(event.id), 1);
  });

  test('a SqliteStore record without a body (from before ack-first) is run in the request, as inline delivery would', async () => {
    const store = new hookwise.SqliteStore({ path: path.join(tmp, `${unique()}-old.db`), keepPayloads: true });
    try {
      const event = makeEvent();
      const old = await store.claim(event.id, { type: event.type, created: event.created, leaseMs: 60_000 });
      await store.fail(event.id, old.token, 'failed before ack-first', 5);
      const { webhooks, runs } = worker(store, { after: () => assert.fail('nothing is queued') });
      const { body, header } = delivery(event);
      const res = await webhooks.handle(body, header);
      assert.deepEqual([res.outcome, res.attempt], ['processed', 2]);
      assert.equal(runs.get(event.id), 1);
    } finally {
      await store.close();
    }
  });

  test('a store that cannot keep payloads is refused at creation; drain() needs ack-first', () => {
    const store = { claim() {}, complete() {}, fail() {}, close() {} };
    assert.throws(() => hookwise.createWebhookHandler({ secret: SECRET, store, delivery: 'ack-first' }), { code: 'ack_first_store' });
    assert.throws(() => hookwise.createWebhookHandler({ secret: SECRET, store: new hookwise.SqliteStore({ path: path.join(tmp, 'x.db') }), delivery: 'ack-first' }), /keepPayloads/);
    assert.throws(() => hookwise.createWebhookHandler({ secret: SECRET, delivery: 'later' }), TypeError);
    assert.throws(() => hookwise.createWebhookHandler({ secret: SECRET, after: () => {} }), /ack-first/);
    assert.rejects(hookwise.createWebhookHandler({ secret: SECRET }).drain(), /ack-first/);
  });
});

describe('hookwise work (the CLI worker)', () => {
  const { spawnSync } = require('node:child_process');
  const cli = path.join(__dirname, '..', '..', 'bin', 'hookwise.js');
  const run = (...args) => spawnSync(process.execPath, [cli, 'work', ...args], { encoding: 'utf8', cwd: tmp });

  test('lists what is due with --db, then runs it with --handler; a second run finds nothing', async () => {
    const db = path.join(tmp, `${unique()}-cli.db`);
    const store = new hookwise.SqliteStore({ path: db, keepPayloads: true });
    const { webhooks } = worker(store, { after: () => {} }); // queued, not run
    const event = makeEvent();
    const { body, header } = delivery(event);
    assert.equal((await webhooks.handle(body, header)).outcome, 'accepted');
    await store.close();

    const listed = run('--db', db, '--json');
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).map((r) => [r.id, r.status, r.attempts]), [[event.id, 'failed', 0]]);

    const marker = path.join(tmp, `${unique()}.ran`);
    const mod = path.join(tmp, `${unique()}-webhooks.js`);
    fs.writeFileSync(mod, `
      const fs = require('node:fs');
      const { createWebhookHandler, SqliteStore } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'lib'))});
      exports.webhooks = createWebhookHandler({ secret: ${JSON.stringify(SECRET)}, delivery: 'ack-first', logger: {},
        store: new SqliteStore({ path: ${JSON.stringify(db)}, keepPayloads: true }) })
        .on('invoice.paid', (event) => fs.appendFileSync(${JSON.stringify(marker)}, event.id + '\\n'));
    `);
    const worked = run('--handler', mod, '--json');
    assert.equal(worked.status, 0, worked.stderr);
    assert.deepEqual(JSON.parse(worked.stdout).counts, { processed: 1 });
    assert.equal(fs.readFileSync(marker, 'utf8'), `${event.id}\n`);
    const again = run('--handler', mod);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /Nothing was due/);
    assert.equal(fs.readFileSync(marker, 'utf8'), `${event.id}\n`);
  });

  test('a module without a handler is a usage error', () => {
    const mod = path.join(tmp, `${unique()}-empty.js`);
    fs.writeFileSync(mod, 'module.exports = {};');
    const r = run('--handler', mod);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /exports no webhook handler/);
  });
});
