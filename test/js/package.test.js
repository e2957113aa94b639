'use strict';
// How the package loads: CommonJS, ESM named exports, the loader's message
// when the addon is missing (an error with HOOKWISE_IMPLEMENTATION=native, a
// warning before the portable fallback otherwise).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

test('ESM named exports work through the package name', () => {
  const code = `
    import { constructEvent, webhooks, SignatureVerificationError, generateTestHeaderString } from 'hookwise';
    import hookwise from 'hookwise';
    const h = generateTestHeaderString({ payload: '{"id":"evt_esm"}', secret: 'whsec_x' });
    console.log(constructEvent('{"id":"evt_esm"}', h, 'whsec_x').id, typeof webhooks.constructEventAsync,
      typeof SignatureVerificationError, hookwise.constructEvent === constructEvent);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'evt_esm function function true');
});

test('every name exported by CommonJS is exported by ESM too', () => {
  const cjsNames = Object.keys(require(root)).sort();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    "import * as m from 'hookwise'; console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))"],
  { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepStrictEqual(JSON.parse(r.stdout), cjsNames);
});

test('a missing addon gives a message that says what to run', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-noaddon-'));
  try {
    fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    const r = spawnSync(process.execPath, ['-e', "require('./lib/index.js')"], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, HOOKWISE_IMPLEMENTATION: 'native' },
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /HOOKWISE_NATIVE_UNAVAILABLE/);
    assert.match(r.stderr, /native addon could not be loaded/);
    assert.match(r.stderr, /npm rebuild hookwise/);
    assert.match(r.stderr, /apt-get install/);
    assert.doesNotMatch(r.stderr, /bundle/); // only a bundled copy is told to leave hookwise out of the bundle
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an addon built for another platform is refused with that reason', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-otheraddon-'));
  try {
    fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
    fs.copyFileSync(path.join(root, 'build', 'Release', 'hookwise.node'), path.join(dir, 'build', 'Release', 'hookwise.node'));
    fs.writeFileSync(path.join(dir, 'build', 'Release', 'hookwise.build.json'),
      JSON.stringify({ node: 'v18.0.0', platform: 'win32', arch: 'arm64' }));
    const r = spawnSync(process.execPath, ['-e', "require('./lib/index.js')"], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, HOOKWISE_IMPLEMENTATION: 'native' },
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /built for win32-arm64/);
    // Without HOOKWISE_IMPLEMENTATION: the portable implementation, after one warning with that reason.
    const fallback = spawnSync(process.execPath, ['-e', "console.log(require('./lib/index.js').implementation)"], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, HOOKWISE_IMPLEMENTATION: '' },
    });
    assert.equal(fallback.status, 0, fallback.stderr);
    assert.equal(fallback.stdout.trim(), 'portable');
    assert.match(fallback.stderr, /built for win32-arm64/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
