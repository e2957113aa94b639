'use strict';
// Every scenario of test/leak/workload.js, a few thousand iterations each at
// most, in one process: what scripts/leak-check.sh runs under valgrind.
// Valgrind reports a leaked block however few times it leaked, so the counts
// only need to reach every code path (and the thread-pool and helper-thread
// paths more than once); they are kept small because node runs ~30x slower
// under memcheck.
//
//   node test/leak/valgrind-workload.js [scale] [name-filter]
//
// scale (default 0.01): the fraction of each scenario's memory-check calls
// to run, at least MIN_ITERATIONS: 100k -> 1,000, 20k -> 200, 5k -> 50; a
// scenario making 17 calls per iteration runs 1/17 as many iterations.
// (0.02 took 4 minutes on the 2-core CI machine, which is too long for
// `npm test`; every path is reached at either scale.)
const { allScenarios, runIterations } = require('./workload');

const MIN_ITERATIONS = 20;

async function main() {
  const scale = Number(process.argv[2] || 0.01);
  const filter = process.argv[3] ?? '';
  if (!(scale > 0)) throw new Error(`bad scale ${process.argv[2]}`);
  for (const scenario of allScenarios()) {
    if (!scenario.name.includes(filter)) continue;
    // Per call into the addon: a store life cycle makes 17 calls, and
    // memcheck needs each path a few times, not thousands.
    const count = Math.max(MIN_ITERATIONS, Math.round((scenario.iterations * scale) / (scenario.calls ?? 1)));
    const started = process.hrtime.bigint();
    const state = scenario.setup ? await scenario.setup() : undefined;
    await runIterations(scenario, state, 0, count);
    if (scenario.teardown) await scenario.teardown(state);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`${String(count).padStart(6)} x ${scenario.name} (${ms.toFixed(0)} ms)\n`);
  }
  // Everything garbage is collected before exit where possible, so that what
  // valgrind then reports as lost was lost by the code, not left to a GC.
  if (typeof global.gc === 'function') global.gc();
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack}\n`);
  process.exit(1);
});
