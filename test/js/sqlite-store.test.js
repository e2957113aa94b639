'use strict';
// SqliteStore beyond the shared contract: crashes, several processes on one
// file, worker threads, process exit, and faults (bad paths, foreign or
// corrupt files, a read-only directory, a full disk, closing with work in
// flight). Every process here is a real node child; every file a real SQLite
// database.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const { SqliteStore } = require('../..');

const root = path.join(__dirname, '..', '..');
const ADVANCE_CLOCK = Symbol.for('hookwise.store.advanceClock');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-sqlite-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileNumber = 0;
const newFile = () => path.join(dir, `events-${++fileNumber}.db`);
const meta = (over = {}) => ({ type: 'invoice.paid', created: 1_700_000_000, objectId: 'in_1', leaseMs: 60_000, ...over });

// A node child running `body` with `store` = new SqliteStore(storeOptions).
// It reports with lines on stdout; `onLine` sees each one.
function child(storeOptions, body, onLine = () => {}) {
  const code = `
    const { SqliteStore } = require(${JSON.stringify(root)});
    const store = new SqliteStore(${JSON.stringify(storeOptions)});
    const say = (msg) => process.stdout.write(JSON.stringify(msg) + '\\n');
    (async () => { ${body} })().catch((e) => { console.error(e); process.exit(3); });`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buffered = '';
  let stderr = '';
  proc.stdout.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      onLine(JSON.parse(line), proc);
    }
  });
  proc.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { proc, exited };
}

test('a child that completed 200 events and is killed with SIGKILL leaves all 200 completed', async () => {
  const file = newFile();
  const { exited } = child({ path: file }, `
    await Promise.all(Array.from({ length: 200 }, async (_, i) => {
      const id = 'evt_' + i;
      const c = await store.claim(id, { type: 'invoice.paid', created: 1, leaseMs: 60000 });
      if (!(await store.complete(id, c.token))) throw new Error('not completed: ' + id);
    }));
    say('done');
    setInterval(() => {}, 1000);  // stay alive until killed
  `, (msg, proc) => { if (msg === 'done') proc.kill('SIGKILL'); });
  const { signal, stderr } = await exited;
  assert.equal(signal, 'SIGKILL', stderr);
  const store = new SqliteStore({ path: file });
  const completed = await store.list({ status: 'completed', limit: 1000 });
  assert.equal(completed.length, 200);
  assert.equal((await store.list({ limit: 1000 })).length, 200);
  assert.equal((await store.claim('evt_137', meta())).status, 'duplicate');
  await store.close();
});

test('a child killed mid-handler leaves an event that a later claim takes over after the lease', async () => {
  const file = newFile();
  let token;
  const { exited } = child({ path: file }, `
    const c = await store.claim('evt_crash', { type: 'invoice.paid', created: 1, leaseMs: 60000 });
    say({ token: c.token, status: c.status });
    setInterval(() => {}, 1000);  // "the handler", until killed
  `, (msg, proc) => { token = msg.token; proc.kill('SIGKILL'); });
  await exited;
  assert.ok(token);
  const store = new SqliteStore({ path: file });
  const during = await store.claim('evt_crash', meta());
  assert.equal(during.status, 'in_progress', 'the dead holder\'s lease still runs');
  store[ADVANCE_CLOCK](60_000);
  const takeover = await store.claim('evt_crash', meta());
  assert.equal(takeover.status, 'acquired');
  assert.equal(takeover.attempt, 2);
  assert.equal(await store.complete('evt_crash', token), false, 'the dead holder\'s token is fenced off');
  assert.equal(await store.complete('evt_crash', takeover.token), true);
  await store.close();
});

test('two processes claiming the same 500 ids acquire each exactly once between them', async () => {
  const file = newFile();
  const body = (order) => `
    const ids = Array.from({ length: 500 }, (_, i) => 'evt_' + i);
    ${order === 'reverse' ? 'ids.reverse();' : ''}
    const acquired = [];
    // 32 in flight at a time, like a busy server.
    for (let i = 0; i < ids.length; i += 32) {
      const claims = await Promise.all(ids.slice(i, i + 32).map((id) =>
        store.claim(id, { type: 't', created: 1, leaseMs: 600000 }).then((c) => [id, c])));
      for (const [id, c] of claims) if (c.status === 'acquired') acquired.push(id);
    }
    await store.close();
    say(acquired);`;
  const results = [];
  const children = ['forward', 'reverse'].map((order) => child({ path: file, durability: 'normal' }, body(order), (msg) => results.push(msg)));
  for (const { exited } of children) {
    const { code, stderr } = await exited;
    assert.equal(code, 0, stderr);
  }
  assert.equal(results.length, 2);
  const [a, b] = results;
  assert.equal(a.length + b.length, 500);
  assert.equal(new Set([...a, ...b]).size, 500);
  const store = new SqliteStore({ path: file });
  const records = await store.list({ limit: 1000 });
  assert.equal(records.length, 500);
  assert.ok(records.every((r) => r.attempts === 1));
  await store.close();
});

