'use strict';
// For the suites that need node:sqlite (Node 22.13+) while `npm test` runs the
// system node 20: runs a test file again under the official Node 22 binary
// (scripts/registry-node.sh, from the npm registry, cached) and passes only if
// that run passes. Skips with the reason where no such binary can be had.
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..', '..', '..');

/** The body of a node:test test `t` that runs `file` under Node 22 within `timeout` ms. */
function runUnderNode22(t, file, timeout) {
  const found = spawnSync('bash', [path.join(root, 'scripts', 'registry-node.sh'), '22'], { encoding: 'utf8' });
  const node22 = found.stdout.trim();
  if (found.status !== 0 || !node22) {
    t.skip(`no official Node 22 binary here (scripts/registry-node.sh 22: ${found.stderr.trim() || 'failed'})`);
    return;
  }
  // A run of its own, not a subtest of this one (NODE_TEST_CONTEXT would make it report to us).
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(node22, ['--no-warnings', '--test', '--test-reporter=spec', file], { cwd: root, env, encoding: 'utf8', timeout });
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, `Node 22 run failed:\n${output.slice(-8000)}`);
  assert.match(r.stdout, /^ℹ pass [1-9]\d*$/m);
  assert.match(r.stdout, /^ℹ fail 0$/m);
  t.diagnostic(r.stdout.match(/^ℹ tests \d+$/m)[0].slice(2));
}

module.exports = { runUnderNode22 };
