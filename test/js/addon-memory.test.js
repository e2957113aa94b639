'use strict';
// The native addon's memory stays flat: every outcome of every entry point
// (test/leak/workload.js), run 100,000 times (fewer for the slow ones: the
// workload says which and why), must not make the process grow.
//
// Each scenario runs in its own child process (test/leak/flat.js, with
// --expose-gc): a warm-up round, then four measured rounds with a full GC
// after each. After the warm-up, RSS, V8's `external` and `arrayBuffers`
// (memory outside the JS heap held by JS objects: Buffers, ArrayBuffers) and
// the JS heap in use must not grow by more than
//
//     bound = max(FLOOR, BYTES_PER_CALL x calls into the addon)
//
// A leak of L bytes per call grows the process by at least L x calls (glibc
// adds 16 bytes of chunk header to each block, so a 64-byte leak costs 80),
// so any leak of 64 bytes or more per call exceeds a bound of 32 per call: by
// 2.5 times for a leaked 64-byte block. FLOOR is above the noise a leak-free
// run shows: with the settings below, the largest growth measured over the
// scenarios of at most 50k calls was 0.7 MiB (most stay under 0.4 MiB). Every
// scenario makes at least FLOOR / 64 calls, so that a 64-byte leak still
// passes FLOOR, except those marked `coarse` in the workload (too slow for
// that many calls; each says what leak it can see): their bound is
// COARSE_FLOOR, and valgrind (scripts/leak-check.sh) checks them at any size.
// Two kinds of scenario are noisier and have a `floor` of their own:
// deliveries through webhooks.fetch, whose Request/Response machinery moves
// RSS by megabytes on its own (4 MiB, with enough calls that a 64-byte leak
// per call still passes it: the last test here checks that), and work
// offloaded to the libuv pool (8 MiB; coarse).
//
// The children run with settings that make RSS a steady measure of what the
// process holds, without changing what the addon does:
// - --max-semi-space-size=1: V8 otherwise grows its young generation by
//   megabytes at a time when many objects survive, which shows up as RSS;
// - --single-threaded-gc: no GC helper threads, each of which would get its
//   own malloc arena;
// - glibc malloc: one arena (freed memory in a thread's arena otherwise stays
//   in RSS wherever it lands), and a fixed mmap threshold (otherwise it moves
//   up after the first large free and later large blocks stay in the heap).
// No timing is measured or asserted.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { allScenarios } = require('../leak/workload');

const FLOOR = 1.25 * 1024 * 1024;
const COARSE_FLOOR = 2 * 1024 * 1024;
const BYTES_PER_CALL = 32;
const FLAT = path.join(__dirname, '..', 'leak', 'flat.js');
const NODE_FLAGS = ['--expose-gc', '--max-semi-space-size=1', '--single-threaded-gc'];
const MALLOC = 'glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=131072';
// Two children at a time: their memory is measured per process, so they
// do not disturb each other's numbers.
const PARALLEL = Math.max(1, Math.min(2, os.availableParallelism()));

function runChild(name) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, FLAT, name], {
      env: { ...process.env, GLIBC_TUNABLES: MALLOC },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`test/leak/flat.js "${name}" exited with ${code}:\n${err}`));
      else resolve(JSON.parse(out));
    });
  });
}

/** Starts the children PARALLEL at a time, in order; returns name -> promise of its result. */
function startAll(scenarios) {
  const pending = new Map();
  for (const { name } of scenarios) {
    const entry = {};
    entry.promise = new Promise((resolve, reject) => Object.assign(entry, { resolve, reject }));
    entry.promise.catch(() => {}); // reported by the scenario's own test
    pending.set(name, entry);
  }
  let next = 0;
  const launch = () => {
    if (next >= scenarios.length) return;
    const { name } = scenarios[next++];
    const entry = pending.get(name);
    runChild(name).then(entry.resolve, entry.reject).finally(launch);
  };
  for (let i = 0; i < PARALLEL; i++) launch();
  return (name) => pending.get(name).promise;
}

/** The noise floor of a scenario's bound: its own (workload.js says why), COARSE_FLOOR, or FLOOR. */
function floorOf(scenario) {
  return scenario.floor ?? (scenario.coarse === undefined ? FLOOR : COARSE_FLOOR);
}

const KiB = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

describe('the addon leaks nothing: memory is flat over 100k calls of every outcome', () => {
  // LEAK_FILTER=<text>: only the scenarios whose name contains it.
  const scenarios = allScenarios().filter((s) => s.name.includes(process.env.LEAK_FILTER ?? ''));
  const resultOf = startAll(scenarios);

  for (const scenario of scenarios) {
    it(scenario.name, async (t) => {
      const r = await resultOf(scenario.name);
      const calls = r.measured * (scenario.calls ?? 1);
      const bound = Math.max(floorOf(scenario), BYTES_PER_CALL * calls);
      const base = r.samples[0];
      const last = r.samples[r.samples.length - 1];
      const growth = {
        rss: last.rss - base.rss,
        external: last.external - base.external,
        arrayBuffers: last.arrayBuffers - base.arrayBuffers,
        heapUsed: last.heapUsed - base.heapUsed,
      };
      const perCall = (bytes) => (bytes / calls).toFixed(1);
      t.diagnostic(
        `${r.measured} iterations, ${calls} calls after a warm-up of ${r.warmup}; growth: ` +
          `rss ${KiB(growth.rss)} (${perCall(growth.rss)} B/call), external ${KiB(growth.external)}, ` +
          `arrayBuffers ${KiB(growth.arrayBuffers)}, heapUsed ${KiB(growth.heapUsed)}; ` +
          `bound ${KiB(bound)}; rss by round: ${r.samples.map((s) => KiB(s.rss - base.rss)).join(', ')}`,
      );
      for (const [what, bytes] of Object.entries(growth)) {
        assert.ok(
          bytes <= bound,
          `${what} grew by ${KiB(bytes)} (${perCall(bytes)} bytes per call) over ${calls} calls, more than ${KiB(bound)}: ` +
            `a leak? rss after each round: ${r.samples.map((s) => KiB(s.rss - base.rss)).join(', ')}`,
        );
      }
    });
  }

  it('every scenario can see a 64-byte leak per call, or says why not', () => {
    for (const s of scenarios) {
      const calls = Math.ceil(s.iterations / 4) * 4 * (s.calls ?? 1);
      const smallest = Math.max(floorOf(s), BYTES_PER_CALL * calls) / calls;
      if (s.coarse === undefined) {
        assert.ok(smallest <= 64, `${s.name}: ${calls} calls only show a leak of ${smallest.toFixed(0)} bytes per call`);
      } else {
        assert.match(s.coarse, /valgrind/, `${s.name}: say why it is coarse and what covers it`);
      }
    }
  });
});
