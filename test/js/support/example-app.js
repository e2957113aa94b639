'use strict';
// An example app (examples/<name>) as a user installs it, for the example
// tests: copied to a fresh directory under build/example-apps/, with
// node_modules/hookwise unpacked from this checkout's `npm pack` — real files,
// exactly what the package publishes, never a link — and every other
// dependency (express, pg, convex, stripe, ...) resolved by Node's walk-up
// resolution from the repo's own node_modules, so no network install is
// needed. build/ is inside the repo for that reason.
//
// The tarball is made once per state of the package's files and shared by
// every example test (./packed-hookwise.js). When it holds no prebuilt binary
// for this platform, the addon this checkout built goes where hookwise's
// install script would have built it (build/Release).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { packedHookwise } = require('./packed-hookwise');

const repo = path.join(__dirname, '..', '..', '..');
const PLATFORM = `${process.platform}-${process.arch}`;

const hasPrebuild = (pkg) => {
  const dir = path.join(pkg, 'prebuilds', PLATFORM);
  return fs.existsSync(dir) && fs.readdirSync(dir).some((name) => name.endsWith('.node'));
};

/** Unpacks the tarball into `modules`/hookwise, plus the local addon where no prebuild fits. */
function installPackedHookwise(modules) {
  const target = path.join(modules, 'hookwise');
  fs.mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', packedHookwise(), '-C', target, '--strip-components=1']);
  if (!hasPrebuild(target)) {
    fs.mkdirSync(path.join(target, 'build', 'Release'), { recursive: true });
    for (const file of ['hookwise.node', 'hookwise.build.json']) {
      const from = path.join(repo, 'build', 'Release', file);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(target, 'build', 'Release', file));
    }
  }
  return target;
}

/**
 * A fresh copy of examples/<name> with hookwise installed as above:
 * { dir, cleanup }. Leftovers of running the example in place
 * (node_modules, .env files) are not copied.
 */
function prepareExample(name) {
  const source = path.join(repo, 'examples', name);
  const parent = path.join(repo, 'build', 'example-apps');
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, `${name}-`));
  const skip = new Set(['node_modules', '.env', '.env.local']);
  fs.cpSync(source, dir, { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  installPackedHookwise(path.join(dir, 'node_modules'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

module.exports = { repo, installPackedHookwise, prepareExample };