test('a store used from a worker thread that exits with work in flight does not crash the process', async () => {
  // Several rounds: the exit races the writer thread differently each time.
  for (let round = 0; round < 4; round++) await workerExitsWithWorkInFlight();
});

async function workerExitsWithWorkInFlight() {
  const file = newFile();
  const code = `
    const { SqliteStore } = require(${JSON.stringify(root)});
    const { parentPort } = require('node:worker_threads');
    const store = new SqliteStore({ path: ${JSON.stringify(file)} });
    store.claim('evt_first', { type: 't', created: 1, leaseMs: 60000 }).then(() => {
      for (let i = 0; i < 100; i++) store.claim('evt_' + i, { type: 't', created: 1, leaseMs: 60000 });
      parentPort.postMessage('submitted');
      process.exit(0);  // this worker only; its store is closed by the cleanup hook
    });`;
  const worker = new Worker(code, { eval: true });
  const exitCode = await new Promise((resolve, reject) => { worker.on('exit', resolve); worker.on('error', reject); });
  assert.equal(exitCode, 0);
  // Whatever the worker submitted before it exited was committed whole.
  const store = new SqliteStore({ path: file });
  const records = await store.list({ limit: 1000 });
  assert.ok(records.some((r) => r.id === 'evt_first'));
  for (const r of records) assert.equal(r.status, 'processing');
  await store.close();
}

test('a process ends on its own with open stores, and exits cleanly with work in flight', () => {
  const file = newFile();
  const run = (body) => spawnSync(process.execPath, ['-e', `
    const { SqliteStore } = require(${JSON.stringify(root)});
    const store = new SqliteStore({ path: ${JSON.stringify(file)} });
    ${body}`], { encoding: 'utf8', timeout: 60_000 });
  // An idle open store does not hold the event loop open.
  let r = run(`store.claim('evt_idle', { type: 't', created: 1, leaseMs: 1000 }).then((c) => console.log(c.status));`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'acquired');
  // Operations in flight keep it open until they settle.
  r = run(`for (let i = 0; i < 50; i++) store.claim('evt_' + i, { type: 't', created: 1, leaseMs: 1000 }).then((c) => { if (i === 49) console.log(c.status); });`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'acquired');
  // process.exit() with work in flight: no crash, no hang.
  r = run(`for (let i = 0; i < 50; i++) store.claim('evt_x' + i, { type: 't', created: 1, leaseMs: 1000 }); process.exit(7);`);
  assert.equal(r.status, 7, r.stderr);
  assert.equal(r.signal, null);
});

test('no I/O at construction; the default path is .hookwise/events.db under the current directory', () => {
  const cwd = fs.mkdtempSync(path.join(dir, 'cwd-'));
  const r = spawnSync(process.execPath, ['-e', `
    const fs = require('node:fs');
    const { SqliteStore } = require(${JSON.stringify(root)});
    const store = new SqliteStore();
    console.log(fs.existsSync('.hookwise'), store.path);
    store.claim('evt_1', { type: 't', created: 1, leaseMs: 1000 })
      .then(() => store.close())
      .then(() => console.log(fs.existsSync('.hookwise/events.db')));`], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `false ${path.join(fs.realpathSync(cwd), '.hookwise', 'events.db')}\ntrue\n`);
});

test('keepPayloads keeps the raw body as a Buffer; without it nothing is kept', async () => {
  const body = Buffer.from('{"id":"evt_1","data":{"object":{"id":"in_1"}}}\n\u00ff');
  const kept = new SqliteStore({ path: newFile(), keepPayloads: true });
  await kept.claim('evt_1', meta({ payload: body }));
  await kept.claim('evt_2', meta({ payload: body.toString('latin1') }));
  await kept.claim('evt_3', meta());
  assert.deepEqual((await kept.get('evt_1')).payload, body);
  assert.ok(Buffer.isBuffer((await kept.get('evt_2')).payload));
  assert.equal((await kept.get('evt_3')).payload, null);
  assert.deepEqual((await kept.list({ limit: 1 }))[0].payload !== undefined, true);
  await kept.close();
  const plain = new SqliteStore({ path: newFile() });
  await plain.claim('evt_1', meta({ payload: body }));
  assert.equal('payload' in (await plain.get('evt_1')), false);
  await plain.close();
});

