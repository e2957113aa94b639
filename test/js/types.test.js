'use strict';
// index.d.ts is checked by compiling test/types/*.ts with tsc (typescript is a
// devDependency). Those files use @ts-expect-error for what must not compile,
// so a type that is too loose fails as surely as one that is too strict.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

test('index.d.ts compiles against its usage examples', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, '..', 'types')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
