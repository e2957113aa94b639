// Compile-time checks of hookwise/convex (tsc --noEmit, run by test/js/types.test.js), as
// an ES module: hookwise/convex is ESM only, and Convex projects compile their
// functions as ES modules. Its declarations must link to the same convex/server
// declarations (convex's esm-types) as the app's own imports: TableDefinition is a
// class, so a copy from convex's cjs-types would not fit the app's defineSchema.
import type { Store } from 'hookwise';
import { ConvexStore, hookwiseTables, claim } from 'hookwise/convex';
import { defineSchema, defineTable, anyApi, actionGeneric } from 'convex/server';
import { v } from 'convex/values';

const schema = defineSchema({ ...hookwiseTables, users: defineTable({ name: v.string() }) });
export const webhookAction = actionGeneric({
  args: {},
  handler: async (ctx) => {
    const store: Store = new ConvexStore({ ctx, functions: anyApi.hookwise as any });
    return (await store.claim('evt_1', { type: 't', created: 1, leaseMs: 1 })).status;
  },
});
// @ts-expect-error: a ctx is required
new ConvexStore({ functions: anyApi.hookwise as any });
const registered = claim;

void [schema, registered];
