// Ack-first delivery in Convex for test/js/convex-ack-first.test.js, written as an app would:
// the httpAction (here an action taking the delivery, so the test can call it) records the
// event through ConvexStore, answers, and hands the run to a scheduled internal action
// (ctx.scheduler.runAfter(0, …)) that drains the store. `runs` records each handler run in a
// table, so the test counts them from the database. `fail` makes the handler throw.
import { actionGeneric, anyApi, internalActionGeneric, mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';
import { createWebhookHandler } from '../../../../lib/portable.mjs';
import { ConvexStore } from '../../../../lib/convex/index.mjs';

const SECRET = 'whsec_convex_ack_first';

function webhooksFor(ctx, options = {}) {
  return createWebhookHandler({
    secret: SECRET,
    store: new ConvexStore({ ctx, functions: anyApi.hookwise }),
    delivery: 'ack-first',
    retry: false,
    maxAttempts: 3,
    logger: {},
    ...options,
  }).on('invoice.paid', async (event) => {
    await ctx.runMutation(anyApi.ackFirst.recordRun, { eventId: event.id });
    const failing = await ctx.runQuery(anyApi.ackFirst.failing, {});
    if (failing) throw new Error('not yet');
  });
}

// The httpAction's body: `schedule: false` stands for a process that died right after the 200.
export const receive = actionGeneric({
  args: { body: v.string(), header: v.string(), schedule: v.boolean() },
  handler: async (ctx, { body, header, schedule }) => {
    const webhooks = webhooksFor(ctx, {
      after: schedule ? () => ctx.scheduler.runAfter(0, anyApi.ackFirst.work, {}) : () => {},
    });
    const response = await webhooks.fetch(new Request('https://example.convex.site/stripe', { method: 'POST', body, headers: { 'stripe-signature': header } }));
    return { status: response.status, body: await response.json() };
  },
});

// The worker: scheduled by receive, or run by a cron (crons.interval(…, internal.ackFirst.work)).
export const work = internalActionGeneric({
  args: {},
  handler: async (ctx) => {
    const results = await webhooksFor(ctx).drain();
    return results.map((r) => ({ eventId: r.eventId, outcome: r.outcome, attempt: r.attempt }));
  },
});

export const recordRun = mutationGeneric({
  args: { eventId: v.string() },
  handler: async (ctx, { eventId }) => {
    await ctx.db.insert('ack_runs', { eventId });
    return null;
  },
});

export const runs = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query('ack_runs').collect()).map((r) => r.eventId),
});

export const failing = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query('ack_flags').first())?.failing ?? false,
});

export const setFailing = mutationGeneric({
  args: { failing: v.boolean() },
  handler: async (ctx, { failing }) => {
    const doc = await ctx.db.query('ack_flags').first();
    if (doc) await ctx.db.patch(doc._id, { failing });
    else await ctx.db.insert('ack_flags', { failing });
    return null;
  },
});
