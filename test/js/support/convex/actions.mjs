// A Convex action module for the tests: runs one ConvexStore method inside a
// real action (convex-test), so the store goes through ctx.runMutation /
// ctx.runQuery exactly as in a "use node" action of an app.
import { actionGeneric, anyApi } from 'convex/server';
import { v } from 'convex/values';
import { ConvexStore } from '../../../../lib/convex/index.mjs';

export const call = actionGeneric({
  args: { method: v.string(), args: v.array(v.any()) },
  handler: async (ctx, { method, args }) => {
    const store = new ConvexStore({ ctx, functions: anyApi.hookwise });
    const result = await store[method](...args);
    return result === undefined ? null : result;
  },
});
