'use strict';
// Transactional handlers on hookwise/portable's SqliteStore (node:sqlite): the
// app's tables in the same file as hookwise's, the handler writing through
// ctx.db inside the event's BEGIN IMMEDIATE transaction, committed with the
// completion. The effect goes to a ledger table in that file; counting its
// rows shows an effect applied twice or left behind by a run that failed —
// including a receiver process SIGKILLed mid-handler.
//
// node:sqlite needs Node 22.13+: under an older node this file runs itself
// again under the official Node 22 binary (scripts/registry-node.sh), as
// portable-sqlite-store.test.js does.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.join(__dirname, '..', '..');
const nodeSqlite = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:sqlite') : undefined;

test('the native SqliteStore refuses transactional: true, naming the portable one', () => {
  const hookwise = require('../../lib');
  if (hookwise.implementation !== 'native') return;
  assert.throws(
    () => hookwise.createWebhookHandler({ secret: 'whsec_x', store: new hookwise.SqliteStore({ path: path.join(os.tmpdir(), 'never-opened.db') }), transactional: true }),
    (err) => err.code === 'transactional_unsupported' && /native SqliteStore.*hookwise\/portable's SqliteStore/.test(err.message),
  );
});

if (!nodeSqlite) {
  test('the transactional SqliteStore suite under the official Node 22 (node:sqlite)', (t) => {
    require('./support/node22').runUnderNode22(t, __filename, 300_000);
  });
} else {
  sqliteSuite();
}

