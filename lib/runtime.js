'use strict';
// What the JS layer needs from the runtime it runs in, found at call time and
// never at module scope: hookwise/portable is evaluated by runtimes without
// Node built-ins (workerd, Vercel Edge, Convex's default runtime, browsers),
// and some of them (workerd) forbid random values at global scope.
//
// nodeBuiltin(name) is Node's own module (node:crypto, …) where the runtime
// has one — Node, Bun, Deno, workerd with nodejs_compat — and null elsewhere.
// It asks process.getBuiltinModule (Node 20.16+, 22.3+, Bun, Deno) first, then
// a CommonJS require; a bundle for a runtime without either (esbuild turns
// `require` into a throwing shim) gets null from the catch.

const cache = new Map();

function loadBuiltin(name) {
  const proc = globalThis.process;
  if (proc && typeof proc.getBuiltinModule === 'function') {
    try {
      const mod = proc.getBuiltinModule(`node:${name}`);
      if (mod) return mod;
    } catch {
      // Fall through to require.
    }
  }
  try {
    // eslint-disable-next-line global-require -- a variable id: bundlers leave it alone.
    return typeof require === 'function' ? require(`node:${name}`) : null;
  } catch {
    return null;
  }
}

function nodeBuiltin(name) {
  if (!cache.has(name)) cache.set(name, loadBuiltin(name));
  return cache.get(name);
}

// globalThis.crypto (WebCrypto) where the runtime exposes it (every one we
// support but Node 18 without --experimental-global-webcrypto), else Node's.
function webCrypto() {
  const web = globalThis.crypto;
  if (web && web.subtle) return web;
  const nodeCrypto = nodeBuiltin('crypto');
  if (nodeCrypto && nodeCrypto.webcrypto && nodeCrypto.webcrypto.subtle) return nodeCrypto.webcrypto;
  throw new Error('hookwise: this runtime has no WebCrypto (globalThis.crypto.subtle), which hookwise/portable needs');
}

// An unguessable id (a fencing token): a random UUID, made when asked.
function randomUUID() {
  const c = webCrypto();
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// process.env where there is one (Node, Bun, Deno's node compat, Convex), else {}.
function environment() {
  const proc = globalThis.process;
  return proc && proc.env && typeof proc.env === 'object' ? proc.env : {};
}

module.exports = { nodeBuiltin, webCrypto, randomUUID, environment };
