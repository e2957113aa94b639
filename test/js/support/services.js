'use strict';
// Starts real redis-server and PostgreSQL instances on 127.0.0.1 for the tests
// and benchmarks: each in its own temporary directory, on a free port, stopped
// (and its directory removed) by stop(). kill() and restart() exist for the fault
// tests: kill() is SIGKILL — a crash, not a clean shutdown — and restart() brings
// the same server back on the same port with the same data.
//
// Availability is decided synchronously (is the binary there, can we run it as a
// non-root user) so that test files can skip a suite at registration time with
// the reason printed. When CI=true nothing is skipped: a missing server is an error.

const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const inCI = () => process.env.CI === 'true';

// Servers still running when this process exits (a failed test, Ctrl-C) are
// stopped synchronously on the way out, so no redis-server or postmaster outlives us.
const running = new Set();
function stopAllSync() {
  for (const stopSync of running) {
    try {
      stopSync();
    } catch {}
  }
  running.clear();
}
let hooksInstalled = false;
function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', stopAllSync);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      stopAllSync();
      process.kill(process.pid, signal);
    });
  }
}

function which(binary) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

function postgresBinDir() {
  if (process.env.HOOKWISE_PG_BIN) return process.env.HOOKWISE_PG_BIN;
  const root = '/usr/lib/postgresql';
  let versions = [];
  try {
    versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {}
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  const initdb = which('initdb');
  return initdb ? path.dirname(initdb) : null;
}

// PostgreSQL refuses to run as root; as root we run it as the 'postgres' user
// that the Debian package creates.
function postgresRunAs() {
  if (process.getuid && process.getuid() !== 0) return null;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) return { error: "running as root and there is no 'postgres' user to run PostgreSQL as" };
  if (!which('runuser')) return { error: 'running as root and runuser(1) is missing' };
  return { user: 'postgres', uid: Number(id.stdout.trim()) };
}

