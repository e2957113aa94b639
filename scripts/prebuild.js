#!/usr/bin/env node
'use strict';
// `npm run prebuild`: the prebuilt binaries that ship inside the npm package,
//   prebuilds/linux-x64/hookwise.glibc.node
//   prebuilds/linux-arm64/hookwise.glibc.node
// so that `npm install hookwise` on those platforms compiles nothing and needs
// no install script (lib/native.js loads them before any local build).
//
// Each is built by node-gyp from the same binding.gyp as a local build, with
// g++ 12 (for arm64 Debian's aarch64-linux-gnu cross compiler) against a
// glibc 2.31 sysroot (scripts/sysroot.sh), so that it loads on Debian 11,
// Ubuntu 20.04, Amazon Linux 2023 and anything newer; libraries static,
// only the Node-API entry points exported (docs/DESIGN-NOTES.md, "Prebuilt
// binaries"). The Node headers are an official Node's (scripts/registry-node.sh);
// Node-API is ABI-stable, so one binary serves Node 18 and every later major.
//
// Usage: node scripts/prebuild.js [x64] [arm64]   (default: both)
// Needs: g++, g++-aarch64-linux-gnu, make, python3, dpkg-deb and apt-get
// (installed by scripts/setup.sh).
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { build } = require('./build-addon');

const root = path.join(__dirname, '..');
const TARGETS = {
  x64: { debian: 'amd64', triplet: 'x86_64-linux-gnu', cxx: 'g++', cc: 'gcc', strip: 'strip' },
  arm64: {
    debian: 'arm64',
    triplet: 'aarch64-linux-gnu',
    cxx: 'aarch64-linux-gnu-g++',
    cc: 'aarch64-linux-gnu-gcc',
    strip: 'aarch64-linux-gnu-strip',
  },
};
// What binding.gyp reads (its sources, scripts and the package's own metadata).
const BUILD_INPUTS = ['binding.gyp', 'package.json', 'src', 'scripts'];
const NODE_HEADERS_MAJOR = '20';

function sh(cmd, args) {
  return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function prebuild(arch) {
  const t = TARGETS[arch];
  if (!t) throw new Error(`prebuild: unknown arch ${arch} (expected ${Object.keys(TARGETS).join(', ')})`);
  const sysroot = sh('bash', [path.join(__dirname, 'sysroot.sh'), t.debian]);
  const nodedir = path.resolve(path.dirname(sh('bash', [path.join(__dirname, 'registry-node.sh'), NODE_HEADERS_MAJOR])), '..');

  // A scratch copy of the build inputs, so node-gyp's build/ never clobbers
  // the local build of the checkout, and both arches can build at once.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `hookwise-prebuild-${arch}-`));
  try {
    for (const entry of BUILD_INPUTS) fs.cpSync(path.join(root, entry), path.join(work, entry), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
    // The host compiler adds its own library directory (the host's newer
    // glibc) to the search path; the sysroot's must come first.
    const libDirs = [`${sysroot}/usr/lib/${t.triplet}`, `${sysroot}/lib/${t.triplet}`];
    const env = {
      ...process.env,
      CC: `${t.cc} --sysroot=${sysroot}`,
      CXX: `${t.cxx} --sysroot=${sysroot}`,
      LDFLAGS: `${libDirs.map((d) => `-L${d}`).join(' ')} -s`,
    };
    const started = Date.now();
    build({ cwd: work, env, arch, nodedir, check: false, stdio: ['ignore', 'ignore', 'inherit'], defines: ['hookwise_glibc_compat=1'] });
    const built = path.join(work, 'build', 'Release', 'hookwise.node');
    const dir = path.join(root, 'prebuilds', `linux-${arch}`);
    fs.mkdirSync(dir, { recursive: true });
    const out = path.join(dir, 'hookwise.glibc.node');
    const r = spawnSync(t.strip, ['--strip-unneeded', '-o', out, built], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`prebuild: ${t.strip} failed`);
    const kib = Math.round(fs.statSync(out).size / 1024);
    process.stdout.write(`prebuild: ${path.relative(root, out)} (${kib} KiB, ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    return out;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// The licenses of everything linked into the prebuilds, from the Debian
// packages and the npm package they came from, into THIRD_PARTY_NOTICES
// (shipped in the npm package, git-ignored: it is made with the binaries).
function writeNotices() {
  const sysroot = sh('bash', [path.join(__dirname, 'sysroot.sh'), 'amd64']);
  const simdjson = path.dirname(require.resolve('@nozbe/simdjson/package.json'));
  const gccBase = fs.readdirSync('/usr/share/doc').find((d) => /^gcc-\d+-base$/.test(d));
  const parts = [
    ['simdjson', require(path.join(simdjson, 'package.json')).version, 'the npm package @nozbe/simdjson (single-file source)', path.join(simdjson, 'LICENSE')],
    ['SQLite', 'Debian 12 libsqlite3-dev', 'static library', path.join(sysroot, 'usr/share/doc/libsqlite3-dev/copyright')],
    ['libsodium', 'Debian 11 libsodium-dev', 'static library', path.join(sysroot, 'usr/share/doc/libsodium-dev/copyright')],
    ['OpenSSL libcrypto', 'Debian 12 libssl-dev', 'static library', path.join(sysroot, 'usr/share/doc/libssl-dev/copyright')],
    ['GNU libstdc++ and libgcc', gccBase, 'static libraries (GCC Runtime Library Exception)', path.join('/usr/share/doc', gccBase ?? 'gcc-base', 'copyright')],
  ];
  let text =
    'hookwise\'s prebuilt binaries (prebuilds/*/hookwise.*.node) contain the following\n' +
    'third-party software, linked statically. Each section gives its license as shipped\n' +
    'by the package it was built from.\n';
  for (const [name, version, how, file] of parts) {
    text += `\n${'='.repeat(78)}\n${name} (${version}; ${how})\n${'='.repeat(78)}\n\n${fs.readFileSync(file, 'utf8').trim()}\n`;
  }
  fs.writeFileSync(path.join(root, 'THIRD_PARTY_NOTICES'), text);
}

if (require.main === module) {
  const arches = process.argv.slice(2);
  const list = arches.length ? arches : Object.keys(TARGETS);
  try {
    for (const arch of list) prebuild(arch);
    writeNotices();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

module.exports = { prebuild, writeNotices, TARGETS };
