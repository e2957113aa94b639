'use strict';
// Ack-first delivery on Convex (convex-test's in-memory backend): the action standing for the
// httpAction records the event with its payload through ConvexStore and answers 200; a
// scheduled internal action (ctx.scheduler.runAfter(0, …)) drains the store and runs it.
// A delivery whose run was never scheduled (the process died after the 200) is run by the next
// drain; failures are retried by drains and dead-lettered at maxAttempts; concurrent drains run
// each event once. Handler runs are counted from the database (test/js/support/convex/ack-first.mjs).
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { makeEvent } = require('./support/deliveries');
const { generateTestHeaderString } = require('../../lib/portable');

const SECRET = 'whsec_convex_ack_first';
let convex;
before(async () => {
  const [{ convexTest }, server, values, hookwiseConvex] = await Promise.all([
    import('convex-test'),
    import('convex/server'),
    import('convex/values'),
    import('../../lib/convex/index.mjs'),
  ]);
  convex = { convexTest, server, values, hookwiseConvex };
});

function backend() {
  const { convexTest, server, values: { v }, hookwiseConvex } = convex;
  const schema = server.defineSchema({
    ...hookwiseConvex.hookwiseTables,
    ack_runs: server.defineTable({ eventId: v.string() }),
    ack_flags: server.defineTable({ failing: v.boolean() }),
  });
  return convexTest(schema, {
    './convex/_generated/api.js': async () => ({}),
    './convex/hookwise.js': async () => hookwiseConvex,
    './convex/ackFirst.js': () => import('./support/convex/ack-first.mjs'),
  });
}

const api = () => convex.server.anyApi.ackFirst;
async function receive(t, event, schedule) {
  const body = JSON.stringify(event);
  return t.action(api().receive, { body, header: generateTestHeaderString({ payload: body, secret: SECRET }), schedule });
}
const runsOf = async (t, id) => (await t.query(api().runs, {})).filter((e) => e === id).length;

test('the httpAction answers 200 once the event is recorded; the scheduled worker runs it once', async () => {
  const t = backend();
  const event = makeEvent();
  const res = await receive(t, event, true);
  assert.deepEqual(res, { status: 200, body: { received: true } });
  await t.finishAllScheduledFunctions(() => {});
  assert.equal(await runsOf(t, event.id), 1);
  const record = await t.run((ctx) => ctx.db.query('hookwise_events').withIndex('by_eventId', (q) => q.eq('eventId', event.id)).unique());
  assert.equal(record.status, 'completed');
  assert.equal(record.payload, undefined, 'the payload is dropped once the event completed');
  assert.deepEqual((await receive(t, event, true)).body, { received: true, duplicate: true });
  assert.deepEqual(await t.action(api().work, {}), []);
  assert.equal(await runsOf(t, event.id), 1);
});

test('nothing scheduled after the 200 (a crash): the next drain runs the event', async () => {
  const t = backend();
  const event = makeEvent();
  assert.equal((await receive(t, event, false)).status, 200);
  assert.equal(await runsOf(t, event.id), 0);
  assert.deepEqual(await t.action(api().work, {}), [{ eventId: event.id, outcome: 'processed', attempt: 1 }]);
  assert.equal(await runsOf(t, event.id), 1);
});

test('failures are retried by drains and dead-lettered at maxAttempts', async () => {
  const t = backend();
  await t.mutation(api().setFailing, { failing: true });
  const event = makeEvent();
  await receive(t, event, false);
  const outcomes = [];
  for (let i = 0; i < 4; i++) outcomes.push(...(await t.action(api().work, {})).map((r) => r.outcome));
  assert.deepEqual(outcomes, ['failed', 'failed', 'dead_lettered']);
  assert.equal(await runsOf(t, event.id), 3);
  assert.deepEqual((await receive(t, event, false)).body, { received: true, dead_lettered: true });
});

test('concurrent drains run each event once', async () => {
  const t = backend();
  const events = Array.from({ length: 6 }, () => makeEvent());
  for (const event of events) await receive(t, event, false);
  const results = (await Promise.all([t.action(api().work, {}), t.action(api().work, {}), t.action(api().work, {})])).flat();
  assert.deepEqual(results.filter((r) => r.outcome === 'processed').map((r) => r.eventId).sort(), events.map((e) => e.id).sort());
  for (const event of events) assert.equal(await runsOf(t, event.id), 1);
});