function sqliteSuite() {
  const portable = require('../../lib/portable');
  const { SECRET, makeEvent, delivery } = require('./support/deliveries');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-tx-sqlite-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const quiet = { info() {}, warn() {}, error() {} };

  // A database file holding hookwise's tables and the app's ledger table. hookwise creates the
  // file (it refuses to adopt a database it did not create); the app adds its tables after.
  async function setup(options = {}) {
    const file = path.join(dir, `app-${++n}.db`);
    const store = new portable.SqliteStore({ path: file });
    assert.equal(await store.get('evt_none'), null); // creates the file and hookwise's tables
    const app = new nodeSqlite.DatabaseSync(file);
    app.exec('CREATE TABLE ledger (event_id TEXT NOT NULL, amount INTEGER NOT NULL, run INTEGER NOT NULL)');
    const make = (more = {}) => portable.createWebhookHandler({ secret: SECRET, store, transactional: true, logger: quiet, ...options, ...more });
    const effects = (eventId) => app.prepare('SELECT run FROM ledger WHERE event_id = ? ORDER BY run').all(eventId).map((r) => r.run);
    const credit = (ctx, event, run = 1) =>
      ctx.db.prepare('INSERT INTO ledger (event_id, amount, run) VALUES (?, ?, ?)').run(event.id, event.data.object.amount_paid, run);
    after(async () => {
      await store.close();
      app.close();
    });
    return { file, app, store, make, effects, credit };
  }

  test('ctx.db is the store\'s connection inside the transaction: the write and the completion commit together', async () => {
    const { store, make, effects, credit } = await setup();
    const webhooks = make().on('invoice.paid', async (event, ctx) => {
      assert.equal(ctx.db.isTransaction, true);
      credit(ctx, event);
      assert.deepEqual(effects(event.id), [], 'another connection does not see it before COMMIT');
    });
    const event = makeEvent();
    const { body, header } = delivery(event);
    const first = await webhooks.handle(body, header);
    assert.deepEqual([first.status, first.body, first.attempt], [200, { received: true }, 1]);
    assert.deepEqual(effects(event.id), [1]);
    assert.equal((await store.get(event.id)).status, 'completed');
    const again = await webhooks.handle(body, header);
    assert.deepEqual([again.status, again.body], [200, { received: true, duplicate: true }]);
    assert.deepEqual(effects(event.id), [1]);
  });

  test('concurrent deliveries of one event in one process: one runs, the others wait and are duplicates', async () => {
    const { make, effects, credit } = await setup();
    let runs = 0;
    const webhooks = make().on('invoice.paid', async (event, ctx) => {
      runs += 1;
      credit(ctx, event, runs);
      await new Promise((resolve) => setTimeout(resolve, 20)); // the others arrive meanwhile
    });
    const event = makeEvent();
    const { body, header } = delivery(event);
    const results = await Promise.all(Array.from({ length: 6 }, () => webhooks.handle(body, header)));
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);
    assert.equal(runs, 1);
    assert.deepEqual(effects(event.id), [1]);
  });

  test('other store operations wait for an open transaction and then run (no nested BEGIN)', async () => {
    const { store, make, credit } = await setup();
    const other = makeEvent();
    let during;
    const webhooks = make().on('invoice.paid', async (event, ctx) => {
      credit(ctx, event);
      during = store.claim(other.id, { type: 'invoice.paid', created: 1, leaseMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    const { body, header } = delivery(makeEvent());
    assert.equal((await webhooks.handle(body, header)).outcome, 'processed');
    assert.equal((await during).status, 'acquired');
  });

  test('a throwing handler: rolled back, retried in a fresh transaction, applied once; then fail recorded and dead letter', async () => {
    const { store, make, effects, credit } = await setup({ retry: { attempts: 1, backoffMs: 1 }, maxAttempts: 2 });
    let throwRuns = 1;
    const webhooks = make().on('invoice.paid', async (event, ctx) => {
      credit(ctx, event, ctx.attempt);
      if (throwRuns-- > 0) throw new Error('boom');
    });
    const event = makeEvent();
    const d = delivery(event);
    assert.equal((await webhooks.handle(d.body, d.header)).outcome, 'processed');
    assert.deepEqual(effects(event.id), [1]);

    throwRuns = 100;
    const failing = makeEvent();
    const f = delivery(failing);
    const first = await webhooks.handle(f.body, f.header);
    assert.deepEqual([first.status, first.outcome], [500, 'failed']);
    const record = await store.get(failing.id);
    assert.deepEqual([record.status, record.attempts, record.lastError], ['failed', 1, 'Error: boom']);
    const second = await webhooks.handle(f.body, f.header);
    assert.deepEqual([second.status, second.body], [200, { received: true, dead_lettered: true }]);
    assert.deepEqual(effects(failing.id), []);
  });

  test('a receiver process SIGKILLed mid-handler: nothing committed, the next delivery applies once', async () => {
    const { file, make, effects, credit } = await setup();
    const event = makeEvent();
    const { body, header } = delivery(event);
    const script = `
      const portable = require(${JSON.stringify(path.join(root, 'lib', 'portable'))});
      const store = new portable.SqliteStore({ path: ${JSON.stringify(file)} });
      const webhooks = portable.createWebhookHandler({ secret: ${JSON.stringify(SECRET)}, store, transactional: true })
        .on('invoice.paid', async (event, ctx) => {
          ctx.db.prepare('INSERT INTO ledger (event_id, amount, run) VALUES (?, ?, 99)').run(event.id, 1);
          process.stdout.write('inside\\n');
          await new Promise(() => {}); // killed here, before COMMIT
        });
      webhooks.handle(${JSON.stringify(body)}, ${JSON.stringify(header)});`;
    const child = spawn(process.execPath, ['--no-warnings', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => chunk.toString().includes('inside') && resolve());
      child.once('exit', (code) => reject(new Error(`the receiver exited (${code}) before its handler ran`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.deepEqual(effects(event.id), [], 'the killed run\'s write is gone');
    const webhooks = make().on('invoice.paid', async (ev, ctx) => credit(ctx, ev, 1));
    const res = await webhooks.handle(body, header);
    assert.deepEqual([res.outcome, res.attempt], ['processed', 1], 'claimable at once, and the killed claim left no attempt');
    assert.deepEqual(effects(event.id), [1]);
  });
}
