'use strict';
// index.d.ts and portable.d.ts are checked by compiling test/types/**/*.ts with tsc (typescript is a
// devDependency). Those files use @ts-expect-error for what must not compile and exact type
// equality checks for what handlers receive, so a type that is too loose fails as surely as one
// that is too strict. The typed handlers are compiled against stripe-node 23 (devDependency
// `stripe`), against stripe-node 22 (devDependency `stripe-v22`, path-mapped), under
// moduleResolution "bundler", and without any stripe-node at all (a temporary directory).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const typesDir = path.join(root, 'test', 'types');
const tsc = require.resolve('typescript/bin/tsc');
// The ESM twins are build output: written here (if missing or stale) before anything compiles against them.
require('../../scripts/esm-declarations').writeDeclarations();

function compile(project) {
  const r = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${project}\n${r.stdout}${r.stderr}`);
}

test('index.d.ts compiles against its usage examples (stripe-node 23, node16 resolution)', () => {
  compile(path.join(typesDir, 'tsconfig.json'));
});

test('typed handlers under moduleResolution "bundler" (stripe-node 23 ESM declarations)', () => {
  compile(path.join(typesDir, 'tsconfig.bundler.json'));
});

test('ES module apps on node16 and nodenext resolve the .d.mts declarations of every entry (stripe-node ESM on both sides)', () => {
  compile(path.join(typesDir, 'tsconfig.esm-node16.json'));
  compile(path.join(typesDir, 'tsconfig.esm-nodenext.json'));
});

test('the .d.mts declarations are generated twins of the .d.ts ones, git-ignored (scripts/esm-declarations.js)', () => {
  const { expected } = require('../../scripts/esm-declarations');
  for (const { to, text } of expected()) {
    assert.equal(fs.readFileSync(path.join(root, to), 'utf8'), text, to);
    const ignored = spawnSync('git', ['check-ignore', '-q', to], { cwd: root });
    if (ignored.error === undefined && fs.existsSync(path.join(root, '.git'))) assert.equal(ignored.status, 0, `${to} must be git-ignored build output`);
  }
});

test('the same files against stripe-node 22 (the previous major)', () => {
  const v22 = require(path.join(root, 'node_modules', 'stripe-v22', 'package.json')).version;
  assert.match(v22, /^22\./);
  compile(path.join(typesDir, 'tsconfig.stripe-v22.json'));
});

test('with pg\'s types present, ctx.client of a transactional handler is pg\'s PoolClient', () => {
  compile(path.join(typesDir, 'tsconfig.pg-typed.json'));
});

test('without stripe-node installed the declarations still compile (skipLibCheck: false), handlers untyped', (t) => {
  // A directory with no node_modules/stripe anywhere above it: hookwise's declarations copied in
  // (a symlink would resolve back into this repository, next to its stripe), every other
  // dependency the test files import linked.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-types-nostripe-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const nm = path.join(dir, 'node_modules');
  fs.mkdirSync(nm);
  for (const name of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (name === 'stripe' || name === 'stripe-v22' || name === 'hookwise' || name.startsWith('.')) continue;
    fs.symlinkSync(path.join(root, 'node_modules', name), path.join(nm, name));
  }
  const pkg = path.join(nm, 'hookwise');
  // Every declaration file the package has (so a new entry's types cannot be forgotten here).
  const declarations = (dir) =>
    fs.readdirSync(path.join(root, dir), { recursive: true }).filter((f) => /\.d\.m?ts$/.test(f)).map((f) => path.join(dir, f));
  const rootDeclarations = fs.readdirSync(root).filter((f) => /\.d\.m?ts$/.test(f));
  for (const file of ['package.json', ...rootDeclarations, ...declarations('lib')]) {
    fs.mkdirSync(path.dirname(path.join(pkg, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(pkg, file));
  }
  const tests = path.join(dir, 'types');
  fs.mkdirSync(path.join(tests, 'no-stripe'), { recursive: true });
  for (const f of fs.readdirSync(typesDir).filter((f) => f.endsWith('.ts'))) fs.copyFileSync(path.join(typesDir, f), path.join(tests, f));
  for (const f of fs.readdirSync(path.join(typesDir, 'no-stripe'))) fs.copyFileSync(path.join(typesDir, 'no-stripe', f), path.join(tests, 'no-stripe', f));
  const config = JSON.parse(fs.readFileSync(path.join(typesDir, 'tsconfig.json'), 'utf8'));
  config.include = ['*.ts', 'no-stripe/*.ts', 'no-stripe/*.mts'];
  fs.writeFileSync(path.join(tests, 'tsconfig.json'), JSON.stringify(config));
  // no-stripe/untyped-handlers.ts itself asserts (@ts-expect-error) that 'stripe' does not resolve.
  compile(path.join(tests, 'tsconfig.json'));
});
