'use strict';
// The prebuilt binaries that ship in the npm package (scripts/prebuild.js):
// self-contained (nothing needed beyond the C runtime, only the Node-API
// entry points exported, no glibc symbol newer than 2.31) and working where
// that promise matters: loaded by official Node binaries on glibc 2.31 itself
// (Debian 11's C library from the build sysroot, through its own dynamic
// loader; arm64 under qemu-user), where they verify what stripe-node signs and
// keep a SqliteStore. The clean-machine test installs the packed tarball into
// a Debian root; this one checks each binary directly and quickly.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const MAX_GLIBC = [2, 31];
const ENTRY_POINTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];
const ALLOWED_NEEDED = /^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|libgcc_s\.so\.1|ld-linux-(x86-64|aarch64)\.so\.[12])$/;
const WEAK_TOOLCHAIN_HOOKS = new Set(['__gmon_start__', '_ITM_registerTMCloneTable', '_ITM_deregisterTMCloneTable', '__cxa_pure_virtual']);

const ARCHES = {
  x64: { debian: 'amd64', loader: 'lib64/ld-linux-x86-64.so.2', triplet: 'x86_64-linux-gnu', nodes: ['18', '24'] },
  arm64: { debian: 'arm64', triplet: 'aarch64-linux-gnu', nodes: ['22'] },
};

function prebuildOf(arch) {
  return path.join(root, 'prebuilds', `linux-${arch}`, 'hookwise.glibc.node');
}

// In CI the prebuilds are made before the tests (scripts/test.sh); a missing
// one there is a failure, not a skip.
function missing(arch) {
  if (fs.existsSync(prebuildOf(arch))) return false;
  if (process.env.CI) throw new Error(`${prebuildOf(arch)} is missing: npm test runs npm run prebuild first`);
  return `no prebuild for linux-${arch} (run npm run prebuild)`;
}

function run(cmd, args, options = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
}

/** readelf --dyn-syms rows: { bind, ndx, name, version } */
function dynamicSymbols(file) {
  const out = execFileSync('readelf', ['--dyn-syms', '--wide', file], { encoding: 'utf8' });
  const rows = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^\d+:$/.test(f[0])) continue;
    const [name, version] = f[7].split(/@+/);
    rows.push({ bind: f[4], ndx: f[6], name, version: version?.replace(/\s*\(\d+\)$/, '') });
  }
  return rows;
}

function glibcVersion(v) {
  return v.replace(/^GLIBC_/, '').split('.').map(Number);
}

function newerThan(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return false;
}

// What the child does with the prebuild, under a given Node: verification
// cross-checked with stripe-node, constructEvent, a SqliteStore round trip.
const SMOKE = `
  const assert = require('node:assert/strict');
  const hookwise = require(process.env.HOOKWISE_ROOT);
  const Stripe = require(require.resolve('stripe', { paths: [process.env.HOOKWISE_ROOT] }));
  const secret = 'whsec_prebuild_smoke';
  const payload = JSON.stringify({ id: 'evt_prebuild', object: 'event', type: 'invoice.paid', created: 1700000000,
    data: { object: { id: 'in_1', object: 'invoice', lines: 'x'.repeat(3000) } } });
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  assert.deepStrictEqual(hookwise.constructEvent(Buffer.from(payload), header, secret), JSON.parse(payload));
  assert.throws(() => hookwise.constructEvent(payload, header, 'whsec_other'), { code: 'signature_mismatch' });
  const store = new hookwise.SqliteStore({ path: process.env.HOOKWISE_DB });
  (async () => {
    const claim = await store.claim('evt_prebuild', { type: 'invoice.paid', created: 1700000000, leaseMs: 60000 });
    assert.equal(claim.status, 'acquired');
    assert.equal(await store.complete('evt_prebuild', claim.token), true);
    assert.equal((await store.claim('evt_prebuild', { type: 'invoice.paid', created: 1700000000, leaseMs: 60000 })).status, 'duplicate');
    await store.close();
    console.log('smoke ok', process.version, process.arch);
  })().catch((err) => { console.error(err); process.exit(1); });`;

