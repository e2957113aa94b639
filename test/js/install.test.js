'use strict';
// The install step as a user's npm runs it (scripts/install.js), in a copy of
// the package: with a prebuilt binary it builds nothing, even with no
// compiler on the machine; without one and without a compiler it says
// exactly what to install (everything at once, with apt-get update) and still
// exits 0, so `npm install` never breaks.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const prebuild = path.join(root, 'prebuilds', `linux-${process.arch}`, 'hookwise.glibc.node');
const PACKAGE_FILES = ['lib', 'bin', 'src', 'scripts', 'binding.gyp', 'package.json', 'index.d.ts'];

// A directory on PATH with nothing but `node`: no g++, make, python3 or pkg-config.
function bareBin(dir) {
  const bin = path.join(dir, 'bare-bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

function copyPackage(dir, { withPrebuild }) {
  const pkg = path.join(dir, 'node_modules', 'hookwise');
  fs.mkdirSync(pkg, { recursive: true });
  for (const entry of PACKAGE_FILES) fs.cpSync(path.join(root, entry), path.join(pkg, entry), { recursive: true });
  if (withPrebuild) {
    fs.mkdirSync(path.dirname(path.join(pkg, path.relative(root, prebuild))), { recursive: true });
    fs.copyFileSync(prebuild, path.join(pkg, path.relative(root, prebuild)));
  }
  // Its own dependencies, as npm would have installed them beside it.
  for (const dep of ['node-addon-api', '@nozbe/simdjson']) {
    fs.cpSync(path.join(root, 'node_modules', dep), path.join(dir, 'node_modules', dep), { recursive: true });
  }
  return pkg;
}

function runInstall(pkg, bin) {
  return spawnSync(process.execPath, ['scripts/install.js'], {
    cwd: pkg,
    encoding: 'utf8',
    env: { PATH: bin, HOME: os.tmpdir() },
  });
}

describe('the install step', () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-install-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('with a matching prebuilt binary builds nothing, even without a compiler', { skip: !fs.existsSync(prebuild) && 'no prebuild (npm run prebuild)' }, () => {
    const pkg = copyPackage(path.join(dir, 'with-prebuild'), { withPrebuild: true });
    const r = runInstall(pkg, bareBin(path.join(dir, 'with-prebuild')));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(fs.existsSync(path.join(pkg, 'build')), false, 'the install step ran node-gyp');
    const loaded = spawnSync(process.execPath, ['-e', "console.log(require('./lib/native').binaryPath)"], { cwd: pkg, encoding: 'utf8' });
    assert.equal(loaded.status, 0, loaded.stderr);
    assert.equal(fs.realpathSync(loaded.stdout.trim()), fs.realpathSync(path.join(pkg, path.relative(root, prebuild))));
  });

  it('without a prebuild or a compiler names every missing package at once and still succeeds', () => {
    const pkg = copyPackage(path.join(dir, 'no-prebuild'), { withPrebuild: false });
    const r = runInstall(pkg, bareBin(path.join(dir, 'no-prebuild')));
    assert.equal(r.status, 0, 'a failed source build must not fail npm install');
    assert.match(r.stderr, /cannot build the native addon from source/);
    assert.match(r.stderr, /apt-get update && apt-get install -y g\+\+ make python3/);
    assert.match(r.stderr, /npm rebuild hookwise/);
    assert.match(r.stderr, /portable/);
    // The hint must not point into the package (npm rolls a failed install back) or at the developers' setup.
    assert.doesNotMatch(r.stderr, /setup\.sh|node_modules\/hookwise/);
    // Loading it later repeats what the install step found missing.
    const load = spawnSync(process.execPath, ['-e', "require('./lib/native')"], { cwd: pkg, encoding: 'utf8' });
    assert.notEqual(load.status, 0);
    assert.match(load.stderr, /the install step could not build it: Missing: a C\+\+20 compiler/);
    assert.match(load.stderr, /apt-get update && apt-get install -y g\+\+ make python3/);
  });
});
