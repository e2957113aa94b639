#!/usr/bin/env node
'use strict';
// Writes the ES-module declarations (index.d.mts, portable.d.mts, testing.d.mts,
// lib/convex/index.d.mts) from the CommonJS ones, which stay the one source.
//
// Why two files per entry: the package is "type": "commonjs", so TypeScript reads
// a .d.ts as CommonJS. An ES module app on module node16/nodenext that imports
// hookwise would then get declarations whose `import type StripeNode from 'stripe'`
// resolves stripe-node's CommonJS declarations, while its own `import Stripe from
// 'stripe'` gets stripe-node's ESM ones, and the two are distinct types (a
// Stripe.Invoice of one is not assignable to the other). A .d.mts is read as ESM, so
// the same text resolves stripe-node (and everything else) the way the app does.
// The exports map points "import" at these, "require" at the .d.ts.
//
//   node scripts/esm-declarations.js          writes them
//   node scripts/esm-declarations.js --check  exits 1 when one is missing or stale
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const PAIRS = [
  ['index.d.ts', 'index.d.mts'],
  ['portable.d.ts', 'portable.d.mts'],
  ['testing.d.ts', 'testing.d.mts'],
  ['lib/convex/index.d.ts', 'lib/convex/index.d.mts'],
];

/** The ESM text of one declaration file: relative imports of ./index etc. point at the .d.mts twin. */
function esmText(source, text) {
  const header = `// Generated from ${source} by scripts/esm-declarations.js (the ES-module twin, for "import"): edit ${source}.\n`;
  // `./index` and `./index.js` both become `./index.mjs` (the .d.mts twin); .mjs/.json stay.
  const body = text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]*?)(['"])/g, (all, lead, q1, spec, q2) =>
    /\.(mjs|json)$/.test(spec) ? all : `${lead}${q1}${spec.replace(/\.js$/, '')}.mjs${q2}`,
  );
  return header + body;
}

function expected() {
  return PAIRS.map(([from, to]) => ({ to, text: esmText(from, fs.readFileSync(path.join(root, from), 'utf8')) }));
}

/**
 * Writes the twins that are missing or stale (a current one is left untouched, mtime included,
 * so the test pack cache keyed on mtimes stays valid). They are build output, git-ignored:
 * written by `npm test` (scripts/test.sh), by `npm pack` (prepack), and by the tests that need them.
 */
function writeDeclarations({ check = false, log = () => {} } = {}) {
  const stale = [];
  for (const { to, text } of expected()) {
    const file = path.join(root, to);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (current === text) continue;
    stale.push(to);
    if (check) {
      log(`${to} is ${current === null ? 'missing' : 'stale'}: run node scripts/esm-declarations.js`);
    } else {
      fs.writeFileSync(file, text);
      log(`wrote ${to}`);
    }
  }
  return stale;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const stale = writeDeclarations({ check, log: check ? console.error : console.log });
  process.exitCode = check && stale.length ? 1 : 0;
}

module.exports = { PAIRS, esmText, expected, writeDeclarations };
