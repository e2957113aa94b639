'use strict';
// hookwise in the real runtimes, each installed from the npm registry as a
// devDependency: Cloudflare's workerd (through miniflare), Vercel's
// edge-runtime, Bun and Deno. In each, `hookwise` is an installed package (the
// `npm pack` tarball, test/runtimes/harness.js), resolved by the runtime or by
// the bundler that runtime's tooling uses, so the package's `exports`
// conditions decide which implementation runs. Each runs the same app
// (test/runtimes/app.mjs): a signed delivery is processed, its redelivery is
// a duplicate, a forged signature and an expired timestamp are 400 with their
// codes, and `implementation` is what the runtime should get. Deliveries are
// signed here, with stripe-node.
//
// A runtime whose binary cannot run here is skipped with the reason; a missing
// devDependency is a failure (npm install brings them all).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const esbuild = require('esbuild');
const { root, makeAppDir, deliveries, checkAnswers } = require('../runtimes/harness');

// SqliteStore where neither node:sqlite nor bun:sqlite exists: the error, naming the other stores.
const UNAVAILABLE = 'HOOKWISE_STORE_UNAVAILABLE: true';

const bin = (name) => path.join(root, 'node_modules', '.bin', name);

// The runtime's binary, or the reason it cannot run here.
function runtimeBinary(name) {
  const file = bin(name);
  assert.ok(fs.existsSync(file), `${name} is a devDependency: run npm install`);
  const r = spawnSync(file, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return { skip: `${name} --version failed here: ${(r.stderr || String(r.error)).trim().slice(0, 300)}` };
  return { file, version: r.stdout.trim().split('\n')[0] };
}

// Answers to the deliveries through a dispatchFetch(url, init) of the runtime.
async function dispatchAll(dispatchFetch, requests, origin) {
  const answers = [];
  for (const r of requests) {
    const response = await dispatchFetch(`${origin}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
    answers.push({ status: response.status, body: JSON.parse(await response.text()) });
  }
  return answers;
}

// The files of the package a bundle took in, relative to it.
function bundledPackageFiles(metafile) {
  return Object.keys(metafile.inputs)
    .filter((file) => file.includes('node_modules/hookwise/'))
    .map((file) => file.slice(file.indexOf('node_modules/hookwise/') + 'node_modules/hookwise/'.length));
}

function assertPortableBundle(metafile) {
  const files = bundledPackageFiles(metafile);
  assert.ok(files.includes('lib/portable.mjs'), `resolved to the portable entry: ${files.join(', ')}`);
  for (const file of files) {
    assert.ok(!file.endsWith('.node'), `no addon in the bundle: ${file}`);
    assert.ok(!['lib/index.js', 'lib/index.mjs', 'lib/native.js'].includes(file), `no native entry in the bundle: ${file}`);
    assert.ok(!file.startsWith('lib/engine/native/'), `no native engine in the bundle: ${file}`);
  }
}

test('workerd (miniflare): a module worker bundled as wrangler does, the handler made at module scope', async (t) => {
  const { Miniflare } = require('miniflare');
  const workerd = runtimeBinary('workerd');
  if (workerd.skip) return t.skip(workerd.skip);
  t.diagnostic(`workerd ${workerd.version}, miniflare ${require('miniflare/package.json').version}`);
  const app = makeAppDir();
  try {
    const built = await esbuild.build({
      entryPoints: [path.join(app.dir, 'worker.mjs')],
      absWorkingDir: app.dir,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      target: 'es2022',
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    assertPortableBundle(built.metafile);
    // No nodejs_compat flag: the plain Workers runtime, without node: modules.
    const options = { modules: true, compatibilityDate: '2025-09-01' };
    // The restriction this test relies on is real here: a random value made at
    // module scope stops the worker from starting (workerd says why on stderr).
    let controlLog = '';
    const control = new Miniflare({
      ...options,
      script: 'crypto.getRandomValues(new Uint8Array(4)); export default { fetch: () => new Response("") };',
      handleRuntimeStdio: (stdout, stderr) => {
        for (const stream of [stdout, stderr]) stream.on('data', (chunk) => { controlLog += chunk; });
      },
    });
    try {
      await assert.rejects(control.ready, /failed to start/);
      assert.match(controlLog, /Disallowed operation called within global scope/);
    } finally {
      await control.dispose().catch(() => {});
    }

    const mf = new Miniflare({ ...options, script: built.outputFiles[0].text });
    try {
      const d = deliveries();
      checkAnswers(await dispatchAll((url, init) => mf.dispatchFetch(url, init), d.requests, 'http://worker.test'), d, 'portable', UNAVAILABLE);
    } finally {
      await mf.dispose();
    }
  } finally {
    app.cleanup();
  }
});

test('edge-runtime: a script bundled for edge-light, run in its EdgeRuntime VM', async () => {
  const { EdgeRuntime } = require('edge-runtime');
  const app = makeAppDir();
  try {
    const built = await esbuild.build({
      entryPoints: [path.join(app.dir, 'edge.mjs')],
      absWorkingDir: app.dir,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      conditions: ['edge-light', 'worker', 'browser'],
      target: 'es2022',
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    assertPortableBundle(built.metafile);
    const runtime = new EdgeRuntime({ initialCode: built.outputFiles[0].text });
    assert.equal(runtime.context.process, undefined, 'no Node process object in the VM');
    assert.equal(runtime.context.require, undefined, 'no require in the VM');
    const d = deliveries();
    checkAnswers(await dispatchAll((url, init) => runtime.dispatchFetch(url, init), d.requests, 'http://edge.test'), d, 'portable', UNAVAILABLE);
  } finally {
    app.cleanup();
  }
});

// This process's environment with `changes` applied (null: removed).
function withEnv(changes) {
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.HOOKWISE_IMPLEMENTATION;
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete env[key];
    else env[key] = value;
  }
  return env;
}

// Runs test/runtimes/driver.mjs in Bun or Deno with the deliveries on stdin.
function drive(file, args, cwd, requests, env = {}) {
  const r = spawnSync(file, args, {
    cwd,
    input: JSON.stringify(requests),
    encoding: 'utf8',
    env: withEnv(env),
    timeout: 120_000,
  });
  return r;
}

function answersOf(r, what) {
  assert.equal(r.status, 0, `${what} failed:\n${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()).answers;
}

for (const [title, specifier, env, expected, sqlite] of [
  ['`hookwise` (the bun condition) loads the native addon through Node-API', 'hookwise', {}, 'native', 'constructed: native'],
  ['HOOKWISE_IMPLEMENTATION=portable gives the portable one', 'hookwise', { HOOKWISE_IMPLEMENTATION: 'portable' }, 'portable', 'constructed: bun:sqlite'],
  ['`hookwise/portable` is the portable one', 'hookwise/portable', {}, 'portable', 'constructed: bun:sqlite'],
]) {
  test(`Bun: ${title}`, (t) => {
    const bun = runtimeBinary('bun');
    if (bun.skip) return t.skip(bun.skip);
    t.diagnostic(`bun ${bun.version}`);
    const app = makeAppDir();
    try {
      const d = deliveries();
      checkAnswers(answersOf(drive(bun.file, ['driver.mjs', specifier], app.dir, d.requests, env), 'bun'), d, expected, sqlite);
      assert.equal(fs.existsSync(path.join(app.dir, 'hookwise-probe.db')), false, 'no file at construction');
    } finally {
      app.cleanup();
    }
  });
}

// A file the portable SqliteStore wrote in another runtime, read here by the
// native store (this process).
async function checkFileFromRuntime(file, output, driver) {
  const result = JSON.parse(output.trim().split('\n').pop());
  assert.equal(result.driver, driver);
  assert.equal(result.first, 'acquired');
  assert.equal(result.duplicateBeforeComplete, 'in_progress');
  assert.equal(result.completed, true);
  assert.equal(result.again, 'duplicate');
  assert.deepEqual(result.failed, { deadLettered: false, attempt: 1 });
  assert.equal(result.record.payload, '{"id":"evt_rt_done"}');
  const { SqliteStore, implementation } = require('../..');
  assert.notEqual(implementation, 'portable', 'this process reads with the native store');
  const store = new SqliteStore({ path: file, keepPayloads: true });
  try {
    const record = await store.get('evt_rt_done');
    assert.deepEqual({ ...record, payload: record.payload.toString() }, result.record);
    assert.equal((await store.claim('evt_rt_done', { type: 'invoice.paid', created: 1, leaseMs: 1000 })).status, 'duplicate');
    assert.equal((await store.claim('evt_rt_held', { type: 'invoice.paid', created: 1, leaseMs: 1000 })).status, 'in_progress');
    assert.equal((await store.get('evt_rt_failed')).lastError, 'handler threw');
    assert.equal(await store.lastApplied('in_rt'), 1_700_000_000);
  } finally {
    await store.close();
  }
}

test('Bun: the portable SqliteStore on bun:sqlite writes a file the native store reads', async (t) => {
  const bun = runtimeBinary('bun');
  if (bun.skip) return t.skip(bun.skip);
  const app = makeAppDir();
  try {
    const file = path.join(app.dir, 'bun.db');
    const r = spawnSync(bun.file, ['store-smoke.mjs', file], { cwd: app.dir, encoding: 'utf8', env: withEnv({}), timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    await checkFileFromRuntime(file, r.stdout, 'bun:sqlite');
  } finally {
    app.cleanup();
  }
});

test('Bun: the Store contract over the portable SqliteStore on bun:sqlite (bun test)', (t) => {
  const bun = runtimeBinary('bun');
  if (bun.skip) return t.skip(bun.skip);
  const r = spawnSync(bun.file, ['test', './test/runtimes/bun-store-contract.js'], {
    cwd: root, encoding: 'utf8', env: withEnv({}), timeout: 300_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, output.slice(-6000));
  const passed = output.match(/^\s*(\d+) pass$/m);
  assert.ok(passed && Number(passed[1]) >= 70, `the whole contract ran twice: ${output.slice(-500)}`);
  assert.match(output, /^\s*0 fail$/m);
  t.diagnostic(`bun test: ${passed[1]} pass`);
});

test('Deno: `hookwise` from node_modules takes the deno condition: portable', (t) => {
  const deno = runtimeBinary('deno');
  if (deno.skip) return t.skip(deno.skip);
  t.diagnostic(deno.version);
  const app = makeAppDir();
  try {
    const d = deliveries();
    const r = drive(deno.file, ['run', '--allow-read', '--allow-env', 'driver.mjs', 'hookwise'], app.dir, d.requests);
    checkAnswers(answersOf(r, 'deno'), d, 'portable', 'constructed: node:sqlite');
    assert.equal(fs.existsSync(path.join(app.dir, 'hookwise-probe.db')), false, 'no file at construction');
  } finally {
    app.cleanup();
  }
});

test('Deno: the native entry loads the addon only with --allow-ffi', (t) => {
  const deno = runtimeBinary('deno');
  if (deno.skip) return t.skip(deno.skip);
  const app = makeAppDir();
  try {
    const d = deliveries();
    const entry = path.join(app.pkg, 'lib', 'index.mjs');
    const env = { HOOKWISE_IMPLEMENTATION: 'native' };
    const withFfi = drive(deno.file, ['run', '--allow-read', '--allow-env', '--allow-ffi', 'driver.mjs', entry], app.dir, d.requests, env);
    checkAnswers(answersOf(withFfi, 'deno --allow-ffi'), d, 'native', 'constructed: native');
    const without = drive(deno.file, ['run', '--allow-read', '--allow-env', 'driver.mjs', entry], app.dir, d.requests, env);
    assert.notEqual(without.status, 0);
    assert.match(without.stderr, /native addon could not be loaded[\s\S]*--allow-ffi/);
  } finally {
    app.cleanup();
  }
});

test('Deno: the portable SqliteStore on node:sqlite writes a file the native store reads', async (t) => {
  const deno = runtimeBinary('deno');
  if (deno.skip) return t.skip(deno.skip);
  const app = makeAppDir();
  try {
    const file = path.join(app.dir, 'deno.db');
    const r = spawnSync(deno.file, ['run', '--allow-read', '--allow-write', '--allow-env', 'store-smoke.mjs', file], {
      cwd: app.dir, encoding: 'utf8', env: withEnv({}), timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    await checkFileFromRuntime(file, r.stdout, 'node:sqlite');
  } finally {
    app.cleanup();
  }
});
