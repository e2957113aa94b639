#!/usr/bin/env node
'use strict';
// The crash test (issue 16): a simulated Stripe (stripe.js) sends events with
// duplicates, out of order, to 2-4 receivers (receiver.js) sharing one store;
// a killer SIGKILLs receivers at random moments and starts them again, and for
// RedisStore and PostgresStore also kills and restarts the server; at the end
// verdict.js checks that no event was lost and counts the duplicated effects
// against the kills that could explain them.
//
//   node test/chaos/run.js --store sqlite|redis|postgres|convex [--transactional]
//     [--events 10000] [--kills 100] [--server-kills 10] [--receivers 3]
//     [--concurrency 16] [--lease-ms 5000] [--hour-ms 100] [--timeout-ms 5000]
//     [--duplicates 0.1] [--json]
// --store convex is hookwise/convex's transactional handlers in convex-test
// (test/chaos/convex.js; --events only). Exits 1 when a check fails.
// test/js/chaos.test.js runs short versions.
const { fork, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const backends = require('./backends');
const { verdict, readRuns } = require('./verdict');
const { freePort } = require('../js/support/services');
const { eventId } = require('./stripe-events');
const { runConvexChaos, convexSummary } = require('./convex');

const DEFAULTS = {
  store: 'sqlite',
  transactional: false,
  events: 1000,
  kills: 20,
  serverKills: 0,
  receivers: 3,
  concurrency: 16,
  leaseMs: 5000,
  hourMs: 100,
  timeoutMs: 5000,
  duplicates: 0.1,
  concurrentShare: 0.5,
  failRate: 0.01,
  handlerMs: [1, 6],
  afterEffectMs: [0, 4],
  restartMs: [20, 300],
  serverRestartMs: [100, 600],
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const between = ([min, max]) => min + Math.random() * (max - min);

/** A registry Node 22 (node:sqlite) for the transactional SqliteStore receivers, or null. */
function node22() {
  const found = spawnSync('bash', [path.join(__dirname, '..', '..', 'scripts', 'registry-node.sh'), '22'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

// Tried in the receivers' runtime: does createWebhookHandler take `transactional: true` with this store?
const TRANSACTIONAL_PROBE = {
  postgres: `
    const hookwise = require('./lib');
    const { PostgresStore } = require('./lib/stores/postgres-store');
    const { Pool } = require('pg');
    // A real Pool (the option needs pool.connect()); creating one opens no connection.
    const pool = new Pool({ connectionString: 'postgres://127.0.0.1:1/unused' });
    hookwise.createWebhookHandler({ secret: 'whsec_chaos', store: new PostgresStore({ pool }), transactional: true, on: { '*': () => {} } }).close();
    pool.end();`,
  sqlite: `
    const hookwise = require('./lib/portable');
    const path = require('path');
    const dir = require('fs').mkdtempSync(path.join(require('os').tmpdir(), 'hookwise-chaos-probe-'));
    const store = new hookwise.SqliteStore({ path: path.join(dir, 'probe.db') });
    try {
      hookwise.createWebhookHandler({ secret: 'whsec_chaos', store, transactional: true, on: { '*': () => {} } }).close();
    } finally {
      store.close();
      require('fs').rmSync(dir, { recursive: true, force: true });
    }`,
};

/**
 * Whether this branch's createWebhookHandler knows `transactional` with this
 * store: null if it does, else why not (what the handler threw).
 */
function transactionalUnsupported(kind) {
  if (!TRANSACTIONAL_PROBE[kind]) return `transactional handlers are for PostgresStore and SqliteStore here, not ${kind}`;
  const execPath = kind === 'sqlite' ? node22() : process.execPath;
  if (execPath === null) return 'transactional SqliteStore needs node:sqlite: no registry Node 22 (scripts/registry-node.sh 22 failed)';
  const probe = spawnSync(execPath, ['-e', TRANSACTIONAL_PROBE[kind]], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' });
  if (probe.status === 0) return null;
  const line = probe.stderr.split('\n').find((l) => /hookwise/.test(l)) ?? probe.stderr.split('\n')[0];
  return `transactional handlers are not in this branch yet for ${kind} (createWebhookHandler: ${line.trim().slice(0, 300)})`;
}

/** Keeps one receiver slot running: starts it, and starts it again after each kill. */
class ReceiverSlot {
  constructor(index, port, shared, dir) {
    this.index = index;
    this.port = port;
    this.shared = shared;
    this.dir = dir;
    this.generation = 0;
    this.child = null;
    this.starting = null;
    this.instances = new Map(); // tag -> { pid, killedAt, log }
  }

  start() {
    const tag = `r${this.index}g${this.generation++}`;
    const log = path.join(this.dir, `${tag}.log`);
    const errFd = fs.openSync(path.join(this.dir, `${tag}.stderr`), 'a');
    const child = fork(path.join(__dirname, 'receiver.js'), [JSON.stringify({ ...this.shared, tag, log, port: this.port })], {
      stdio: ['ignore', errFd, errFd, 'ipc'],
      execPath: this.shared.backend.execPath ?? process.execPath,
    });
    fs.closeSync(errFd);
    const instance = { pid: child.pid, killedAt: null, log, exited: false, ready: false };
    this.instances.set(tag, instance);
    this.child = child;
    this.tag = tag;
    this.starting = new Promise((resolve, reject) => {
      child.once('message', () => {
        instance.ready = true;
        resolve();
      });
      child.once('exit', (code, signal) => {
        instance.exited = true;
        if (signal !== 'SIGKILL') reject(new Error(`receiver ${tag} exited (${code ?? signal}) before it was ready; see ${tag}.stderr`));
      });
    });
    child.on('exit', (code, signal) => {
      instance.exited = true;
      if (signal !== 'SIGKILL' && !this.stopping) {
        const stderr = fs.readFileSync(path.join(this.dir, `${tag}.stderr`), 'utf8').slice(-2000);
        this.crashed = `receiver ${tag} exited by itself (${code ?? signal}):\n${stderr}`;
      }
    });
    return this.starting;
  }

  get alive() {
    const instance = this.child === null ? null : this.instances.get(this.tag);
    return instance !== null && instance.ready && !instance.exited && instance.killedAt === null;
  }

  /** SIGKILL now; start again after a random pause. Resolves once it is up again. */
  async kill(restartMs) {
    const instance = this.instances.get(this.tag);
    const child = this.child;
    instance.killedAt = Date.now();
    child.kill('SIGKILL');
    if (!instance.exited) await new Promise((resolve) => child.once('exit', resolve));
    await sleep(between(restartMs));
    await this.start();
  }

  async stop() {
    this.stopping = true;
    const child = this.child;
    const instance = this.instances.get(this.tag);
    if (instance.exited) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Kills spread over the run: the j-th of n when Stripe's acknowledged share
 * passes j/(n+1), after a random 0-50 ms, so every kill lands while events flow.
 */
function thresholds(n, offset = 0) {
  return Array.from({ length: n }, (_, j) => (j + 1 - offset) / (n + 1));
}

async function runChaos(overrides = {}) {
  const o = { ...DEFAULTS, ...overrides };
  if (!backends.KINDS.includes(o.store)) throw new Error(`--store must be one of ${backends.KINDS.join(', ')}`);
  if (o.receivers < 2 || o.receivers > 4) throw new Error('--receivers must be 2 to 4');
  if (o.transactional) {
    const why = transactionalUnsupported(o.store);
    if (why) return { skipped: why };
  }
  if (o.serverKills > 0 && o.store === 'sqlite') throw new Error('--server-kills needs a server: redis or postgres');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-chaos-'));
  const started = Date.now();
  const backend = await backends.setup(o.store, dir, { transactional: o.transactional, execPath: o.transactional && o.store === 'sqlite' ? node22() : undefined });
  const slots = [];
  const secret = `whsec_${randomBytes(16).toString('hex')}`;
  let stripe = null;
  const pendingKills = [];
  let ending = false;
  try {
    const shared = {
      backend: backend.config,
      secret,
      transactional: o.transactional,
      leaseMs: o.leaseMs,
      handlerMs: o.handlerMs,
      afterEffectMs: o.afterEffectMs,
      failRate: o.failRate,
    };
    for (let i = 0; i < o.receivers; i++) slots.push(new ReceiverSlot(i, await freePort(), shared, dir));
    await Promise.all(slots.map((s) => s.start()));

    const runTag = randomBytes(4).toString('hex');
    const ids = Array.from({ length: o.events }, (_, i) => eventId(runTag, i));
    stripe = fork(path.join(__dirname, 'stripe.js'), [
      JSON.stringify({
        runTag,
        events: o.events,
        secret,
        ports: slots.map((s) => s.port),
        concurrency: o.concurrency,
        hourMs: o.hourMs,
        timeoutMs: o.timeoutMs,
        duplicateRate: o.duplicates,
        concurrentShare: o.concurrentShare,
      }),
    ]);

    // The killer: receiver kills and server kills, each at its progress thresholds.
    const receiverAt = thresholds(o.kills);
    const serverAt = thresholds(o.serverKills, 0.5);
    const serverKills = [];
    let restarts = 0;
    let serverQueue = Promise.resolve();
    const killReceiver = async () => {
      const live = slots.filter((s) => s.alive);
      if (live.length === 0) return false;
      const slot = live[Math.floor(Math.random() * live.length)];
      await slot.kill(o.restartMs);
      restarts += 1;
      return true;
    };
    const killServer = async () => {
      const record = { at: Date.now(), restartedAt: null };
      serverKills.push(record);
      await backend.server.kill();
      await sleep(between(o.serverRestartMs));
      await backend.server.restart();
      record.restartedAt = Date.now();
    };
    let receiverKills = 0;
    const onProgress = ({ acked, total }) => {
      const share = acked / total;
      while (receiverAt.length > 0 && share >= receiverAt[0]) {
        receiverAt.shift();
        const kill = (async () => {
          await sleep(Math.random() * 50);
          // Retry until some receiver is up: all may be restarting at once.
          while (!ending && !(await killReceiver())) await sleep(20);
          receiverKills += 1;
        })();
        pendingKills.push(kill);
      }
      while (serverAt.length > 0 && share >= serverAt[0]) {
        serverAt.shift();
        // One server kill at a time: the next waits until the server is back.
        serverQueue = serverQueue.then(killServer);
        pendingKills.push(serverQueue);
      }
    };

    const stats = await new Promise((resolve, reject) => {
      stripe.on('message', (msg) => {
        if (msg.type === 'progress') onProgress(msg);
        else if (msg.type === 'done') resolve(msg.stats);
      });
      stripe.once('exit', (code) => {
        if (code !== 0) reject(new Error(`the simulated Stripe exited with ${code}`));
      });
      const watch = setInterval(() => {
        const crashed = slots.find((s) => s.crashed);
        if (crashed) {
          clearInterval(watch);
          reject(new Error(crashed.crashed));
        }
      }, 200);
      stripe.once('exit', () => clearInterval(watch));
    });
    await Promise.all(pendingKills);
    await Promise.all(slots.map((s) => s.stop()));

    const inspector = backends.openInspector(backend.config);
    let statuses;
    let rows;
    try {
      statuses = await inspector.statuses(ids);
      rows = await inspector.ledgerRows();
    } finally {
      await inspector.close();
    }
    const instances = new Map();
    for (const slot of slots) for (const [tag, instance] of slot.instances) instances.set(tag, instance);
    const runs = readRuns([...instances.values()].map((i) => i.log));
    const v = verdict({ ids, statuses, rows, runs, instances, serverKills, transactional: o.transactional });
    return {
      store: o.store + (o.transactional ? ' (transactional)' : ''),
      options: o,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      events: o.events,
      stripe: stats,
      effects: rows.length,
      runs: runs.size,
      receiverKills,
      receiverRestarts: restarts,
      serverKills: serverKills.length,
      serverRestarts: serverKills.filter((k) => k.restartedAt !== null).length,
      ...v,
      dir,
    };
  } finally {
    if (stripe && stripe.exitCode === null) stripe.kill('SIGKILL');
    // A failed run may leave a kill or restart in progress: let it end before the server goes.
    ending = true;
    await Promise.allSettled(pendingKills);
    for (const slot of slots) if (slot.child && slot.child.exitCode === null) slot.child.kill('SIGKILL');
    await backend.stop();
    if (!process.env.HOOKWISE_CHAOS_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as the docs record them. */
function summary(r) {
  if (r.skipped) return `skipped: ${r.skipped}`;
  const s = r.stripe;
  return [
    `store ${r.store}: ${r.events} events, ${s.deliveries} deliveries (${s.duplicateDeliveries} duplicates, ${s.concurrentDuplicates} of them concurrent), ` +
      `${s.attempts} attempts (${Object.entries(s.byStatus).map(([k, v]) => `${v}x${k}`).join(' ')}, ${s.connectionErrors} refused/reset, ${s.timeouts} timed out; ` +
      `at most ${s.maxAttemptsOfOneDelivery} for one delivery), ${r.seconds} s`,
    `receiver kills ${r.receiverKills}, restarts ${r.receiverRestarts}; server kills ${r.serverKills}, restarts ${r.serverRestarts}`,
    `kills landed: ${r.landed.midHandler} mid-handler, ${r.landed.betweenEffectAndCompletion} between effect and completion, ` +
      `${r.landed.midCommit} mid-commit, ${r.landed.afterCommit} after the commit, ${r.landed.idle} with nothing in flight (${r.landed.runsCut} runs cut)`,
    `handler runs ${r.runs}, effects ${r.effects}; lost ${r.lost}; duplicated effects ${r.duplicated}` +
      (r.options.transactional
        ? ''
        : ` (effects without their run's completion: ${r.windows.receiverKill} cut by a receiver kill, ${r.windows.serverKill} by a server kill; ` +
          `${r.windows.resentByClient} effects written twice by the app's database client resending across a server kill)`),
    r.violations.length === 0 ? 'verdict: every check passed' : `verdict: FAILED\n  ${r.violations.join('\n  ')}`,
  ].join('\n');
}

function parseArgs(argv) {
  const o = {};
  const numbers = { events: 'events', kills: 'kills', 'server-kills': 'serverKills', receivers: 'receivers', concurrency: 'concurrency', 'lease-ms': 'leaseMs', 'hour-ms': 'hourMs', 'timeout-ms': 'timeoutMs', duplicates: 'duplicates', 'fail-rate': 'failRate' };
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i].replace(/^--/, '');
    if (arg === 'transactional') o.transactional = true;
    else if (arg === 'json') json = true;
    else if (arg === 'store') o.store = argv[++i];
    else if (numbers[arg]) {
      const value = Number(argv[++i]);
      if (!Number.isFinite(value)) throw new Error(`--${arg} needs a number`);
      o[numbers[arg]] = value;
    } else throw new Error(`unknown argument ${argv[i]} (see the comment at the top of test/chaos/run.js)`);
  }
  return { o, json };
}

if (require.main === module) {
  const { o, json } = parseArgs(process.argv.slice(2));
  const convex = o.store === 'convex';
  (convex ? runConvexChaos({ events: o.events ?? 300 }) : runChaos(o)).then(
    (r) => {
      console.log(json ? JSON.stringify(r, null, 2) : (convex ? convexSummary : summary)(r));
      process.exitCode = r.skipped || r.violations.length === 0 ? 0 : 1;
    },
    (err) => {
      console.error(err.stack);
      process.exitCode = 1;
    },
  );
}

module.exports = { runChaos, summary, transactionalUnsupported };