test('closing with work in flight commits what was submitted, then refuses', async () => {
  const file = newFile();
  const store = new SqliteStore({ path: file });
  const claims = Array.from({ length: 100 }, (_, i) => store.claim(`evt_${i}`, meta()));
  // Argument checks run first, so let the claims reach the native store.
  await new Promise((resolve) => setImmediate(resolve));
  const closed = store.close();
  const results = await Promise.all(claims);
  await closed;
  assert.ok(results.every((c) => c.status === 'acquired'));
  await assert.rejects(store.claim('evt_late', meta()), { code: 'HOOKWISE_STORE_CLOSED', message: 'hookwise: the store is closed' });
  await assert.rejects(store.get('evt_1'), { code: 'HOOKWISE_STORE_CLOSED' });
  await store.close();
  const reopened = new SqliteStore({ path: file });
  assert.equal((await reopened.list({ limit: 1000 })).length, 100);
  assert.equal(await reopened.get('evt_late'), null);
  await reopened.close();
});

test('a burst submitted in one turn settles in order, however large, and close() in that turn commits it', async () => {
  const file = newFile();
  const store = new SqliteStore({ path: file });
  // More than one transaction takes (512), each id twice in the same turn.
  const ids = Array.from({ length: 1300 }, (_, i) => `evt_turn_${i}`);
  const first = ids.map((id) => store.claim(id, meta()));
  const again = ids.map((id) => store.claim(id, meta()));
  const closed = store.close(); // the same turn: the writer is still working through the burst
  const [firsts, agains] = await Promise.all([Promise.all(first), Promise.all(again)]);
  await closed;
  assert.deepEqual(new Set(firsts.map((c) => c.status)), new Set(['acquired']));
  assert.deepEqual(new Set(agains.map((c) => c.status)), new Set(['in_progress']));
  const reopened = new SqliteStore({ path: file });
  const records = await reopened.list({ limit: 2000 });
  assert.equal(records.length, ids.length);
  assert.ok(records.every((r) => r.status === 'processing' && r.attempts === 1));
  // Another process sees the claims as held (leases of 60 s).
  const r = spawnSync(process.execPath, ['-e', `
    const { SqliteStore } = require(${JSON.stringify(root)});
    const store = new SqliteStore({ path: ${JSON.stringify(file)} });
    Promise.all(${JSON.stringify(ids.slice(0, 3))}.map((id) => store.claim(id, { type: 't', created: 1, leaseMs: 1000 })))
      .then((cs) => console.log(cs.map((c) => c.status).join()));`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'in_progress,in_progress,in_progress');
  await reopened.close();
});

test('a path whose directory is missing gives a clear error, and works once it exists', async () => {
  const missing = path.join(dir, 'no', 'such', 'events.db');
  const store = new SqliteStore({ path: missing });
  await assert.rejects(store.claim('evt_1', meta()), (err) => {
    assert.equal(err.code, 'HOOKWISE_STORE_CANNOT_OPEN');
    assert.match(err.message, /^hookwise: the directory .*no[/\\]such does not exist/);
    return true;
  });
  fs.mkdirSync(path.join(dir, 'no'));
  assert.equal((await store.claim('evt_1', meta())).status, 'acquired');
  await store.close();
});

test('a file that is not a SQLite database is refused and left untouched', async () => {
  const file = newFile();
  const junk = Buffer.alloc(10_000, 'not a database ');
  fs.writeFileSync(file, junk);
  const store = new SqliteStore({ path: file });
  await assert.rejects(store.claim('evt_1', meta()), { code: 'HOOKWISE_STORE_NOT_A_DATABASE', message: /not a SQLite database/ });
  await assert.rejects(store.list(), { code: 'HOOKWISE_STORE_NOT_A_DATABASE' });
  await store.close();
  assert.deepEqual(fs.readFileSync(file), junk);
});

test('a SQLite database that hookwise did not create is refused and left untouched', async () => {
  const file = newFile();
  // Made by another program: python3's sqlite3 module (python3 is a build dependency).
  execFileSync('python3', ['-c', `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
db.execute("INSERT INTO users VALUES (1, 'ada')")
db.commit()
db.close()`, file]);
  const before = fs.readFileSync(file);
  const store = new SqliteStore({ path: file });
  await assert.rejects(store.claim('evt_1', meta()), { code: 'HOOKWISE_STORE_FOREIGN_DATABASE', message: /did not create/ });
  await store.close();
  assert.deepEqual(fs.readFileSync(file), before);
});

test('a corrupted database reports corruption, never a wrong answer', async () => {
  const file = newFile();
  const store = new SqliteStore({ path: file, durability: 'normal' });
  for (let i = 0; i < 300; i++) await store.claim(`evt_${i}`, meta());
  await store.close();
  // Overwrite everything past the header page with garbage; the WAL was
  // checkpointed into the file when the last connection closed.
  const fd = fs.openSync(file, 'r+');
  const size = fs.fstatSync(fd).size;
  fs.writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096);
  fs.closeSync(fd);
  const broken = new SqliteStore({ path: file });
  await assert.rejects(broken.claim('evt_1', meta()), (err) => {
    assert.match(err.code, /^HOOKWISE_STORE_(CORRUPT|NOT_A_DATABASE)$/);
    return true;
  });
  await broken.close();
});

