'use strict';
// The crash test for hookwise/convex's transactional handlers
// (defineWebhookMutation + webhookHttpAction, docs/api.md) in convex-test's
// Convex backend. Convex runs no process of ours to SIGKILL; what a crash does
// there is end a function before its transaction commits, or after it
// committed and before its answer got back. So the faults, drawn at random per
// run of the webhook mutation, are:
//   beforeEffect   the mutation dies before the handler's write   (rolled back)
//   afterEffect    it dies after the handler's write, before the completion (rolled back)
//   midCommit      it dies while writing the completion           (rolled back)
//   answerLost     the mutation committed, the httpAction's answer is lost (Stripe sees 502)
//   rerun          Convex runs the committed mutation again (as after a write conflict)
// while an in-process simulated Stripe sends the events with duplicates (some
// at once), out of order, and retries every non-2xx on the compressed schedule
// (stripe-events.js) until each delivery got a 2xx. The ledger is the app's
// table `chaos_ledger`, written by the handler inside the mutation. At the end:
// every event completed, exactly one ledger row per event, every rerun a duplicate.
const { retryDelayMs, eventId, planDeliveries } = require('./stripe-events');

const SECRET = 'whsec_chaos_convex';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why the Convex crash test cannot run in this branch, or null. */
async function convexUnsupported() {
  const convex = await import('../../lib/convex/index.mjs');
  if (typeof convex.defineWebhookMutation !== 'function' || typeof convex.webhookHttpAction !== 'function') {
    return 'hookwise/convex has no defineWebhookMutation / webhookHttpAction in this branch yet';
  }
  return null;
}

class ChaosCrash extends Error {}

