#!/usr/bin/env node
'use strict';
// The package's install script. With a prebuilt binary that loads here it
// does nothing: the package needs no install step at all on those platforms,
// so npm 11's held-back scripts, --ignore-scripts, pnpm and yarn change
// nothing. Otherwise it builds the addon from source (scripts/build-addon.js);
// if that cannot happen it says why and still exits 0, so the install never
// breaks: `require('hookwise')` then falls back to the portable
// implementation with one warning naming the cause.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const INSTALL_ERROR = path.join(root, 'build', 'install-error.txt');

function nativeLoads() {
  // In a child process: a binary that crashes or fails to load must not take
  // the install down with it.
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(root, 'lib', 'native.js'))})`], {
    stdio: 'ignore',
    env: { ...process.env, HOOKWISE_NATIVE_BINARY: '' },
  });
  return r.status === 0;
}

function main() {
  if (process.env.HOOKWISE_SKIP_BUILD === '1') return;
  fs.rmSync(INSTALL_ERROR, { force: true });
  if (nativeLoads()) return;
  const { build, BuildError } = require('./build-addon');
  try {
    build();
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    // lib/native.js repeats this when it cannot load the addon, so the reason
    // reaches the user at run time too, not only in an install log nobody reads.
    fs.mkdirSync(path.join(root, 'build'), { recursive: true });
    fs.writeFileSync(INSTALL_ERROR, `${err.message}\n`);
    process.stderr.write(
      `\n${err.message}\n\nhookwise installed without its native addon: it will run its portable (JavaScript)\n` +
        'implementation, with one warning at startup, until the addon is built (npm rebuild hookwise).\n\n',
    );
    return;
  }
  if (!nativeLoads()) {
    process.stderr.write('\nhookwise: the addon was built but does not load; require("hookwise") will say why.\n\n');
  }
}

main();
