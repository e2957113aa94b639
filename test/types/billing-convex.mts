// Compile-time checks of getCustomerState from hookwise/convex (tsc --noEmit, run by
// test/js/types.test.js), as an ES module: hookwise/convex is ESM only (see convex.mts).
import { getCustomerState } from 'hookwise/convex';
import { queryGeneric } from 'convex/server';

// Convex: the app's own query.
export const isPremium = queryGeneric({
  args: {},
  handler: async (ctx) => {
    const state = await getCustomerState(ctx, { userId: 'user_42' }, { graceDays: 3 });
    return state !== null && state.hasAccess;
  },
});
