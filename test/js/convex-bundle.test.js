'use strict';
// hookwise/convex runs inside Convex's own runtime (queries and mutations),
// which is not Node: no require, no process, no Buffer, no node: modules.
// Bundle it as the Convex CLI does (esbuild, platform "browser", conditions
// "convex" and "module") and run the bundle in a bare V8 context with only the
// web globals that runtime has: the module must load, export the functions
// and tables, and apply the shared store argument rules.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const vm = require('node:vm');
const esbuild = require('esbuild');

const entry = path.join(__dirname, '..', '..', 'lib', 'convex', 'index.mjs');

async function bundle(format) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format,
    globalName: format === 'iife' ? 'hookwiseConvex' : undefined,
    target: 'esnext',
    conditions: ['convex', 'module'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

test('hookwise/convex bundles for the Convex runtime without Node built-ins', async () => {
  // esbuild refuses node: imports on the browser platform, so a build that
  // succeeds has none.
  const code = await bundle('esm');
  assert.ok(code.length > 0);
  assert.doesNotMatch(code, /from\s*["']node:/);
});

test('the bundle loads in a bare V8 context and applies the store argument rules', async () => {
  const code = await bundle('iife');
  const context = vm.createContext({ console, TextEncoder, TextDecoder, crypto: globalThis.crypto });
  vm.runInContext(code, context);
  const m = context.hookwiseConvex;
  for (const name of ['claim', 'complete', 'fail', 'lastApplied', 'markApplied', 'get', 'list', 'requeue', 'purge', 'billingGet', 'billingFind', 'billingPut', 'billingState', 'getCustomerState']) {
    assert.equal(typeof m[name], 'function', name);
  }
  assert.deepEqual(Object.keys(m.hookwiseTables).sort(), ['hookwise_applied', 'hookwise_billing', 'hookwise_events', 'hookwise_ordering_slots']);
  const calls = [];
  const ctx = { runMutation: async (...a) => calls.push(a), runQuery: async (...a) => calls.push(a) };
  const store = new m.ConvexStore({ ctx, functions: {} });
  await assert.rejects(store.claim('', { type: 't', created: 1, leaseMs: 1 }), (err) => {
    assert.equal(err.name, 'RangeError');
    assert.match(err.message, /eventId must be 1 to 255 bytes of UTF-8, got 0/);
    return true;
  });
  // Objects made inside the context, as they are in Convex's runtime (the rules
  // check for plain objects of their own realm).
  await assert.rejects(store.list(vm.runInContext('({ limit: 0 })', context)), { name: 'RangeError' });
  await assert.rejects(store.claim('evt_1', vm.runInContext('({ type: "t", created: 1, leaseMs: 0 })', context)), {
    name: 'RangeError',
    message: /meta\.leaseMs must be at least 1/,
  });
  assert.equal(calls.length, 0, 'nothing reached Convex');
});
