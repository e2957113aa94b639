#!/usr/bin/env node
'use strict';
// Builds the addon from source with node-gyp into build/Release. Run by the
// install step (scripts/install.js) when no prebuilt binary fits, and by
// `npm run build:addon` in a clone (not `build`: npm would run the `prebuild`
// script, the cross-compiled prebuilt binaries, before it).
//
// Why a script rather than plain `node-gyp rebuild`:
// - the tools and static libraries are checked first, all at once, so a
//   missing one is reported with the Debian package that provides it (one
//   round, not one per missing library) instead of a wall of compiler errors;
// - node-gyp is pointed at the Node headers already on this machine (Debian:
//   /usr/include/node from libnode-dev; the official tarballs: beside the
//   binary), whatever the user's npm configuration says, because nothing may
//   be downloaded at build time.
// Exit status 1 with a message on stderr when the build cannot happen.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { STATIC_LIBRARIES } = require('./native-deps');

const root = path.join(__dirname, '..');

class BuildError extends Error {}

function fail(lines) {
  throw new BuildError(`hookwise: cannot build the native addon from source.\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

const has = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

function compiler() {
  const configured = process.env.CXX;
  if (configured) return configured;
  return has('g++', ['--version']) ? 'g++' : has('c++', ['--version']) ? 'c++' : null;
}

function compilerFinds(cxx, lib) {
  const found = spawnSync(cxx, [`-print-file-name=${lib.archive}`], { encoding: 'utf8' }).stdout.trim();
  const header = spawnSync(cxx, ['-E', '-x', 'c++', '-'], { input: `#include <${lib.header}>\n`, stdio: ['pipe', 'ignore', 'ignore'] });
  return path.isAbsolute(found) && header.status === 0;
}

// Without a compiler to ask, look where distributions put them, so one
// message names everything that is missing.
function filesExist(lib) {
  const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch];
  const libDirs = ['/usr/lib', '/usr/lib64', '/usr/local/lib', ...(multiarch ? [`/usr/lib/${multiarch}`] : [])];
  return (
    libDirs.some((dir) => fs.existsSync(path.join(dir, lib.archive))) &&
    ['/usr/include', '/usr/local/include'].some((dir) => fs.existsSync(path.join(dir, lib.header)))
  );
}

/** Every missing tool, header and static library, with the Debian packages that provide them. */
function checkPrerequisites() {
  const missing = []; // [what, debian package]
  const cxx = compiler();
  if (!cxx) missing.push(['a C++20 compiler (g++ 10 or newer)', 'g++']);
  if (!has('make', ['--version'])) missing.push(['make', 'make']);
  if (!has('python3', ['--version'])) missing.push(['python3 (node-gyp runs on it)', 'python3']);
  for (const lib of STATIC_LIBRARIES) {
    if (!(cxx ? compilerFinds(cxx, lib) : filesExist(lib))) missing.push([`${lib.archive} and ${lib.header}`, lib.debian]);
  }
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  fail([
    `Missing: ${missing.map(([what]) => what).join('; ')}.`,
    `On Debian/Ubuntu, as root:  apt-get update && apt-get install -y ${packages.join(' ')}`,
    'Elsewhere, install the equivalents (the static libraries: libcrypto.a, libsodium.a, libsqlite3.a),',
    'then run  npm rebuild hookwise  in your project.',
  ]);
}

function nodeHeadersDir() {
  // <prefix>/bin/node -> <prefix>/include/node/node_api.h
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const candidates = [process.env.npm_config_nodedir, prefix].filter(Boolean);
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h')));
  if (found) return found;
  return fail([
    `No Node.js headers found under ${path.join(prefix, 'include', 'node')}.`,
    'hookwise builds against the headers of the Node.js that runs it and does not download them.',
    'On Debian/Ubuntu, as root:  apt-get update && apt-get install -y libnode-dev',
    '(the official Node.js tarballs ship them beside the binary; or set npm_config_nodedir to a',
    'directory containing include/node/node_api.h).',
  ]);
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

/**
 * Builds into `<cwd>/build/Release`. `options.arch` cross-compiles (with CC/CXX
 * and a --sysroot in the environment, as scripts/prebuild.js sets them).
 */
function build({ cwd = root, env = process.env, arch, stdio = 'inherit', nodedir, check = true, defines = [] } = {}) {
  if (check) checkPrerequisites();
  const headers = nodedir ?? nodeHeadersDir();
  const gyp = nodeGypScript();
  const gypEnv = { ...env, npm_config_nodedir: headers };
  const archArgs = arch ? [`--arch=${arch}`] : [];
  const run = (args, gypArgs = []) => {
    const r = spawnSync(process.execPath, [gyp, ...args, `--nodedir=${headers}`, ...archArgs, ...gypArgs], { cwd, stdio, env: gypEnv });
    if (r.status !== 0) fail([`node-gyp ${args[0]} failed (exit ${r.status}); see the output above.`]);
  };
  // gyp variables (binding.gyp's `%` defaults) go after `--`.
  const gypDefines = defines.length ? ['--', ...defines.map((d) => `-D${d}`)] : [];
  if (!fs.existsSync(path.join(cwd, 'build', 'Makefile'))) run(['configure'], gypDefines);
  run(['build', '--jobs', 'max']);
  fs.writeFileSync(
    path.join(cwd, 'build', 'Release', 'hookwise.build.json'),
    `${JSON.stringify({ node: process.version, napi: process.versions.napi, platform: process.platform, arch: arch ?? process.arch })}\n`,
  );
}

module.exports = { build, checkPrerequisites, BuildError };

if (require.main === module) {
  try {
    build();
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    process.stderr.write(`\n${err.message}\n\n`);
    process.exit(1);
  }
}