// Mounting needs root (CAP_SYS_ADMIN), as on this project's machines and CI.
function mountTmpfs(target, options) {
  fs.mkdirSync(target, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', target], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr.trim() || 'mount failed');
}
const unmount = (target) => spawnSync('umount', [target]);

test('a read-only directory gives a clear error', async (t) => {
  const target = path.join(dir, 'readonly');
  const failure = mountTmpfs(target, 'ro,size=1m');
  if (failure) {
    t.skip(`cannot mount a read-only tmpfs here: ${failure}`);
    return;
  }
  try {
    const store = new SqliteStore({ path: path.join(target, 'events.db') });
    await assert.rejects(store.claim('evt_1', meta()), (err) => {
      assert.match(err.code, /^HOOKWISE_STORE_(READ_ONLY|CANNOT_OPEN)$/);
      assert.match(err.message, /readonly[/\\]events\.db/);
      return true;
    });
    await store.close();
    const nested = new SqliteStore({ path: path.join(target, 'sub', 'events.db') });
    await assert.rejects(nested.claim('evt_1', meta()), { code: 'HOOKWISE_STORE_READ_ONLY', message: /cannot create the directory/ });
    await nested.close();
  } finally {
    unmount(target);
  }
});

test('a full disk fails the batch whole: an error, no half-written record, and the store goes on', async (t) => {
  const target = path.join(dir, 'full');
  const failure = mountTmpfs(target, 'size=512k');
  if (failure) {
    t.skip(`cannot mount a small tmpfs here: ${failure}`);
    return;
  }
  try {
    const store = new SqliteStore({ path: path.join(target, 'events.db'), keepPayloads: true });
    const payload = Buffer.alloc(20_000, 'x');
    const acquired = [];
    let error;
    for (let i = 0; i < 200 && !error; i++) {
      // Several in flight, so a failing batch holds more than one claim.
      const batch = Array.from({ length: 4 }, (_, j) => `evt_${i}_${j}`);
      const settled = await Promise.allSettled(batch.map((id) => store.claim(id, meta({ payload }))));
      settled.forEach((s, j) => {
        if (s.status === 'fulfilled') acquired.push(batch[j]);
        else error ??= s.reason;
      });
    }
    assert.ok(error, 'the disk never filled up');
    assert.equal(error.code, 'HOOKWISE_STORE_DISK_FULL');
    assert.match(error.message, /no space left/);
    assert.ok(!error.message.includes('xxxx'), 'no payload in the message');
    // Reads still work, and every record there is whole.
    const records = await store.list({ limit: 10_000 });
    assert.deepEqual(records.map((r) => r.id).sort(), [...acquired].sort());
    for (const id of acquired.slice(-3)) assert.deepEqual((await store.get(id)).payload, payload);
    await store.close();
    // Freeing space (a purge would, here the whole file goes) makes it usable again.
    fs.rmSync(path.join(target, 'events.db'), { force: true });
    for (const suffix of ['-wal', '-shm']) fs.rmSync(path.join(target, `events.db${suffix}`), { force: true });
    const fresh = new SqliteStore({ path: path.join(target, 'events.db') });
    assert.equal((await fresh.claim('evt_after', meta())).status, 'acquired');
    await fresh.close();
  } finally {
    unmount(target);
  }
});

test('bad options are rejected at construction, before any I/O', () => {
  assert.throws(() => new SqliteStore({ durability: 'fsync' }), { name: 'TypeError', message: /durability must be 'full' or 'normal'/ });
  assert.throws(() => new SqliteStore({ path: '' }), { name: 'TypeError' });
  assert.throws(() => new SqliteStore({ path: 'a\0b' }), { name: 'TypeError', message: /NUL/ });
  assert.throws(() => new SqliteStore({ keepPayloads: 'yes' }), { name: 'TypeError' });
  assert.throws(() => new SqliteStore({ retentionMs: -1 }), { name: 'RangeError' });
  assert.throws(() => new SqliteStore({ file: 'x.db' }), { name: 'TypeError', message: /unknown SqliteStore option "file"/ });
});
