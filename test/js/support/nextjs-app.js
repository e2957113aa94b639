'use strict';
// Builds a Next.js example (examples/nextjs-membership by default, or
// examples/nextjs-orders) with the real `next build` and serves it with
// `next start` on 127.0.0.1, or copies its `output: 'standalone'` build to an
// empty directory and runs that copy's server.js, for
// test/js/nextjs-membership.test.js and test/js/nextjs-orders.test.js.
//
// The app is copied to a temporary directory, never built in the repo tree.
// Its node_modules/hookwise is this checkout's `npm pack` tarball (one per
// state of the tree, shared by the test files: ./packed-hookwise.js), unpacked —
// real files, exactly what the package publishes, as npm installs it — because
// that decides whether Next.js bundles the package or leaves it to require(),
// and what Next.js's file tracing can find (a symlink to this checkout would
// make Next.js treat hookwise as project source, and trace the repo's files).
// When the tarball holds no prebuilt binary for this platform, the addon this
// checkout built is put where hookwise's install script would have built it.
// next, react and react-dom, and the example's other dependencies (stripe,
// better-sqlite3, pg), are symlinks to this repo's devDependencies: nothing is
// installed from the network.
// Turbopack refuses files outside its root directory (the nearest lockfile's
// directory by default), so the copy's next.config.js wraps the example's and
// sets turbopack.root to a directory holding both the copy and those
// symlinks' targets; everything else is the example's own config.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, inCI } = require('./services');
const { packedHookwise } = require('./packed-hookwise');

const repo = path.join(__dirname, '..', '..', '..');
const DEFAULT_EXAMPLE = 'nextjs-membership';
const addonFiles = ['hookwise.node', 'hookwise.build.json'];
const PLATFORM = `${process.platform}-${process.arch}`;

/** Whether `pkg` (a checkout or an installed hookwise) has a prebuilt binary for this platform. */
function hasPrebuild(pkg) {
  const dir = path.join(pkg, 'prebuilds', PLATFORM);
  return fs.existsSync(dir) && fs.readdirSync(dir).some((name) => name.endsWith('.node'));
}

/** build/Release/hookwise.node of this checkout, or null. */
function localAddon() {
  const file = path.join(repo, 'build', 'Release', 'hookwise.node');
  return fs.existsSync(file) ? file : null;
}
const FRAMEWORK = ['next', 'react', 'react-dom'];

function resolvePackage(name) {
  // Where require() from the repo would find it, by directory: `exports` need
  // not expose package.json (stripe's does not).
  for (let dir = repo; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * null when the example can be built here, else why not. Under CI=true a
 * reason is fatal, as for the database servers in ./services.js.
 */
function unavailable() {
  let reason = null;
  const missing = FRAMEWORK.filter((name) => !resolvePackage(name));
  if (missing.length > 0) {
    reason = `${missing.join(', ')} not installed (devDependencies in package.json; run npm install)`;
  } else if (!localAddon() && !hasPrebuild(repo)) {
    reason = `the native addon is not built (npm run build:addon) and prebuilds/${PLATFORM}/ holds no .node file`;
  }
  if (reason && inCI()) throw new Error(`CI=true but the Next.js example cannot be built: ${reason}`);
  return reason;
}

/** The deepest directory containing every one of `dirs`. */
function commonAncestor(dirs) {
  const split = dirs.map((d) => path.resolve(d).split(path.sep));
  const first = split[0];
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n += 1;
  return first.slice(0, n).join(path.sep) || path.sep;
}

/**
 * hookwise as `npm install <tarball>` leaves it: the packed files, plus the
 * addon in build/Release when no prebuild matches this platform (what the
 * install script builds then). Returns the package directory.
 */
function installHookwise(modules) {
  const target = path.join(modules, 'hookwise');
  const staging = fs.mkdtempSync(path.join(modules, '.unpack-'));
  execFileSync('tar', ['-xzf', packedHookwise(), '-C', staging]);
  fs.renameSync(path.join(staging, 'package'), target);
  fs.rmdirSync(staging);
  if (!hasPrebuild(target)) {
    fs.mkdirSync(path.join(target, 'build', 'Release'), { recursive: true });
    for (const file of addonFiles) {
      const from = path.join(repo, 'build', 'Release', file);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(target, 'build', 'Release', file));
    }
  }
  return target;
}

/** Every .node file under `dir`, relative to it, sorted. */
function nodeFiles(dir) {
  const found = [];
  const walk = (sub) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.node')) found.push(rel);
    }
  };
  walk('');
  return found.sort();
}