for (const [arch, target] of Object.entries(ARCHES)) {
  describe(`prebuilds/linux-${arch}`, () => {
    const skip = missing(arch);

    it('needs nothing beyond the C runtime', { skip }, () => {
      const out = execFileSync('readelf', ['-d', prebuildOf(arch)], { encoding: 'utf8' });
      const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
      assert.ok(needed.includes('libc.so.6'), `readelf shows no libc.so.6 among ${needed}`);
      for (const lib of needed) assert.match(lib, ALLOWED_NEEDED, `needs ${lib}`);
    });

    it('exports only the Node-API entry points (no OpenSSL, SQLite, libsodium, simdjson or libstdc++ symbol)', { skip }, () => {
      const defined = dynamicSymbols(prebuildOf(arch)).filter((s) => s.ndx !== 'UND' && s.bind !== 'LOCAL');
      assert.deepEqual([...new Set(defined.map((s) => s.name))].sort(), [...ENTRY_POINTS].sort());
    });

    it(`asks for no glibc symbol newer than ${MAX_GLIBC.join('.')} and imports nothing unversioned but Node-API`, { skip }, () => {
      const undefinedSymbols = dynamicSymbols(prebuildOf(arch)).filter((s) => s.ndx === 'UND' && s.name);
      assert.ok(undefinedSymbols.some((s) => s.version?.startsWith('GLIBC_')), 'no versioned glibc import seen: the check would be vacuous');
      for (const s of undefinedSymbols) {
        if (s.version?.startsWith('GLIBC_')) {
          assert.ok(!newerThan(glibcVersion(s.version), MAX_GLIBC), `${s.name}@${s.version} is newer than glibc ${MAX_GLIBC.join('.')}`);
        } else {
          assert.ok(
            /^(napi_|node_api_)/.test(s.name) || (s.bind === 'WEAK' && WEAK_TOOLCHAIN_HOOKS.has(s.name)),
            `${s.name} is imported without a version: on an older glibc it would be unresolved`,
          );
        }
      }
    });

    for (const major of target.nodes) {
      it(`loads and works under official Node ${major} on Debian 11's glibc 2.31`, { skip }, () => {
        const sysroot = execFileSync('bash', [path.join(root, 'scripts', 'sysroot.sh'), target.debian], { encoding: 'utf8' }).trim();
        const node = execFileSync('bash', [path.join(root, 'scripts', 'registry-node.sh'), major, arch], { encoding: 'utf8' }).trim();
        const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-prebuild-')), 'events.db');
        const env = { ...process.env, HOOKWISE_ROOT: root, HOOKWISE_DB: db, HOOKWISE_NATIVE_BINARY: prebuildOf(arch) };
        const libPath = [`${sysroot}/lib/${target.triplet}`, `${sysroot}/usr/lib/${target.triplet}`].join(':');
        let r;
        if (arch === process.arch) {
          // The sysroot's own dynamic loader: the whole process runs on glibc 2.31.
          r = run(path.join(sysroot, target.loader), ['--library-path', libPath, node, '-e', SMOKE], { env });
        } else {
          const qemu = `qemu-${arch === 'arm64' ? 'aarch64' : 'x86_64'}-static`;
          if (run('sh', ['-c', `command -v ${qemu}`]).status !== 0) {
            if (process.env.CI) assert.fail(`${qemu} is missing (scripts/setup.sh installs qemu-user-static)`);
            return;
          }
          r = run(qemu, ['-L', sysroot, node, '-e', SMOKE], { env });
        }
        fs.rmSync(path.dirname(db), { recursive: true, force: true });
        assert.equal(r.status, 0, `exit ${r.status} signal ${r.signal}\n${r.stderr.slice(-3000)}`);
        assert.match(r.stdout, new RegExp(`smoke ok v${major}\\.\\d+\\.\\d+ ${arch}`));
      });
    }
  });
}
