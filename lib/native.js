'use strict';
// The one place the addon is loaded. Candidates, in order:
//   1. prebuilds/<platform>-<arch>/hookwise.<libc>.node — shipped inside the npm
//      package (scripts/prebuild.js), so a matching platform compiles nothing;
//   2. build/Release/hookwise.node — a local build (scripts/build-addon.js,
//      the install script's fallback, or `npm run build:addon` in a clone).
// HOOKWISE_NATIVE_BINARY=<file> overrides both (tests of a particular build).
// On failure, say exactly what to do instead of showing a dlopen error; the
// error has code HOOKWISE_NATIVE_UNAVAILABLE, which lib/index.js turns into
// the portable fallback.
//
// Everything here runs only in a runtime that can load addons; it must still
// fail cleanly (with that code) in one that cannot (workerd, a browser bundle,
// Deno without --allow-ffi), so nothing below may assume `process` is Node's.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const localBuild = path.join(root, 'build', 'Release', 'hookwise.node');
const localBuildInfo = path.join(root, 'build', 'Release', 'hookwise.build.json');
// Written by the install step when it could not build from source (scripts/install.js).
const installError = path.join(root, 'build', 'install-error.txt');

const proc = typeof process === 'object' && process !== null ? process : {};
const isDeno = typeof globalThis.Deno === 'object';
const isBun = typeof globalThis.Bun === 'object';

// glibc or musl: a glibc build does not load on musl (Alpine) and vice versa.
function libcFamily() {
  if (proc.platform !== 'linux') return null;
  try {
    const header = proc.report?.getReport?.().header;
    if (header) return header.glibcVersionRuntime ? 'glibc' : 'musl';
  } catch {
    // process.report missing or disabled: fall back to what the file system says
  }
  return fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc';
}

function prebuildFile() {
  const libc = libcFamily();
  const name = libc ? `hookwise.${libc}.node` : 'hookwise.node';
  return path.join(root, 'prebuilds', `${proc.platform}-${proc.arch}`, name);
}

// A bundler that copies this file into a bundle (Next.js does for App Router
// routes) moves __filename away from the package, so the addon looks missing.
// Then the fix is to leave hookwise out of the bundle, not to rebuild it.
function isBundled() {
  return path.basename(__filename) !== 'native.js' || !fs.existsSync(__filename);
}

// Each list starts with the likeliest fix: lib/index.js shows that one in its
// fallback warning, and the error shows them all.
const BUILD_FROM_SOURCE = [
  '- Build it for this machine: npm rebuild hookwise',
  '  (it needs a C++20 compiler, make, python3 and the static libraries; on Debian/Ubuntu as root:',
  '  apt-get update && apt-get install -y g++ make python3 libssl-dev libsodium-dev libsqlite3-dev)',
];

function solutions(kind) {
  if (isBundled()) {
    return [
      "- Leave hookwise out of the bundle: in Next.js, serverExternalPackages: ['hookwise'] in",
      '  next.config.js; webpack: externals; esbuild: --external:hookwise.',
      "- Or import 'hookwise/portable', which needs no addon.",
    ];
  }
  if (isDeno) {
    return [
      '- Deno loads Node.js addons only with --allow-ffi (and --allow-read for the file):',
      '  deno run --allow-ffi --allow-read ...',
      "- Or import 'hookwise/portable' (the `deno` export condition selects it), which needs no addon.",
    ];
  }
  const lines = [...BUILD_FROM_SOURCE];
  if (kind === 'no-binary') {
    const libc = libcFamily();
    lines.push(
      `- Prebuilt binaries ship for linux-x64 and linux-arm64 with glibc 2.31+; this is ${proc.platform}-${proc.arch}${libc ? ` (${libc})` : ''}.`,
      '  If it is one of those, your package manager skipped the package\'s files or its install step:',
      '  reinstall it (npm 11: approve its script with `npm install-scripts approve hookwise`).',
    );
  }
  lines.push("- Or import 'hookwise/portable', or set HOOKWISE_IMPLEMENTATION=portable: no addon needed.");
  return lines;
}

function loadError(reason, kind, cause) {
  const lines = [`hookwise: the native addon could not be loaded: ${reason}`, '', 'Possible solutions:', ...solutions(kind)];
  const err = new Error(lines.join('\n'), cause ? { cause } : undefined);
  err.code = 'HOOKWISE_NATIVE_UNAVAILABLE';
  return err;
}

function readBuildInfo() {
  try {
    return JSON.parse(fs.readFileSync(localBuildInfo, 'utf8'));
  } catch {
    return null;
  }
}

function relative(file) {
  try {
    return path.relative(proc.cwd(), file) || file;
  } catch {
    return file;
  }
}

function candidates() {
  const forced = proc.env?.HOOKWISE_NATIVE_BINARY;
  if (forced) return [{ file: path.resolve(forced), kind: 'forced' }];
  return [
    { file: prebuildFile(), kind: 'prebuild' },
    { file: localBuild, kind: 'local' },
  ];
}

function load() {
  if (typeof proc.dlopen !== 'function' || typeof proc.versions?.modules !== 'string' && !isBun && !isDeno) {
    throw loadError('this JavaScript runtime cannot load Node.js native addons.', 'runtime');
  }
  let firstFailure = null;
  for (const { file, kind } of candidates()) {
    if (!fs.existsSync(file)) continue;
    if (kind === 'local') {
      const info = readBuildInfo();
      if (info && (info.platform !== proc.platform || info.arch !== proc.arch)) {
        firstFailure ??= loadError(`${relative(file)} was built for ${info.platform}-${info.arch}, this is ${proc.platform}-${proc.arch}.`, 'rebuild');
        continue;
      }
    }
    try {
      const addon = require(file);
      Object.defineProperty(addon, 'binaryPath', { value: file, enumerable: false });
      return addon;
    } catch (cause) {
      // A prebuild that does not load here (an older glibc, a locked-down
      // dlopen) is not the end: a local build may still be there.
      const first = String(cause && cause.message).split('\n')[0];
      firstFailure ??= loadError(`${relative(file)}: ${first}`, isDeno ? 'deno' : 'rebuild', cause);
    }
  }
  if (firstFailure) throw firstFailure;
  const forced = proc.env?.HOOKWISE_NATIVE_BINARY;
  if (forced) throw loadError(`HOOKWISE_NATIVE_BINARY names ${forced}, which does not exist.`, 'rebuild');
  if (isBundled()) throw loadError('hookwise was bundled, and the bundle looks for the addon in the wrong place.', 'no-binary');
  let installFailure = '';
  try {
    // Its "Missing: …" line says exactly what the build lacked.
    const text = fs.readFileSync(installError, 'utf8');
    installFailure = (text.split('\n').find((l) => l.trim().startsWith('Missing:')) ?? text.split('\n')[1] ?? '').trim();
  } catch {
    // the install step did not run, or did not fail
  }
  const why = `neither a prebuilt binary (${relative(prebuildFile())}) nor a local build (${relative(localBuild)}) exists`;
  throw loadError(installFailure ? `${why}; the install step could not build it: ${installFailure}` : `${why}.`, 'no-binary');
}

module.exports = load();
