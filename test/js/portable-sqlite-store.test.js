'use strict';
// The portable SqliteStore (lib/stores/portable-sqlite-store.js) on
// node:sqlite: the shared Store contract, the same file format as the native
// store (schemas of real files compared, the migration text compared with the
// C++ source), one file shared by a native and a portable process claiming
// the same events at once, files written by one read by the other, the same
// faults and argument errors, and the error a runtime without SQLite gives.
//
// node:sqlite needs Node 22.13+. Under an older node (the system node 20 that
// `npm test` runs) this file checks the no-SQLite error there, then runs
// itself again under the official Node 22 binary (scripts/registry-node.sh,
// from the npm registry, cached) and passes only if that run passes.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..', '..');
const storeModule = path.join(root, 'lib', 'stores', 'portable-sqlite-store.js');
const ADVANCE_CLOCK = Symbol.for('hookwise.store.advanceClock');
const nodeSqlite = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:sqlite') : undefined;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-portable-sqlite-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileNumber = 0;
const newFile = () => path.join(dir, `events-${++fileNumber}.db`);
const meta = (over = {}) => ({ type: 'invoice.paid', created: 1_700_000_000, objectId: 'in_1', leaseMs: 60_000, ...over });

// A runtime without node:sqlite or bun:sqlite: this node when it has none,
// else this node with node:sqlite turned off.
test('where neither node:sqlite nor bun:sqlite exists, constructing throws naming the stores that work there', () => {
  const args = nodeSqlite ? ['--no-experimental-sqlite'] : [];
  const r = spawnSync(process.execPath, [...args, '-e', `
    if (process.getBuiltinModule('node:sqlite')) throw new Error('node:sqlite is still there');
    const { SqliteStore } = require(${JSON.stringify(storeModule)});
    try { new SqliteStore({ path: 'never.db' }); console.log('constructed'); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { code, message } = JSON.parse(r.stdout);
  assert.equal(code, 'HOOKWISE_STORE_UNAVAILABLE');
  for (const name of ['node:sqlite', 'bun:sqlite', 'MemoryStore', 'RedisStore', 'PostgresStore', 'ConvexStore']) {
    assert.ok(message.includes(name), `the message names ${name}: ${message}`);
  }
  assert.equal(fs.existsSync(path.join(dir, 'never.db')), false);
});

if (!nodeSqlite) {
  test('the portable SqliteStore suite under the official Node 22 (node:sqlite)', (t) => {
    require('./support/node22').runUnderNode22(t, __filename, 540_000);
  });
} else {
  nodeSqliteSuite();
}

function nodeSqliteSuite() {
  const { storeContract } = require('./support/store-contract');
  const { SqliteStore } = require(storeModule);
  const { APPLICATION_ID, SCHEMA_VERSION, MIGRATIONS } = require('../../lib/stores/sqlite-schema');
  // The native store, loaded by the package's own (native) entry.
  const NativeSqliteStore = () => require(root).SqliteStore;

  storeContract('portable SqliteStore on node:sqlite (durability full)', {
    create: async (options) => new SqliteStore({ path: newFile(), ...options }),
  });
  storeContract('portable SqliteStore on node:sqlite (durability normal, keepPayloads)', {
    create: async (options) => new SqliteStore({ path: newFile(), durability: 'normal', keepPayloads: true, ...options }),
  });

  // What one file says about its format, read with node:sqlite directly.
  function describeFile(file) {
    const db = new nodeSqlite.DatabaseSync(file, { readOnly: true });
    try {
      const pragma = (name) => Object.values(db.prepare(`PRAGMA ${name}`).get())[0];
      return {
        schema: db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name').all().map((r) => ({ ...r })),
        applicationId: pragma('application_id'),
        userVersion: pragma('user_version'),
        journalMode: pragma('journal_mode'),
      };
    } finally {
      db.close();
    }
  }

  test('hookwise/portable exports this SqliteStore, on node:sqlite', () => {
    const portable = require(path.join(root, 'lib', 'portable.js'));
    assert.equal(portable.implementation, 'portable');
    assert.equal(portable.SqliteStore, SqliteStore);
    assert.equal(new portable.SqliteStore({ path: newFile() }).driver, 'node:sqlite');
  });

  test('a file created by the portable store has exactly the native store\'s schema and pragmas', async () => {
    const files = {};
    for (const [name, Store] of [['native', NativeSqliteStore()], ['portable', SqliteStore]]) {
      files[name] = newFile();
      const store = new Store({ path: files[name] });
      await store.claim('evt_1', meta());
      await store.close();
    }
    const native = describeFile(files.native);
    const portable = describeFile(files.portable);
    assert.equal(native.applicationId, 0x686b7773);
    assert.equal(native.journalMode, 'wal');
    assert.ok(native.schema.length >= 7, 'two tables and their indexes');
    assert.deepEqual(portable, native);
  });

  test('the migrations and schema constants are the C++ source\'s, character for character', () => {
    const cc = fs.readFileSync(path.join(root, 'src', 'core', 'sqlite_schema.cc'), 'utf8');
    const h = fs.readFileSync(path.join(root, 'src', 'core', 'sqlite_schema.h'), 'utf8');
    const migrations = [...cc.matchAll(/R"sql\(([\s\S]*?)\)sql"/g)].map((m) => m[1]);
    assert.ok(migrations.length > 0, 'no migration found in sqlite_schema.cc');
    assert.deepEqual(migrations, [...MIGRATIONS]);
    assert.equal(Number(h.match(/kSqliteApplicationId = (0x[0-9a-f]+);/)[1]), APPLICATION_ID);
    assert.equal(Number(h.match(/kSqliteSchemaVersion = (\d+);/)[1]), SCHEMA_VERSION);
  });

  test('a file of schema version 1 (before atomic ordering) is migrated by either store and keeps its records', async () => {
    for (const [name, Store] of [['native', NativeSqliteStore()], ['portable', SqliteStore]]) {
      const file = newFile();
      const db = new nodeSqlite.DatabaseSync(file);
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}; ${MIGRATIONS[0]} PRAGMA user_version = 1;`);
      db.prepare("INSERT INTO events (id, type, created, object_id, status, attempts, received_at, updated_at) VALUES ('evt_old', 'invoice.paid', 1, 'in_1', 'completed', 1, ?1, ?1)").run(Date.now());
      db.prepare("INSERT INTO applied (object_id, created, event_id, updated_at) VALUES ('sub_old', 1700000100, 'evt_old', ?1)").run(Date.now());
      db.close();
      const store = new Store({ path: file });
      assert.equal((await store.get('evt_old')).status, 'completed', name);
      assert.equal(await store.lastApplied('sub_old'), 1_700_000_100);
      const order = (created, rank) => meta({ objectId: 'sub_old', created, order: { objectId: 'sub_old', created, rank } });
      assert.equal((await store.claim('evt_older', order(1_700_000_050, 0))).status, 'stale', `${name}: the old marker orders`);
      const c = await store.claim('evt_newer', order(1_700_000_200, 3));
      assert.equal(c.status, 'acquired');
      assert.equal((await store.claim('evt_blocked', order(1_700_000_300, 0))).status, 'blocked');
      await store.complete('evt_newer', c.token);
      assert.equal(await store.lastApplied('sub_old'), 1_700_000_200);
      await store.close();
      assert.equal(describeFile(file).userVersion, SCHEMA_VERSION);
    }
  });

  test('a file of schema version 3 is migrated by either store: the updated_at index goes, purge still finds old rows', async () => {
    const day = 24 * 60 * 60 * 1000;
    for (const [name, Store] of [['native', NativeSqliteStore()], ['portable', SqliteStore]]) {
      const file = newFile();
      const db = new nodeSqlite.DatabaseSync(file);
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}; ${MIGRATIONS.slice(0, 3).join('')} PRAGMA user_version = 3;`);
      const insert = db.prepare('INSERT INTO events (id, type, created, status, attempts, received_at, updated_at, lease_expires_at) VALUES (?1, ?2, 1, ?3, 1, ?4, ?5, ?6)');
      const now = Date.now();
      insert.run('evt_old_done', 'invoice.paid', 'completed', now - 10 * day, now - 9 * day, 0);
      insert.run('evt_old_dead', 'invoice.paid', 'dead_lettered', now - 10 * day, now - 10 * day, 0);
      insert.run('evt_old_replayed', 'invoice.paid', 'completed', now - 10 * day, now - 1000, 0); // received long ago, run again just now
      insert.run('evt_old_running', 'invoice.paid', 'processing', now - 10 * day, now - 10 * day, now + day);
      insert.run('evt_new_done', 'invoice.paid', 'completed', now - 1000, now - 1000, 0);
      db.close();
      const store = new Store({ path: file });
      assert.equal((await store.get('evt_old_done')).status, 'completed', name);
      assert.equal(await store.purge(day), 2, `${name}: the two old finished records`);
      const left = (await store.list({ limit: 10 })).map((r) => r.id).sort();
      assert.deepEqual(left, ['evt_new_done', 'evt_old_replayed', 'evt_old_running'], name);
      await store.close();
      const described = describeFile(file);
      assert.equal(described.userVersion, SCHEMA_VERSION);
      assert.equal(described.schema.some((r) => r.name === 'events_by_updated'), false, `${name}: the index is dropped`);
      assert.ok(described.schema.some((r) => r.name === 'events_by_received'), name);
    }
  });

  test('a file of schema version 4 is migrated by either store: the status index keeps only events not completed, list by any status still finds its events', async () => {
    for (const [name, Store] of [['native', NativeSqliteStore()], ['portable', SqliteStore]]) {
      const file = newFile();
      const db = new nodeSqlite.DatabaseSync(file);
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}; ${MIGRATIONS.slice(0, 4).join('')} PRAGMA user_version = 4;`);
      const insert = db.prepare('INSERT INTO events (id, type, created, status, attempts, received_at, updated_at, lease_expires_at) VALUES (?1, ?2, 1, ?3, 1, ?4, ?4, ?5)');
      const now = Date.now();
      const rows = [
        ['evt_a', 'invoice.paid', 'completed'],
        ['evt_b', 'customer.created', 'failed'],
        ['evt_c', 'invoice.paid', 'dead_lettered'],
        ['evt_d', 'invoice.paid', 'processing'],
        ['evt_e', 'invoice.paid', 'completed'],
        ['evt_f', 'customer.created', 'completed'],
      ];
      rows.forEach(([id, type, status], i) => insert.run(id, type, status, now - 10_000 + i, status === 'processing' ? now + 60_000 : 0));
      db.close();
      const store = new Store({ path: file });
      // A completion after the migration leaves the status index, a failure stays in it.
      const done = await store.claim('evt_g', meta());
      assert.equal(await store.complete('evt_g', done.token), true, name);
      const failing = await store.claim('evt_h', meta({ type: 'customer.created' }));
      await store.fail('evt_h', failing.token, 'boom', 5);
      const ids = async (query) => (await store.list({ limit: 10, ...query })).map((r) => r.id);
      assert.deepEqual(await ids({ status: 'completed' }), ['evt_g', 'evt_f', 'evt_e', 'evt_a'], name);
      assert.deepEqual(await ids({ status: 'failed' }), ['evt_h', 'evt_b'], name);
      assert.deepEqual(await ids({ status: 'dead_lettered' }), ['evt_c'], name);
      assert.deepEqual(await ids({ status: 'processing' }), ['evt_d'], name);
      assert.deepEqual(await ids({ status: 'completed', type: 'customer.created' }), ['evt_f'], name);
      assert.deepEqual(await ids({ status: 'failed', type: 'customer.created' }), ['evt_h', 'evt_b'], name);
      assert.deepEqual(await ids({ status: 'completed', before: now - 10_000 + 4 }), ['evt_a'], name);
      assert.equal((await ids({})).length, 8, name);
      await store.close();
      const described = describeFile(file);
      assert.equal(described.userVersion, SCHEMA_VERSION);
      const index = described.schema.find((r) => r.name === 'events_by_status');
      assert.match(index.sql, /WHERE status <> 'completed'$/, name);
      const check = new nodeSqlite.DatabaseSync(file, { readOnly: true });
      try {
        const indexed = check.prepare("SELECT id FROM events INDEXED BY events_by_status WHERE status <> 'completed' ORDER BY id").all();
        assert.deepEqual(indexed.map((r) => r.id), ['evt_b', 'evt_c', 'evt_d', 'evt_h'], name);
      } finally {
        check.close();
      }
    }
  });

  test('every list form of the portable store reads newest first through an index, the status index for any status but completed', async () => {
    const { listSql } = require(storeModule);
    const file = newFile();
    const store = new SqliteStore({ path: file });
    await store.claim('evt_1', meta());
    await store.close();
    const db = new nodeSqlite.DatabaseSync(file, { readOnly: true });
    try {
      for (const status of [null, 'processing', 'completed', 'failed', 'dead_lettered']) {
        for (const type of [null, 'invoice.paid']) {
          for (const before of [null, 1]) {
            const sql = listSql(status, type, before);
            const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((r) => r.detail).join('\n');
            assert.match(plan, /USING INDEX/, `${sql}\n${plan}`);
            assert.doesNotMatch(plan, /TEMP B-TREE/, `${sql}\n${plan}`);
            if (status === 'completed') assert.doesNotMatch(plan, /events_by_status/, `${sql}\n${plan}`);
            else if (status !== null && type === null) assert.match(plan, /events_by_status/, `${sql}\n${plan}`);
          }
        }
      }
    } finally {
      db.close();
    }
  });

  // A node child with `store` = new <kind> SqliteStore(options). It prints one
  // JSON line per `say`; a line 'go' on its stdin resolves `go()`.
  function child(kind, options, body) {
    const load = kind === 'native'
      ? `const hookwise = require(${JSON.stringify(root)});
         if (hookwise.implementation !== undefined && hookwise.implementation !== 'native') throw new Error('not native: ' + hookwise.implementation);
         const { SqliteStore } = hookwise;`
      : `const { SqliteStore } = require(${JSON.stringify(storeModule)});`;
    const code = `${load}
      const store = new SqliteStore(${JSON.stringify(options)});
      const say = (msg) => process.stdout.write(JSON.stringify(msg) + '\\n');
      const go = () => new Promise((resolve) => process.stdin.once('data', resolve));
      (async () => { ${body} })().then(() => process.exit(0), (e) => { console.error(e); process.exit(3); });`;
    const env = { ...process.env, HOOKWISE_IMPLEMENTATION: kind === 'native' ? 'native' : 'portable' };
    const proc = spawn(process.execPath, ['--no-warnings', '-e', code], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = [];
    const waiters = [];
    let buffered = '';
    let stderr = '';
    proc.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
        waiters.splice(0).forEach((w) => w());
      }
    });
    proc.stderr.on('data', (chunk) => { stderr += chunk; });
    const exited = new Promise((resolve) => proc.on('exit', (code) => { waiters.splice(0).forEach((w) => w()); resolve({ code, stderr }); }));
    const nextLine = async (n) => {
      while (lines.length < n && proc.exitCode === null) await new Promise((resolve) => waiters.push(resolve));
      if (lines.length < n) throw new Error(`${kind} child exited early: ${stderr}`);
      return lines[n - 1];
    };
    return { proc, exited, nextLine };
  }

  test('a native and a portable process claiming the same 400 events at once: each acquired exactly once, records readable from both', async (t) => {
    const file = newFile();
    const body = (order) => `
      await store.get('evt_warmup');            // the file is open and the schema there
      say('ready');
      await go();
      const ids = Array.from({ length: 400 }, (_, i) => 'evt_' + i);
      ${order === 'reverse' ? 'ids.reverse();' : ''}
      const acquired = [];
      for (let i = 0; i < ids.length; i += 32) {   // 32 in flight, like a busy server
        const claims = await Promise.all(ids.slice(i, i + 32).map((id) =>
          store.claim(id, { type: 'invoice.paid', created: 1700000000, objectId: 'in_' + id, leaseMs: 600000 }).then((c) => [id, c])));
        for (const [id, c] of claims) if (c.status === 'acquired') acquired.push([id, c.token]);
        await new Promise((resolve) => setImmediate(resolve));  // let the other process's turn come
      }
      const completed = await Promise.all(acquired.map(([id, token]) => store.complete(id, token)));
      await store.markApplied('sub_shared', ${order === 'reverse' ? 1700000100 : 1700000200}, 'evt_0');
      await store.close();
      say({ acquired: acquired.map(([id]) => id), completed });`;
    const native = child('native', { path: file }, body('forward'));
    const portable = child('portable', { path: file, durability: 'normal' }, body('reverse'));
    assert.equal(await native.nextLine(1), 'ready');
    assert.equal(await portable.nextLine(1), 'ready');
    native.proc.stdin.write('go\n');
    portable.proc.stdin.write('go\n');
    const results = [await native.nextLine(2), await portable.nextLine(2)];
    for (const c of [native, portable]) {
      const { code, stderr } = await c.exited;
      assert.equal(code, 0, stderr);
    }
    const [a, b] = results.map((r) => r.acquired);
    // How the 400 split depends on scheduling; exactly-once does not.
    t.diagnostic(`acquired: native ${a.length}, portable ${b.length}`);
    assert.equal(a.length + b.length, 400);
    assert.equal(new Set([...a, ...b]).size, 400, 'no event acquired twice');
    for (const r of results) assert.ok(r.completed.every((ok) => ok === true));

    const readers = [new (NativeSqliteStore())({ path: file }), new SqliteStore({ path: file })];
    try {
      const [nativeList, portableList] = await Promise.all(readers.map((s) => s.list({ limit: 1000 })));
      assert.equal(nativeList.length, 401 - 1, 'the warm-up get created nothing');
      assert.deepEqual(portableList, nativeList);
      assert.ok(nativeList.every((r) => r.status === 'completed' && r.attempts === 1));
      for (const id of ['evt_0', ...a.slice(-1), ...b.slice(-1), 'evt_399']) {
        const [n, p] = await Promise.all(readers.map((s) => s.get(id)));
        assert.deepEqual(p, n);
        assert.equal(n.objectId, `in_${id}`);
      }
      for (const s of readers) {
        assert.equal(await s.lastApplied('sub_shared'), 1_700_000_200);
        assert.equal((await s.claim('evt_7', meta())).status, 'duplicate');
      }
    } finally {
      await Promise.all(readers.map((s) => s.close()));
    }
  });

  for (const [writerName, readerName] of [['portable', 'native'], ['native', 'portable']]) {
    test(`a file written by the ${writerName} store is read and carried on by the ${readerName} store`, async () => {
      const Writer = writerName === 'native' ? NativeSqliteStore() : SqliteStore;
      const Reader = readerName === 'native' ? NativeSqliteStore() : SqliteStore;
      const file = newFile();
      const payload = Buffer.from('{"id":"evt_done","data":{}}\n\u00ff\u0000', 'latin1');
      const writer = new Writer({ path: file, keepPayloads: true });
      const done = await writer.claim('evt_done', meta({ payload }));
      await writer.complete('evt_done', done.token);
      const failed = await writer.claim('evt_failed', meta({ objectId: null, payload: 'text body é' }));
      await writer.fail('evt_failed', failed.token, `handler threw: ${'€'.repeat(700)}`, 5);
      const dead = await writer.claim('evt_dead', meta());
      await writer.fail('evt_dead', dead.token, 'gave up', 1);
      const held = await writer.claim('evt_held', meta({ leaseMs: Number.MAX_SAFE_INTEGER }));
      await writer.markApplied('sub_1', 1_700_000_300, 'evt_done');
      const billingRecord = JSON.stringify({ v: 1, note: 'caf\u00e9' });
      assert.equal(await writer.billingPut('cus_1', { record: billingRecord, userId: 'user_1', updatedAt: 1_700_000_000_123 }, 0), 1);
      const written = await writer.list({ limit: 100 });
      await writer.close();

      const reader = new Reader({ path: file, keepPayloads: true });
      try {
        assert.deepEqual(await reader.list({ limit: 100 }), written);
        assert.deepEqual((await reader.get('evt_done')).payload, payload);
        assert.deepEqual((await reader.get('evt_failed')).payload, Buffer.from('text body é'));
        assert.equal(Buffer.byteLength((await reader.get('evt_failed')).lastError), 2046, 'cut to 2048 bytes on a UTF-8 boundary');
        assert.equal((await reader.claim('evt_done', meta())).status, 'duplicate');
        assert.equal((await reader.claim('evt_dead', meta())).status, 'dead_lettered');
        assert.equal((await reader.claim('evt_held', meta())).status, 'in_progress', 'a lease past 2^53 ms is compared, not read');
        assert.equal(await reader.lastApplied('sub_1'), 1_700_000_300);
        const billing = { customerId: 'cus_1', userId: 'user_1', record: billingRecord, version: 1, updatedAt: 1_700_000_000_123 };
        assert.deepEqual(await reader.billingGet('cus_1'), billing);
        assert.deepEqual(await reader.billingFind({ userId: 'user_1' }), billing);
        assert.equal(await reader.billingPut('cus_1', { record: '{}', userId: null, updatedAt: 1 }, 0), null, 'the writer\'s version holds');
        assert.equal(await reader.billingPut('cus_1', { record: '{}', userId: null, updatedAt: 1 }, 1), 2);
        const again = await reader.claim('evt_failed', meta({ objectId: null }));
        assert.equal(again.status, 'acquired');
        assert.equal(again.attempt, 2);
        assert.equal(await reader.complete('evt_held', held.token), true, 'the writer\'s token is the holder\'s');
        assert.equal(await reader.complete('evt_failed', again.token), true);
        assert.equal(await reader.requeue('evt_dead'), true);
        assert.equal((await reader.claim('evt_dead', meta())).attempt, 1);
      } finally {
        await reader.close();
      }
    });
  }

  test('faults give the native store\'s error codes and leave foreign files untouched', async () => {
    const Native = NativeSqliteStore();
    const outcome = async (Store, file, op = (s) => s.claim('evt_1', meta())) => {
      const store = new Store({ path: file });
      try {
        await op(store);
        return 'ok';
      } catch (err) {
        return err.code;
      } finally {
        await store.close();
      }
    };
    // Not SQLite at all.
    const junkFile = newFile();
    const junk = Buffer.alloc(10_000, 'not a database ');
    fs.writeFileSync(junkFile, junk);
    assert.equal(await outcome(SqliteStore, junkFile), 'HOOKWISE_STORE_NOT_A_DATABASE');
    assert.equal(await outcome(Native, junkFile), 'HOOKWISE_STORE_NOT_A_DATABASE');
    assert.deepEqual(fs.readFileSync(junkFile), junk);
    // Someone else's SQLite database.
    const foreignFile = newFile();
    const db = new nodeSqlite.DatabaseSync(foreignFile);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ada')");
    db.close();
    const foreign = fs.readFileSync(foreignFile);
    assert.equal(await outcome(SqliteStore, foreignFile), 'HOOKWISE_STORE_FOREIGN_DATABASE');
    assert.equal(await outcome(Native, foreignFile), 'HOOKWISE_STORE_FOREIGN_DATABASE');
    assert.deepEqual(fs.readFileSync(foreignFile), foreign);
    // Written by a newer hookwise.
    const newerFile = newFile();
    assert.equal(await outcome(SqliteStore, newerFile), 'ok');
    const newer = new nodeSqlite.DatabaseSync(newerFile);
    newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    assert.equal(await outcome(SqliteStore, newerFile), 'HOOKWISE_STORE_SCHEMA_TOO_NEW');
    assert.equal(await outcome(Native, newerFile), 'HOOKWISE_STORE_SCHEMA_TOO_NEW');
    // Two missing directory levels: refused with the same message; one is created.
    const missing = path.join(dir, 'no', 'such', 'events.db');
    const store = new SqliteStore({ path: missing });
    await assert.rejects(store.claim('evt_1', meta()), {
      code: 'HOOKWISE_STORE_CANNOT_OPEN',
      message: `hookwise: the directory ${path.dirname(missing)} does not exist (nor does ${path.join(dir, 'no')})`,
    });
    fs.mkdirSync(path.join(dir, 'no'));
    assert.equal((await store.claim('evt_1', meta())).status, 'acquired', 'a failed open is retried');
    await store.close();
    await assert.rejects(store.claim('evt_2', meta()), { code: 'HOOKWISE_STORE_CLOSED', message: 'hookwise: the store is closed' });
    await store.close();
  });

  test('closing with work in flight commits what was submitted, then refuses', async () => {
    const file = newFile();
    const store = new SqliteStore({ path: file });
    const claims = Array.from({ length: 100 }, (_, i) => store.claim(`evt_${i}`, meta()));
    const closed = store.close();
    assert.equal(store.close(), closed, 'the same promise while closing');
    assert.ok((await Promise.all(claims)).every((c) => c.status === 'acquired'));
    await closed;
    const reopened = new SqliteStore({ path: file });
    assert.equal((await reopened.list({ limit: 1000 })).length, 100);
    await reopened.close();
  });

  test('no I/O at construction; the default path is .hookwise/events.db under the current directory', () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'cwd-'));
    const r = spawnSync(process.execPath, ['--no-warnings', '-e', `
      const fs = require('node:fs');
      const { SqliteStore } = require(${JSON.stringify(storeModule)});
      const store = new SqliteStore();
      console.log(fs.readdirSync('.').length, store.path, store.driver);
      store.claim('evt_1', { type: 't', created: 1, leaseMs: 1000 })
        .then(() => store.close())
        .then(() => console.log(fs.existsSync('.hookwise/events.db')));`], { cwd, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `0 ${path.join(fs.realpathSync(cwd), '.hookwise', 'events.db')} node:sqlite\ntrue\n`);
  });

  test('records past retentionMs are swept by the first batch and then every minute; processing ones stay', async () => {
    for (const Store of [SqliteStore, NativeSqliteStore()]) {
      const store = new Store({ path: newFile(), retentionMs: 1_000 });
      const done = await store.claim('evt_done', meta());
      await store.complete('evt_done', done.token);
      await store.claim('evt_busy', meta({ leaseMs: 1_000 }));
      await store.markApplied('sub_1', 1, 'evt_done');
      store[ADVANCE_CLOCK](2_000); // past retention, but the next sweep (a minute after the first) is not due
      assert.equal((await store.get('evt_done')).status, 'completed', Store.name);
      store[ADVANCE_CLOCK](58_000);
      assert.equal(await store.get('evt_done'), null, Store.name);
      assert.equal(await store.lastApplied('sub_1'), null);
      assert.equal((await store.get('evt_busy')).status, 'processing');
      await store.close();
    }
  });

  test('bad options are refused at construction with the native store\'s errors', () => {
    const Native = NativeSqliteStore();
    for (const options of [
      { durability: 'fsync' }, { path: '' }, { path: 'a\0b' }, { path: 5 }, { keepPayloads: 'yes' },
      { retentionMs: -1 }, { retentionMs: 1.5 }, { file: 'x.db' }, 'events.db',
    ]) {
      const errorOf = (Store) => {
        try {
          new Store(options); // eslint-disable-line no-new
          return null;
        } catch (err) {
          return { name: err.name, message: err.message };
        }
      };
      const expected = errorOf(Native);
      assert.ok(expected, `the native store refuses ${JSON.stringify(options)}`);
      assert.deepEqual(errorOf(SqliteStore), expected, JSON.stringify(options));
    }
  });
}
