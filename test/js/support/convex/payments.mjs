// The app's own table write that the webhook handler makes (convex/payments.ts).
import { internalMutationGeneric } from 'convex/server';
import { v } from 'convex/values';

export const record = internalMutationGeneric({
  args: { eventId: v.string(), invoiceId: v.string(), amount: v.number() },
  handler: async (ctx, args) => {
    await ctx.db.insert('payments', args);
  },
});
