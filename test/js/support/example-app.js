'use strict';
// An example app (examples/<name>) as a user installs it, for the example
// tests: copied to a fresh directory under build/example-apps/, with
// node_modules/hookwise unpacked from this checkout's `npm pack` — real files,
// exactly what the package publishes, never a link — and every other
// dependency (express, pg, convex, stripe, ...) resolved by Node's walk-up
// resolution from the repo's own node_modules, so no network install is
// needed. build/ is inside the repo for that reason.
//
// The tarball is cached per state of the tree (the commit, plus a hash of
// uncommitted changes and untracked files) in ~/.cache/hookwise-test/pack/, so
// every example test of one run, and the next run on the same commit, share
// one `npm pack`. When the tarball holds no prebuilt binary for this platform,
// the addon this checkout built goes where hookwise's install script would
// have built it (build/Release).
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.join(__dirname, '..', '..', '..');
const PLATFORM = `${process.platform}-${process.arch}`;
const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'hookwise-test', 'pack');

const git = (args) => execFileSync('git', args, { cwd: repo, encoding: 'buffer', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });

/** The tree's identity for the cache, or null when git cannot tell (no cache then). */
function treeKey() {
  try {
    const hash = crypto.createHash('sha256');
    hash.update(git(['rev-parse', 'HEAD']));
    hash.update(git(['diff', 'HEAD', '--binary']));
    for (const file of git(['ls-files', '--others', '--exclude-standard', '-z']).toString().split('\0').filter(Boolean)) {
      hash.update(file).update('\0');
      try {
        hash.update(fs.readFileSync(path.join(repo, file)));
      } catch {}
    }
    return hash.digest('hex').slice(0, 24);
  } catch {
    return null;
  }
}

function npmPack(dest) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // node --test's own flags must not reach npm
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], {
    cwd: repo, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  return path.join(dest, JSON.parse(out)[0].filename);
}

let tarball = null;
/** The path of this checkout's `npm pack` tarball (made once per tree state). */
function packedTarball() {
  if (tarball) return tarball;
  const key = treeKey();
  if (key === null) {
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-pack-'));
    process.on('exit', () => fs.rmSync(dest, { recursive: true, force: true }));
    tarball = npmPack(dest);
    return tarball;
  }
  const cached = path.join(cacheRoot, `${key}.tgz`);
  if (!fs.existsSync(cached)) {
    fs.mkdirSync(cacheRoot, { recursive: true });
    const staging = fs.mkdtempSync(path.join(cacheRoot, '.pack-'));
    try {
      // rename is atomic: a test packing at the same moment finds either nothing or a whole file.
      fs.renameSync(npmPack(staging), cached);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  tarball = cached;
  return tarball;
}

const hasPrebuild = (pkg) => {
  const dir = path.join(pkg, 'prebuilds', PLATFORM);
  return fs.existsSync(dir) && fs.readdirSync(dir).some((name) => name.endsWith('.node'));
};

/** Unpacks the tarball into `modules`/hookwise, plus the local addon where no prebuild fits. */
function installPackedHookwise(modules) {
  const target = path.join(modules, 'hookwise');
  fs.mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', packedTarball(), '-C', target, '--strip-components=1']);
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

module.exports = { repo, packedTarball, installPackedHookwise, prepareExample };
