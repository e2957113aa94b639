#!/usr/bin/env node
'use strict';
// Builds the addon with node-gyp. Runs as the package's `install` script.
//
// Why a script rather than plain `node-gyp rebuild`:
// - system libraries are checked first, so a missing one is reported with the
//   Debian package that provides it instead of a wall of compiler errors;
// - node-gyp is pointed at the Node headers already on this machine (Debian's
//   nodejs installs them under /usr/include/node, the official tarballs beside
//   the binary), whatever the user's npm configuration says, because nothing
//   may be downloaded at build time.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

// pkg-config module -> Debian package.
const LIBRARIES = [
  ['libcrypto', 'libssl-dev'],
  ['libsodium', 'libsodium-dev'],
  ['simdjson', 'libsimdjson-dev'],
  ['sqlite3', 'libsqlite3-dev'],
];

function fail(lines) {
  process.stderr.write(`\nhookwise: cannot build the native addon.\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);
  process.exit(1);
}

function checkTools() {
  const missing = [];
  const has = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  if (!has('pkg-config', ['--version'])) missing.push('pkg-config');
  if (!has('g++', ['--version']) && !has('c++', ['--version'])) missing.push('g++ (build-essential)');
  if (!has('make', ['--version'])) missing.push('make (build-essential)');
  if (!has('python3', ['--version'])) missing.push('python3');
  if (missing.length) {
    fail([
      `Missing build tools: ${missing.join(', ')}.`,
      'On Debian/Ubuntu, as root: bash node_modules/hookwise/scripts/setup.sh',
      '(or: apt-get install build-essential pkg-config python3)',
    ]);
  }
  const missingLibs = LIBRARIES.filter(
    ([module]) => spawnSync('pkg-config', ['--exists', module]).status !== 0,
  );
  if (missingLibs.length) {
    fail([
      `Missing system libraries: ${missingLibs.map(([m]) => m).join(', ')}.`,
      `On Debian/Ubuntu, as root: apt-get install ${missingLibs.map(([, pkg]) => pkg).join(' ')}`,
      '(or run scripts/setup.sh from the hookwise package, which installs everything it needs)',
    ]);
  }
}

function nodeHeadersDir() {
  // <prefix>/bin/node -> <prefix>/include/node/node_api.h
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  const configured = process.env.npm_config_nodedir;
  if (configured && fs.existsSync(path.join(configured, 'include', 'node', 'node_api.h'))) {
    return configured;
  }
  fail([
    `No Node.js headers found under ${path.join(prefix, 'include', 'node')}.`,
    'hookwise builds against the headers of the Node.js that runs it and does not download them.',
    'On Debian/Ubuntu, install Node.js from a package that ships them (nodejs with /usr/include/node),',
    'or set npm_config_nodedir to a directory containing include/node/node_api.h.',
  ]);
  return null;
}

function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally; npm's bundled copy is the usual one
  }
  const found = candidates.find((p) => p && fs.existsSync(p));
  if (!found) fail(['node-gyp not found: it ships with npm; reinstall npm or run `npm install -g node-gyp`.']);
  return found;
}

function main() {
  checkTools();
  const nodedir = nodeHeadersDir();
  const gyp = nodeGypScript();
  const env = { ...process.env, npm_config_nodedir: nodedir };
  const run = (args) => {
    const r = spawnSync(process.execPath, [gyp, ...args, `--nodedir=${nodedir}`], {
      cwd: root,
      stdio: 'inherit',
      env,
    });
    if (r.status !== 0) fail([`node-gyp ${args[0]} failed (exit ${r.status}); see the output above.`]);
  };
  if (!fs.existsSync(path.join(root, 'build', 'Makefile'))) run(['configure']);
  run(['build', '--jobs', 'max']);
  fs.writeFileSync(
    path.join(root, 'build', 'Release', 'hookwise.build.json'),
    `${JSON.stringify({ node: process.version, modules: process.versions.modules, napi: process.versions.napi, platform: process.platform, arch: process.arch })}\n`,
  );
}

main();
