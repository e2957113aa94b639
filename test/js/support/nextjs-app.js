'use strict';
// Builds examples/nextjs with the real `next build` and serves it with
// `next start` on 127.0.0.1, for test/js/nextjs-example.test.js.
//
// The app is copied to a temporary directory, never built in the repo tree.
// Its node_modules holds hookwise the way npm installs it — a real directory
// with package.json, lib/ and the built addon — because that is what decides
// whether Next.js bundles the package or leaves it to require() (a symlink to
// this checkout would make Next.js treat hookwise as project source).
// next, react and react-dom are symlinks to this repo's devDependencies.
// Turbopack refuses files outside its root directory (the nearest lockfile's
// directory by default), so the copy's next.config.js wraps the example's and
// sets turbopack.root to a directory holding both the copy and those
// symlinks' targets; everything else is the example's own config.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, inCI } = require('./services');

const repo = path.join(__dirname, '..', '..', '..');
const example = path.join(repo, 'examples', 'nextjs');
const addonFiles = ['hookwise.node', 'hookwise.build.json'];
const FRAMEWORK = ['next', 'react', 'react-dom'];

function resolvePackage(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [repo] }));
  } catch {
    return null;
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
  } else if (!fs.existsSync(path.join(repo, 'build', 'Release', 'hookwise.node'))) {
    reason = 'the native addon is not built (npm run build)';
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

/** hookwise as npm would install it: the published files that run, and the built addon. */
function installHookwise(modules) {
  const target = path.join(modules, 'hookwise');
  fs.mkdirSync(path.join(target, 'build', 'Release'), { recursive: true });
  for (const entry of ['package.json', 'index.d.ts', 'lib']) {
    fs.cpSync(path.join(repo, entry), path.join(target, entry), { recursive: true });
  }
  for (const file of addonFiles) {
    const from = path.join(repo, 'build', 'Release', file);
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(target, 'build', 'Release', file));
  }
}

/**
 * Copies the example to a temporary directory, adds `extraFiles`
 * ({ relativePath: text }, test-only routes), and installs its dependencies
 * as described above. Returns the directory.
 */
function prepare(extraFiles = {}) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-nextjs-')));
  // Leftovers from running the example in place are not part of it.
  const skip = new Set(['node_modules', '.next', '.hookwise']);
  fs.cpSync(example, dir, { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  for (const [file, text] of Object.entries(extraFiles)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  installHookwise(modules);
  const targets = [dir];
  for (const name of FRAMEWORK) {
    const real = fs.realpathSync(resolvePackage(name));
    fs.symlinkSync(real, path.join(modules, name), 'dir');
    targets.push(real);
  }
  fs.renameSync(path.join(dir, 'next.config.js'), path.join(dir, 'next.config.example.js'));
  fs.writeFileSync(
    path.join(dir, 'next.config.js'),
    "const config = require('./next.config.example.js');\n" +
      `module.exports = { ...config, turbopack: { ...config.turbopack, root: ${JSON.stringify(commonAncestor(targets))} } };\n`,
  );
  return dir;
}

/** Runs `next <args>` in `dir`; its output accumulates in `child.output`. */
function next(dir, args, env) {
  const bin = path.join(dir, 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [bin, ...args], {
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
 * `next start` on a free 127.0.0.1 port with `env` added; resolves once it
 * answers HTTP, with { url, output(), stop() }.
 */
async function start(dir, env, timeoutMs = 60_000) {
  const port = await freePort();
  const child = next(dir, ['start', '--hostname', '127.0.0.1', '--port', String(port)], { ...buildEnv(), ...env });
  running.add(child);
  const url = `http://127.0.0.1:${port}`;
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
      throw new Error(`next start exited (${exited.signal ?? `exit code ${exited.code}`}) before answering:\n${child.output}`);
    }
    try {
      await fetch(`${url}/api/events`);
      break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer on ${url} within ${timeoutMs} ms:\n${child.output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, output: () => child.output, stop };
}

module.exports = { unavailable, prepare, build, start, commonAncestor };