/** The example's dependencies other than hookwise, from its package.json. */
function exampleDependencies(example) {
  const pkg = JSON.parse(fs.readFileSync(path.join(example, 'package.json'), 'utf8'));
  return Object.keys(pkg.dependencies ?? {}).filter((name) => name !== 'hookwise');
}

/**
 * Copies examples/<example> (default nextjs-membership) to a temporary
 * directory, adds `extraFiles` ({ relativePath: text }, test-only routes), and
 * installs its dependencies as described above. `config` is added to the
 * example's next.config.js (e.g. { output: 'standalone' }). Returns the directory.
 */
function prepare(extraFiles = {}, config = {}, { example: name = DEFAULT_EXAMPLE } = {}) {
  const example = path.join(repo, 'examples', name);
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-nextjs-')));
  // Leftovers from running the example in place are not part of it.
  const skip = new Set(['node_modules', '.next', '.hookwise', '.data']);
  fs.cpSync(example, dir, { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  for (const [file, text] of Object.entries(extraFiles)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  installHookwise(modules);
  const targets = [dir];
  for (const dep of new Set([...FRAMEWORK, ...exampleDependencies(example)])) {
    const found = resolvePackage(dep);
    if (!found) throw new Error(`${name} depends on ${dep}, which is not installed in this repo (devDependencies in package.json)`);
    const real = fs.realpathSync(found);
    fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    fs.symlinkSync(real, path.join(modules, dep), 'dir');
    targets.push(real);
  }
  fs.renameSync(path.join(dir, 'next.config.js'), path.join(dir, 'next.config.example.js'));
  fs.writeFileSync(
    path.join(dir, 'next.config.js'),
    "const config = require('./next.config.example.js');\n" +
      `module.exports = { ...config, ...${JSON.stringify(config)}, turbopack: { ...config.turbopack, root: ${JSON.stringify(commonAncestor(targets))} } };\n`,
  );
  return dir;
}

/** Runs `node <args>` in `dir`; its output accumulates in `child.output`. */
function node(dir, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stop() also ends any worker `next` forks.
    detached: true,
  });
  child.output = '';
  const collect = (chunk) => {
    child.output += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/** Runs `next <args>` in `dir`. */
function next(dir, args, env) {
  return node(dir, [path.join(dir, 'node_modules', 'next', 'dist', 'bin', 'next'), ...args], env);
}

const running = new Set();
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {}
}
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

/** The environment without the webhook secret, as on a build machine. */
function buildEnv() {
  const env = { ...process.env };
  delete env.STRIPE_WEBHOOK_SECRET;
  delete env.NODE_OPTIONS; // node --test's own flags must not reach `next`
  delete env.HOOKWISE_NATIVE_BINARY; // the app loads the addon its own install has, wherever it runs
  return env;
}

/**
 * `next build`; resolves with its output, rejects with it when the build
 * fails or takes longer than `timeoutMs` (a hung build must not hang the suite).
 */
async function build(dir, timeoutMs = 300_000) {
  const child = next(dir, ['build'], buildEnv());
  running.add(child);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child, 'SIGKILL');
  }, timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  running.delete(child);
  if (timedOut) throw new Error(`next build did not finish within ${timeoutMs} ms:\n${child.output}`);
  if (code !== 0) throw new Error(`next build failed (${signal ?? `exit code ${code}`}):\n${child.output}`);
  return child.output;
}

/**
 * Resolves once the server `child` (called `name` in errors) answers HTTP on
 * `url`, with { url, pid, output(), stop() }.
 */
