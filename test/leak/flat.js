'use strict';
// One scenario of test/leak/workload.js, run for its full iteration count in
// rounds, with a full GC between rounds; prints one JSON line with the memory
// after the warm-up round and after each measured round. Spawned by
// test/js/addon-memory.test.js as `node --expose-gc test/leak/flat.js <name>`,
// which asserts on the numbers.
//
// The warm-up round (a quarter of the iterations) lets everything that is
// allocated once reach its steady size: V8's compiled code, the addon's
// thread_local buffers, malloc's arenas in each libuv thread, SQLite's page
// cache, Node's Buffer pool. Then ROUNDS rounds share the `iterations`.
const { allScenarios, runIterations } = require('./workload');

const ROUNDS = Number(process.env.LEAK_ROUNDS || 4);

if (typeof global.gc !== 'function') {
  process.stderr.write('test/leak/flat.js needs node --expose-gc\n');
  process.exit(2);
}

/**
 * A full GC, then a turn of the event loop for the finalizers Node runs
 * after it (ObjectWrap destructors, Buffer backing stores), three times over
 * so that what those finalizers release is collected too.
 */
async function settle() {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function sample() {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

async function main(name) {
  const scenario = allScenarios().find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario named ${JSON.stringify(name)}`);
  const perRound = Math.ceil(scenario.iterations / ROUNDS);
  const state = scenario.setup ? await scenario.setup() : undefined;
  let next = 0;
  await runIterations(scenario, state, next, perRound);
  next += perRound;
  await settle();
  const samples = [sample()];
  for (let round = 0; round < ROUNDS; round++) {
    await runIterations(scenario, state, next, perRound);
    next += perRound;
    await settle();
    samples.push(sample());
  }
  if (scenario.teardown) await scenario.teardown(state);
  process.stdout.write(`${JSON.stringify({ name, warmup: perRound, measured: perRound * ROUNDS, samples })}\n`);
}

main(process.argv[2]).catch((err) => {
  process.stderr.write(`${err && err.stack}\n`);
  process.exit(1);
});
