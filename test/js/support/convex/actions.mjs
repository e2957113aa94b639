// A Convex action module for the tests: runs one ConvexStore method inside a
// real action (convex-test), so the store goes through ctx.runMutation /
// ctx.runQuery exactly as in a "use node" action of an app. `options` are the
// store's constructor options (beyond ctx and functions); `closed` closes the
// store first (an app's store after close(), which lives for one action here).
import { actionGeneric, anyApi } from 'convex/server';
import { v } from 'convex/values';
import { ConvexStore } from '../../../../lib/convex/index.mjs';

// The error as the caller sees it, across the action boundary (convex-test
// gives the caller a plain Error): name, code and message.
const describeError = (err) => ({ thrown: true, name: err.name, code: err.code ?? null, message: err.message, stack: err.stack });

export const call = actionGeneric({
  args: { method: v.string(), args: v.array(v.any()), options: v.optional(v.any()), closed: v.optional(v.boolean()), module: v.optional(v.string()) },
  handler: async (ctx, { method, args, options, closed, module }) => {
    const functions = module === undefined ? anyApi.hookwise : anyApi[module];
    const store = new ConvexStore({ ctx, functions, ...options });
    if (closed) await store.close();
    try {
      const result = await store[method](...args);
      return { value: result === undefined ? null : result };
    } catch (err) {
      return { error: describeError(err) };
    }
  },
});
