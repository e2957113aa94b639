'use strict';
// The Convex store: hookwise/convex's tables and functions in convex-test's
// in-memory Convex backend, used by ConvexStore from inside real actions.

const { describe, test, before } = require('node:test');
const assert = require('node:assert/strict');
const { storeContract } = require('./support/store-contract');

let convex = null; // the ESM modules, loaded once
before(async () => {
  const [{ convexTest }, server, hookwiseConvex] = await Promise.all([
    import('convex-test'),
    import('convex/server'),
    import('../../lib/convex/index.mjs'),
  ]);
  convex = { convexTest, server, hookwiseConvex };
});

// convex-test finds the functions by module path under the directory holding
// `_generated`: hookwise:<fn> is the app's convex/hookwise.ts re-export of
// hookwise/convex, actions:call is test/js/support/convex/actions.mjs.
function newBackend() {
  const { convexTest, server, hookwiseConvex } = convex;
  const schema = server.defineSchema({ ...hookwiseConvex.hookwiseTables });
  return convexTest(schema, {
    './convex/_generated/api.js': async () => ({}),
    './convex/hookwise.js': async () => hookwiseConvex,
    './convex/actions.js': () => import('./support/convex/actions.mjs'),
  });
}

// A Store whose every method runs ConvexStore (created with `options`) inside
// a Convex action. Errors come back as data and are rebuilt as the error
// class the store threw (StoreError, TypeError, RangeError), so the contract
// suite checks the class, code and message the store gave.
function storeInActions(t, options, { module } = {}) {
  const { StoreError } = require('../../lib/errors');
  // Constructor options are checked where the store is created: here, once, as an app would.
  const { ConvexStore } = convex.hookwiseConvex;
  const probe = new ConvexStore({ ctx: { runMutation() {}, runQuery() {} }, functions: {}, ...options });
  const { anyApi } = convex.server;
  let closed = false;
  const call = (method) => async (...args) => {
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    if (method === 'close') {
      closed = true;
      return undefined;
    }
    const request = { method, args, closed };
    if (options !== undefined) request.options = options;
    if (module !== undefined) request.module = module;
    const { value, error } = await t.action(anyApi.actions.call, request);
    if (error) {
      const Class = error.name === 'StoreError' ? StoreError : error.name === 'TypeError' ? TypeError : error.name === 'RangeError' ? RangeError : Error;
      const err = Class === StoreError ? new StoreError(error.code, error.message) : new Class(error.message);
      if (Class === Error) err.name = error.name;
      throw err;
    }
    return method === 'markApplied' ? undefined : value;
  };
  // The optional capabilities, as ConvexStore itself reports them (the handler feature-detects them).
  const store = probe.atomicOrdering === true ? { atomicOrdering: true } : {};
  for (const m of ['claim', 'complete', 'fail', 'lastApplied', 'markApplied', 'get', 'list', 'requeue', 'purge', 'close', 'billingGet', 'billingFind', 'billingPut']) {
    store[m] = call(m);
  }
  return store;
}

describe('Convex store (convex-test)', () => {
  storeContract('ConvexStore', {
    create: async (options) => storeInActions(newBackend(), options),
    // Functions that are not deployed (a module the backend does not have): every call fails in Convex.
    unreachable: async () => storeInActions(newBackend(), undefined, { module: 'notDeployed' }),
  });

  test('ConvexStore refuses a ctx without runMutation/runQuery and bad arguments', async () => {
    const { ConvexStore } = convex.hookwiseConvex;
    assert.throws(() => new ConvexStore({}), /needs \{ ctx \}/);
    assert.throws(() => new ConvexStore({ ctx: { runMutation() {}, runQuery() {} } }), /needs \{ functions \}/);
    const calls = [];
    const ctx = { runMutation: async (...a) => calls.push(a), runQuery: async (...a) => calls.push(a) };
    const store = new ConvexStore({ ctx, functions: {} });
    await assert.rejects(store.claim('', { type: 't', created: 1, leaseMs: 1 }), /eventId/);
    await assert.rejects(store.claim('evt', { type: 't', created: 1, leaseMs: 0 }), /leaseMs/);
    await assert.rejects(store.fail('evt', 'tok', 'x', 0), /maxAttempts/);
    await assert.rejects(store.list({ limit: 10_001 }), { name: 'RangeError', message: /query.limit must be at most 10000/ });
    assert.equal(calls.length, 0, 'nothing reached Convex');
  });

  test('the tables are plain Convex table definitions for convex/schema.ts', () => {
    const { hookwiseTables } = convex.hookwiseConvex;
    assert.deepEqual(Object.keys(hookwiseTables).sort(), ['hookwise_applied', 'hookwise_billing', 'hookwise_events', 'hookwise_ordering_slots']);
    const schema = convex.server.defineSchema({ ...hookwiseTables, other: convex.server.defineTable({}) });
    assert.ok(schema.tables.hookwise_events);
  });
});