async function serving(name, child, url, timeoutMs) {
  running.add(child);
  let exited = null;
  child.exited.then((status) => {
    exited = status;
  });
  const stop = async () => {
    if (!running.delete(child)) return;
    if (exited) return;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await child.exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      running.delete(child);
      throw new Error(`${name} exited (${exited.signal ?? `exit code ${exited.code}`}) before answering:\n${child.output}`);
    }
    try {
      await fetch(`${url}/api/events`);
      break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer on ${url} within ${timeoutMs} ms:\n${child.output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, pid: child.pid, output: () => child.output, stop };
}

/** `next start` in `dir` on a free 127.0.0.1 port with `env` added. See serving(). */
async function start(dir, env, timeoutMs = 60_000) {
  const port = await freePort();
  const child = next(dir, ['start', '--hostname', '127.0.0.1', '--port', String(port)], { ...buildEnv(), ...env });
  return serving('next start', child, `http://127.0.0.1:${port}`, timeoutMs);
}

/**
 * What a Docker image or a deploy gets from an `output: 'standalone'` build
 * of `dir`: `.next/standalone` copied to a new empty directory (symlinks kept
 * as they are, not pointed back at the build), with `.next/static` and
 * `public` beside server.js as Next.js's deployment docs say. Returns
 * { root, appDir }: the copy, and the directory in it holding server.js
 * (below root by the app's path from the tracing root, as in a monorepo).
 */
function copyStandalone(dir) {
  const { relativeAppDir } = JSON.parse(fs.readFileSync(path.join(dir, '.next', 'required-server-files.json'), 'utf8'));
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-standalone-')));
  fs.cpSync(path.join(dir, '.next', 'standalone'), root, { recursive: true, verbatimSymlinks: true });
  const appDir = path.join(root, relativeAppDir);
  fs.cpSync(path.join(dir, '.next', 'static'), path.join(appDir, '.next', 'static'), { recursive: true });
  if (fs.existsSync(path.join(dir, 'public'))) fs.cpSync(path.join(dir, 'public'), path.join(appDir, 'public'), { recursive: true });
  return { root, appDir };
}

/** Symlinks under `root` whose target is outside it: [{ link, target }]. */
function linksLeaving(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = path.resolve(dir, fs.readlinkSync(file));
        if (path.relative(root, target).startsWith('..')) out.push({ link: path.relative(root, file), target });
      } else if (entry.isDirectory()) {
        walk(file);
      }
    }
  };
  walk(root);
  return out;
}

/**
 * `node server.js` in a standalone copy's `appDir` (see copyStandalone), on a
 * free port with PORT and HOSTNAME=127.0.0.1, `env` added. See serving().
 */
async function startStandalone(appDir, env, timeoutMs = 60_000) {
  const port = await freePort();
  const child = node(appDir, ['server.js'], { ...buildEnv(), ...env, PORT: String(port), HOSTNAME: '127.0.0.1' });
  return serving('node server.js', child, `http://127.0.0.1:${port}`, timeoutMs);
}

/**
 * The .node files mapped into process `pid` and its descendants, from
 * /proc/<pid>/maps (real paths: the kernel resolves symlinks); null where
 * there is no /proc.
 */
function mappedAddons(pid) {
  if (!fs.existsSync(`/proc/${pid}/maps`)) return null;
  const files = new Set();
  const visit = (p) => {
    let maps = '';
    try {
      maps = fs.readFileSync(`/proc/${p}/maps`, 'utf8');
    } catch {
      return; // exited meanwhile
    }
    for (const line of maps.split('\n')) {
      const file = line.slice(line.indexOf('/'));
      if (line.includes('/') && file.endsWith('.node')) files.add(file);
    }
    for (const task of fs.readdirSync(`/proc/${p}/task`)) {
      let children = '';
      try {
        children = fs.readFileSync(`/proc/${p}/task/${task}/children`, 'utf8');
      } catch {}
      for (const child of children.split(' ').filter(Boolean)) visit(child);
    }
  };
  visit(pid);
  return [...files].sort();
}

module.exports = {
  PLATFORM,
  unavailable,
  prepare,
  installHookwise,
  nodeFiles,
  build,
  start,
  copyStandalone,
  linksLeaving,
  startStandalone,
  mappedAddons,
  resolvePackage,
  commonAncestor,
};
