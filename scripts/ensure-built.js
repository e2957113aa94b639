#!/usr/bin/env node
'use strict';
// Runs before `npm run demo` (the `predemo` script) so that README's first
// command works on a fresh clone: if the addon is not built yet, install what
// building it needs (system packages through scripts/setup.sh, then the npm
// dependencies, whose install step builds the addon). Does nothing when the
// addon is already there.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const addon = path.join(root, 'build', 'Release', 'hookwise.node');
const deps = path.join(root, 'node_modules', 'node-addon-api');

function run(command, args) {
  process.stderr.write(`hookwise: ${command} ${args.join(' ')}\n`);
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!fs.existsSync(addon) || !fs.existsSync(deps)) {
  process.stderr.write('hookwise: the native addon is not built yet; building it first (once).\n');
  if (process.platform === 'linux') run('bash', ['scripts/setup.sh']);
  if (!fs.existsSync(deps)) run('npm', ['install', '--no-audit', '--no-fund']);
  else run(process.execPath, ['scripts/build-addon.js']);
}
