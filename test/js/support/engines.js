'use strict';
// The two implementations of one contract (API.md section 7), for the suites
// that run once per implementation:
//
//   for (const { name, hookwise } of ENGINES) describe(name, () => { ...tests over hookwise... });
//
// `native` is require('hookwise') as Node resolves it here (the addon), and
// `portable` is hookwise/portable. Each entry's `entry` is the file to require
// (in a worker or child process) and `engine` its engine module
// (lib/engine/*), for the few tests about one engine's internals. Running the
// suite with HOOKWISE_IMPLEMENTATION=portable makes the first entry portable
// too; the check below then says so instead of testing portable twice as "native".
const lib = require('../../../lib');
const portable = require('../../../lib/portable');

const ENGINES = [];
if (lib.implementation === 'native') {
  ENGINES.push({ name: 'native', hookwise: lib, entry: require.resolve('../../../lib'), engine: require('../../../lib/engine/native') });
} else if (!process.env.HOOKWISE_IMPLEMENTATION) {
  throw new Error('test/js/support/engines.js: require("hookwise") did not load the native addon (is it built?)');
}
ENGINES.push({ name: 'portable', hookwise: portable, entry: require.resolve('../../../lib/portable'), engine: require('../../../lib/engine/portable') });

for (const { name, hookwise } of ENGINES) {
  if (hookwise.implementation !== name) throw new Error(`engines.js: the ${name} entry reports ${hookwise.implementation}`);
}

const byName = (name) => ENGINES.find((e) => e.name === name);

module.exports = { ENGINES, byName, native: byName('native'), portable: byName('portable') };
