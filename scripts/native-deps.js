'use strict';
// What the native code links with, in one place for both builds (binding.gyp
// runs this through command expansion; CMakeLists.txt and fuzz/ through
// execute_process; scripts/build-addon.js and scripts/prebuild.js call it):
//
//   node scripts/native-deps.js simdjson-dir [--relative]   the directory of simdjson's single-file
//                                              source (simdjson.h + simdjson.cpp)
//   node scripts/native-deps.js simdjson-cpp   that simdjson.cpp
//   node scripts/native-deps.js link-args      the static libraries and system libraries
//
// Why static: a Node process may already hold its own copies of these
// libraries (official Node >= 22 bundles and exports simdjson and OpenSSL).
// A shared library's internal calls bind to the first definition in the
// process, so Debian's libsimdjson ended up calling into node's different
// simdjson version and crashed. Linked statically and kept local by
// src/addon/exports.map, every call the addon makes stays inside it
// (docs/DESIGN-NOTES.md, "Symbol isolation").
const path = require('node:path');

// Static archives, in link order (a library before the ones it uses), and the
// Debian package that ships each one with its headers.
const STATIC_LIBRARIES = [
  { archive: 'libsqlite3.a', header: 'sqlite3.h', debian: 'libsqlite3-dev' },
  { archive: 'libsodium.a', header: 'sodium.h', debian: 'libsodium-dev' },
  { archive: 'libcrypto.a', header: 'openssl/evp.h', debian: 'libssl-dev' },
];
// What those archives need from the C library (SQLite: dlopen, pthreads, math).
const SYSTEM_LIBRARIES = ['-lpthread', '-ldl', '-lm'];

// Relative to the package root for binding.gyp (gyp mangles absolute source
// paths); '../@nozbe/…' once npm hoists it beside hookwise in node_modules.
function simdjsonDir(relative = false) {
  const dir = path.dirname(require.resolve('@nozbe/simdjson/src/simdjson.cpp'));
  return relative ? path.relative(path.join(__dirname, '..'), dir) : dir;
}

function linkArgs() {
  return [...STATIC_LIBRARIES.map((l) => `-l:${l.archive}`), ...SYSTEM_LIBRARIES];
}

module.exports = { STATIC_LIBRARIES, SYSTEM_LIBRARIES, simdjsonDir, linkArgs };

if (require.main === module) {
  const what = process.argv[2];
  const out = {
    'simdjson-dir': () => simdjsonDir(process.argv[3] === '--relative'),
    'simdjson-cpp': () => path.join(simdjsonDir(), 'simdjson.cpp'),
    'link-args': () => linkArgs().join(' '),
  }[what];
  if (!out) {
    process.stderr.write('usage: node scripts/native-deps.js simdjson-dir|simdjson-cpp|link-args\n');
    process.exit(2);
  }
  process.stdout.write(out());
}
