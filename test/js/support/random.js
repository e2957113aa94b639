'use strict';
// A small seeded PRNG (mulberry32) so generated test matrices are reproducible:
// a failing case prints its seed, and HOOKWISE_SEED=<n> replays it.
function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seededRandom(defaultSeed) {
  const seed = process.env.HOOKWISE_SEED ? Number(process.env.HOOKWISE_SEED) : defaultSeed;
  const next = mulberry32(seed);
  return {
    seed,
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    bytes: (n) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i += 1) out[i] = Math.floor(next() * 256);
      return out;
    },
  };
}

module.exports = { seededRandom };