// Returns null when the service can be started here, else the reason it cannot.
// Under CI=true a reason is fatal: the suites must run there.
function unavailable(service) {
  let reason = null;
  if (service === 'redis') {
    if (!which('redis-server')) reason = 'redis-server is not installed (Debian package redis-server; scripts/setup.sh installs it)';
  } else if (service === 'postgres') {
    if (!postgresBinDir()) reason = 'PostgreSQL server binaries (initdb, pg_ctl) are not installed (Debian package postgresql; scripts/setup.sh installs it)';
    else {
      const runAs = postgresRunAs();
      if (runAs && runAs.error) reason = runAs.error;
    }
  } else {
    throw new Error(`unknown service ${service}`);
  }
  if (reason && inCI()) throw new Error(`CI=true but ${service} cannot be started: ${reason}`);
  return reason;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForPort(port, timeoutMs, isDead) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (isDead && isDead()) throw new Error(`server on port ${port} exited during startup`);
    if (Date.now() > deadline) throw new Error(`server on port ${port} did not accept connections within ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function waitForExit(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

// ---- Redis ------------------------------------------------------------------

// appendonly + appendfsync always: Redis writes and fsyncs the AOF before it
// replies, so a killed process (the fault tests) loses nothing it acknowledged.
// (With everysec, Redis postpones the write while a background fsync is slow
// and replies anyway; a SIGKILL then loses acknowledged completions — seen in CI.)
async function startRedis({ appendfsync = 'always' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-redis-'));
  const port = await freePort();
  let child = null;
  let logFd = null;

  async function launch() {
    logFd = fs.openSync(path.join(dir, 'redis.log'), 'a');
    child = spawn(
      which('redis-server'),
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes',
        '--appendfsync', appendfsync, '--protected-mode', 'yes', '--daemonize', 'no'],
      { stdio: ['ignore', logFd, logFd] },
    );
    const started = child;
    await waitForPort(port, 10_000, () => started.exitCode !== null);
  }

  await launch();
  const stopSync = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  installExitHooks();
  running.add(stopSync);
  const service = {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async kill() {
      const c = child;
      c.kill('SIGKILL');
      await waitForExit(c);
      fs.closeSync(logFd);
    },
    async restart() {
      await launch();
    },
    // A hung server: the process stays, the socket stays open, nothing answers.
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
    async stop() {
      running.delete(stopSync);
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await waitForExit(child);
        fs.closeSync(logFd);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return service;
}

// ---- PostgreSQL ---------------------------------------------------------------

async function startPostgres() {
  const bin = postgresBinDir();
  const runAs = postgresRunAs();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-pg-'));
  fs.chmodSync(root, 0o755);
  const data = path.join(root, 'data');
  const socketDir = path.join(root, 'sock');
  fs.mkdirSync(socketDir);
  if (runAs) fs.chownSync(socketDir, runAs.uid, -1);
  if (runAs) fs.chownSync(root, runAs.uid, -1);
  const port = await freePort();
  const logFile = path.join(root, 'postgres.log');

  const run = (file, args, opts = {}) => {
    const command = runAs ? 'runuser' : file;
    const argv = runAs ? ['-u', runAs.user, '--', file, ...args] : args;
    return execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  };

  try {
    run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  } catch (err) {
    throw new Error(`initdb failed: ${err.stderr ? err.stderr.toString() : err.message}`);
  }
  // Plenty of connections for the concurrency tests and the 64-in-flight bench.
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${socketDir}'\nmax_connections = 200\n`,
  );

  const pgCtl = (args) => run(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const launch = async () => {
    pgCtl(['-l', logFile, '-w', '-t', '60', 'start']);
    await waitForPort(port, 30_000);
  };
  const postmasterPid = () => Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);

  await launch();
  const stopSync = () => {
    try {
      pgCtl(['-m', 'immediate', '-w', 'stop']);
    } catch {}
    fs.rmSync(root, { recursive: true, force: true });
  };
  installExitHooks();
  running.add(stopSync);
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir: root,
    // A crash: SIGKILL to the postmaster; its backends notice and exit too.
    async kill() {
      const pid = postmasterPid();
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await sleep(25);
      }
      // Backends exit once they notice the postmaster is gone; wait until the port is free.
      for (let i = 0; i < 200; i++) {
        const inUse = await new Promise((resolve) => {
          const s = net.connect(port, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        });
        if (!inUse) break;
        await sleep(25);
      }
      // Orphaned backends keep the shared memory segment; give them time to go.
      await sleep(200);
    },
    async restart() {
      await launch();
    },
    async stop() {
      running.delete(stopSync);
      stopSync();
    },
  };
}

/**
 * A test file's PostgreSQL: started before its tests with a pg Pool on it
 * (`max` clients), both stopped after. `hooks` are node:test's before/after.
 * Returns { skip (the reason it cannot run here, else false), pool() }.
 */
function usePostgres({ before, after }, { max = 20 } = {}) {
  const skip = unavailable('postgres') ?? false;
  const state = { server: null, pool: null };
  before(async () => {
    if (skip) return;
    state.server = await startPostgres();
    const { Pool } = require('pg');
    state.pool = new Pool({ connectionString: state.server.connectionString, max });
    state.pool.on('error', () => {}); // idle clients dropped by a restart or pg_terminate_backend
  });
  after(async () => {
    if (state.pool) await state.pool.end();
    if (state.server) await state.server.stop();
  });
  return { skip, pool: () => state.pool };
}

/** The same for Redis: a server for the file's tests and one connected ioredis client. */
function useRedis({ before, after }) {
  const skip = unavailable('redis') ?? false;
  const state = { server: null, client: null };
  before(async () => {
    if (skip) return;
    state.server = await startRedis();
    const Redis = require('ioredis');
    state.client = new Redis({ host: '127.0.0.1', port: state.server.port, lazyConnect: true });
    await state.client.connect();
  });
  after(async () => {
    if (state.client) await state.client.quit();
    if (state.server) await state.server.stop();
  });
  return { skip, client: () => state.client };
}

module.exports = { unavailable, startRedis, startPostgres, usePostgres, useRedis, freePort, inCI, which };
