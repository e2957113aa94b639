'use strict';
// convex-test's `edge-runtime` environment under node:test: Node's web globals
// replaced by the edge runtime's (the ones Convex's default runtime offers)
// for the duration of `fn`, then put back.
const assert = require('node:assert/strict');
const { EdgeRuntime } = require('edge-runtime');

const NAMES = ['Request', 'Response', 'Headers', 'fetch', 'crypto', 'TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams',
  'ReadableStream', 'WritableStream', 'TransformStream', 'Blob', 'FormData', 'AbortController', 'AbortSignal', 'atob', 'btoa'];

/** Runs `fn(edgeContext)` with the edge runtime's globals; resolves with its result. */
async function withEdgeGlobals(fn) {
  const edge = new EdgeRuntime().context;
  const saved = new Map(NAMES.map((n) => [n, Object.getOwnPropertyDescriptor(globalThis, n)]));
  for (const n of NAMES) {
    assert.ok(edge[n], `edge-runtime has ${n}`);
    Object.defineProperty(globalThis, n, { value: edge[n], writable: true, configurable: true, enumerable: false });
  }
  try {
    return await fn(edge);
  } finally {
    for (const [n, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, n, descriptor);
      else delete globalThis[n];
    }
  }
}

module.exports = { withEdgeGlobals };
