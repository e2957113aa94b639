'use strict';
// This checkout's `npm pack` tarball, made once and shared by every test file
// that installs hookwise the way a user does (the examples' tests). node --test
// runs each file in its own process, so the tarball is cached on disk, under
// build/test-pack/<key>/, where the key is a hash of what npm would pack: the
// path, size and mtime of every file the package's "files" list names, plus
// package.json. An edit to lib/ (or a new prebuild) makes a new key, so a stale
// tarball is never used. Packed into a temporary directory and renamed into
// place, so two processes packing at once both end with a whole tarball.
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.join(__dirname, '..', '..', '..');
const cacheRoot = path.join(repo, 'build', 'test-pack');

/** path, size and mtime of every file under `entry` (a file or a directory), sorted. */
function fileStamps(entry, out) {
  let stat;
  try {
    stat = fs.statSync(path.join(repo, entry));
  } catch {
    return; // a "files" entry that does not exist here (no prebuilds yet)
  }
  if (stat.isDirectory()) {
    for (const name of fs.readdirSync(path.join(repo, entry)).sort()) fileStamps(path.join(entry, name), out);
  } else {
    out.push(`${entry}\0${stat.size}\0${stat.mtimeMs}`);
  }
}

function packKey() {
  const pkg = fs.readFileSync(path.join(repo, 'package.json'));
  const stamps = [];
  for (const entry of JSON.parse(pkg).files) fileStamps(entry, stamps);
  return createHash('sha256').update(pkg).update(stamps.join('\n')).digest('hex').slice(0, 16);
}

let memo = null;
/** The path of the tarball for this checkout as it is now. */
function packedHookwise() {
  // The ESM declarations are generated files the package ships (npm pack runs them in prepack,
  // which --ignore-scripts below skips).
  require('../../../scripts/esm-declarations').writeDeclarations();
  const dir = path.join(cacheRoot, packKey());
  if (memo && memo.startsWith(dir + path.sep)) return memo;
  const found = fs.existsSync(dir) && fs.readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (found) return (memo = path.join(dir, found));

  fs.mkdirSync(cacheRoot, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheRoot, '.packing-'));
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', staging], {
    cwd: repo,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const filename = JSON.parse(out)[0].filename;
  try {
    fs.renameSync(staging, dir);
  } catch (err) {
    // Another process renamed its copy into place first: use that one.
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    fs.rmSync(staging, { recursive: true, force: true });
  }
  // Older keys are tarballs of earlier states of the tree: keep only this one.
  for (const name of fs.readdirSync(cacheRoot)) {
    if (name !== path.basename(dir) && !name.startsWith('.packing-')) fs.rmSync(path.join(cacheRoot, name), { recursive: true, force: true });
  }
  return (memo = path.join(dir, filename));
}

module.exports = { packedHookwise };