async function runConvexChaos(overrides = {}) {
  const o = { events: 300, concurrency: 8, duplicates: 0.1, concurrentShare: 0.5, faultRate: 0.25, answerLostRate: 0.05, rerunRate: 0.1, hourMs: 20, ...overrides };
  const why = await convexUnsupported();
  if (why) return { skipped: why };
  const [{ convexTest }, server, { v }, hookwiseConvex, { generateTestHeaderString }] = await Promise.all([
    import('convex-test'),
    import('convex/server'),
    import('convex/values'),
    import('../../lib/convex/index.mjs'),
    import('../../lib/portable.mjs'),
  ]);
  const { anyApi, httpRouter, httpActionGeneric, defineSchema, defineTable } = server;
  const faults = { beforeEffect: 0, afterEffect: 0, midCommit: 0, midCommitLanded: 0, answerLost: 0, rerun: 0 };
  const rerunOutcomes = {};
  let handlerRuns = 0;

  const FAULTS = ['beforeEffect', 'afterEffect', 'midCommit'];
  async function handler(ctx, event) {
    handlerRuns += 1;
    const fault = Math.random() < o.faultRate ? FAULTS[Math.floor(Math.random() * FAULTS.length)] : null;
    if (fault) faults[fault] += 1;
    if (fault === 'beforeEffect') throw new ChaosCrash('chaos: the mutation died before its effect');
    await ctx.db.insert('chaos_ledger', { eventId: event.id });
    if (fault === 'afterEffect') throw new ChaosCrash('chaos: the mutation died after its effect');
    if (fault === 'midCommit') {
      // The next write of this mutation is hookwise's completion: it dies there.
      for (const m of ['insert', 'patch', 'replace']) {
        ctx.db[m] = async () => {
          faults.midCommitLanded += 1;
          throw new ChaosCrash('chaos: the mutation died writing the completion');
        };
      }
    }
  }
  const apply = hookwiseConvex.defineWebhookMutation({ on: { '*': handler } });

  const quiet = { info() {}, warn() {}, error() {} };
  const inner = hookwiseConvex.webhookHttpAction({
    secret: SECRET,
    mutation: anyApi.chaosApp.apply,
    functions: anyApi.hookwise,
    logger: quiet,
    // Faults are the test's own: never dead-letter for them.
    maxAttempts: 1000,
    retry: { attempts: 1, backoffMs: 1 },
  });
  const http = httpRouter();
  http.route({
    path: '/stripe/webhook',
    method: 'POST',
    handler: httpActionGeneric(async (ctx, request) => {
      const payload = await request.clone().text();
      const response = await inner._handler(ctx, request);
      if (response.status === 200 && Math.random() < o.answerLostRate) {
        faults.answerLost += 1;
        return new Response(JSON.stringify({ error: 'chaos_answer_lost' }), { status: 502 });
      }
      if (response.status === 200 && Math.random() < o.rerunRate) {
        faults.rerun += 1;
        const again = await ctx.runMutation(anyApi.chaosApp.apply, { payload });
        rerunOutcomes[again.outcome] = (rerunOutcomes[again.outcome] ?? 0) + 1;
      }
      return response;
    }),
  });

  const schema = defineSchema({
    ...hookwiseConvex.hookwiseTables,
    chaos_ledger: defineTable({ eventId: v.string() }),
  });
  const t = convexTest(schema, {
    './convex/_generated/api.js': async () => ({}),
    './convex/hookwise.js': async () => hookwiseConvex,
    './convex/chaosApp.js': async () => ({ apply }),
    './convex/http.js': async () => ({ default: http }),
  });

  // The simulated Stripe, in process: deliveries, duplicates, shuffled, retried until a 2xx.
  const runTag = Math.random().toString(16).slice(2, 10);
  const { order: deliveries, duplicates, concurrent } = planDeliveries(runTag, o.events, { duplicateRate: o.duplicates, concurrentShare: o.concurrentShare });
  const stats = { events: o.events, deliveries: deliveries.length, duplicateDeliveries: duplicates, concurrentDuplicates: concurrent, attempts: 0, byStatus: {} };

  const started = Date.now();
  const ready = deliveries.slice();
  let remaining = deliveries.length;
  let inFlight = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  async function attempt(d) {
    inFlight += 1;
    d.attempts += 1;
    stats.attempts += 1;
    const header = generateTestHeaderString({ payload: d.body, secret: SECRET });
    let status;
    try {
      const response = await t.fetch('/stripe/webhook', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: d.body });
      await response.text();
      status = response.status;
    } catch {
      status = 'error';
    }
    inFlight -= 1;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    if (typeof status === 'number' && status >= 200 && status < 300) {
      if (--remaining === 0) finish();
    } else {
      setTimeout(() => {
        ready.push(d);
        pump();
      }, retryDelayMs(d.attempts, o.hourMs));
    }
    pump();
  }
  function pump() {
    while (inFlight < o.concurrency && ready.length > 0) attempt(ready.shift());
  }
  pump();
  await finished;
  await sleep(0);

  const { events: records, ledger } = await t.run(async (ctx) => ({
    events: await ctx.db.query('hookwise_events').collect(),
    ledger: await ctx.db.query('chaos_ledger').collect(),
  }));
  const status = new Map(records.map((r) => [r.eventId, r.status]));
  const effects = new Map();
  for (const row of ledger) effects.set(row.eventId, (effects.get(row.eventId) ?? 0) + 1);
  const violations = [];
  let lost = 0;
  let duplicated = 0;
  for (let i = 0; i < o.events; i++) {
    const id = eventId(runTag, i);
    const n = effects.get(id) ?? 0;
    if (status.get(id) !== 'completed' || n === 0) {
      lost += 1;
      if (lost <= 5) violations.push(`lost: ${id} is ${status.get(id) ?? 'missing'} with ${n} effects`);
    }
    if (n > 1) {
      duplicated += n - 1;
      if (duplicated <= 5) violations.push(`${id}: ${n} effects`);
    }
  }
  const notDuplicate = Object.entries(rerunOutcomes).filter(([k]) => k !== 'duplicate');
  if (notDuplicate.length > 0) violations.push(`a rerun of a committed mutation answered ${JSON.stringify(rerunOutcomes)}`);
  return {
    store: 'Convex (defineWebhookMutation, convex-test)',
    options: o,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    events: o.events,
    stripe: stats,
    handlerRuns,
    effects: ledger.length,
    faults,
    rerunOutcomes,
    lost,
    duplicated,
    violations,
  };
}

function convexSummary(r) {
  if (r.skipped) return `skipped: ${r.skipped}`;
  const s = r.stripe;
  const f = r.faults;
  return [
    `${r.store}: ${r.events} events, ${s.deliveries} deliveries (${s.duplicateDeliveries} duplicates, ${s.concurrentDuplicates} of them concurrent), ` +
      `${s.attempts} attempts (${Object.entries(s.byStatus).map(([k, n]) => `${n}x${k}`).join(' ')}), ${r.seconds} s`,
    `mutation runs killed: ${f.beforeEffect} before the effect, ${f.afterEffect} after the effect, ${f.midCommit} writing the completion (${f.midCommitLanded} reached it); ` +
      `${f.answerLost} answers lost after the commit; ${f.rerun} committed mutations run again (${JSON.stringify(r.rerunOutcomes)})`,
    `handler runs ${r.handlerRuns}, effects ${r.effects}; lost ${r.lost}; duplicated effects ${r.duplicated}`,
    r.violations.length === 0 ? 'verdict: every check passed' : `verdict: FAILED\n  ${r.violations.join('\n  ')}`,
  ].join('\n');
}

module.exports = { runConvexChaos, convexSummary, convexUnsupported };
