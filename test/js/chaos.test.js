'use strict';
// The crash test (test/chaos/, issue 16) in its short form: for each store, a
// simulated Stripe sends a few hundred events with duplicates to three receiver
// processes that are SIGKILLed and restarted while they work (and the Redis or
// PostgreSQL server too). No event may be lost; duplicated effects only from
// runs a kill cut between their effect and their completion; none at all with
// transactional handlers, in PostgreSQL and in Convex (convex-test, where the
// faults are mutations dying at each step and answers lost after the commit).
// The long run is `node test/chaos/run.js` (figures in docs/BENCHMARKS.md).
// The verdict's own checks are tested too, on made-up runs, so that each of
// them is seen to fail.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { runChaos, summary, transactionalUnsupported } = require('../chaos/run');
const { verdict } = require('../chaos/verdict');
const backends = require('../chaos/backends');
const { runConvexChaos, convexSummary } = require('../chaos/convex');

function assertPassed(r) {
  assert.deepEqual(r.violations, [], summary(r));
  assert.equal(r.lost, 0);
  // The run must have done what it claims: kills that cut runs, duplicates sent.
  assert.equal(r.receiverKills, r.options.kills);
  assert.equal(r.receiverRestarts, r.options.kills);
  assert.ok(r.landed.runsCut > 0, 'some kill cut a run in flight');
  assert.ok(r.stripe.duplicateDeliveries > 0 && r.stripe.concurrentDuplicates > 0);
  assert.equal(r.stripe.acked, r.stripe.deliveries);
}

const SHORT = { events: 300, kills: 8, receivers: 3, concurrency: 12, leaseMs: 3000 };

describe('crash test, short run', () => {
  test('SqliteStore, three receiver processes on one file', async () => {
    const r = await runChaos({ ...SHORT, store: 'sqlite' });
    assertPassed(r);
  });

  test('RedisStore, with the server killed twice', { skip: backends.unavailable('redis') ?? false }, async () => {
    const r = await runChaos({ ...SHORT, store: 'redis', serverKills: 2 });
    assertPassed(r);
    assert.equal(r.serverRestarts, 2);
  });

  const postgres = backends.unavailable('postgres');
  test('PostgresStore, with the server killed twice', { skip: postgres ?? false }, async () => {
    const r = await runChaos({ ...SHORT, events: 200, store: 'postgres', serverKills: 2 });
    assertPassed(r);
    assert.equal(r.serverRestarts, 2);
  });

  test('SqliteStore with transactional handlers (hookwise/portable, Node 22): zero duplicated effects', { skip: transactionalUnsupported('sqlite') ?? false }, async () => {
    const r = await runChaos({ ...SHORT, events: 200, store: 'sqlite', transactional: true });
    assertPassed(r);
    assert.equal(r.duplicated, 0);
  });

  test('PostgresStore with transactional handlers: zero duplicated effects', { skip: postgres ?? transactionalUnsupported('postgres') ?? false }, async () => {
    const r = await runChaos({ ...SHORT, events: 200, store: 'postgres', transactional: true, serverKills: 2 });
    assertPassed(r);
    assert.equal(r.duplicated, 0);
  });
});

test('Convex, handlers inside one mutation (convex-test): zero duplicated effects', async (t) => {
  const r = await runConvexChaos({ events: 300 });
  if (r.skipped) return t.skip(r.skipped);
  assert.deepEqual(r.violations, [], convexSummary(r));
  assert.equal(r.lost, 0);
  assert.equal(r.duplicated, 0);
  assert.equal(r.effects, r.events);
  // The faults did land: runs died after their effect and while completing, answers were lost.
  assert.ok(r.faults.afterEffect > 0 && r.faults.midCommitLanded > 0 && r.faults.answerLost > 0, convexSummary(r));
  assert.equal(r.stripe.byStatus[200], r.stripe.deliveries);
});

describe('crash test verdict', () => {
  // Two events; e1 run once by r0g0 and completed. Each case changes one thing.
  const base = () => ({
    ids: ['e1', 'e2'],
    statuses: new Map([
      ['e1', 'completed'],
      ['e2', 'completed'],
    ]),
    rows: [
      { eventId: 'e1', runId: 'r0g0.1' },
      { eventId: 'e2', runId: 'r0g0.2' },
    ],
    runs: new Map([
      ['r0g0.1', { eventId: 'e1', tag: 'r0g0', steps: [{ step: 'H', t: 10 }, { step: 'E', t: 11 }, { step: 'K', t: 12 }, { step: 'C', t: 13 }, { step: 'D', t: 13 }] }],
      ['r0g0.2', { eventId: 'e2', tag: 'r0g0', steps: [{ step: 'H', t: 10 }, { step: 'E', t: 11 }, { step: 'K', t: 12 }, { step: 'C', t: 13 }, { step: 'D', t: 13 }] }],
    ]),
    instances: new Map([
      ['r0g0', { killedAt: null }],
      ['r1g0', { killedAt: null }],
    ]),
    serverKills: [],
    transactional: false,
  });
  const cutRun = (input, killedAt = 20) => {
    // r1g0 wrote e2's effect, then was killed before complete(): a second effect, explained.
    input.rows.push({ eventId: 'e2', runId: 'r1g0.1' });
    input.runs.set('r1g0.1', { eventId: 'e2', tag: 'r1g0', steps: [{ step: 'H', t: 5 }, { step: 'E', t: 6 }] });
    input.instances.set('r1g0', { killedAt });
    return input;
  };

  test('a clean run passes', () => {
    const v = verdict(base());
    assert.deepEqual(v.violations, []);
    assert.equal(v.duplicated, 0);
  });

  test('an event the store did not complete, or without an effect, is lost', () => {
    const input = base();
    input.statuses.set('e2', 'processing');
    assert.equal(verdict(input).lost, 1);
    const noEffect = base();
    noEffect.rows.pop();
    const v = verdict(noEffect);
    assert.equal(v.lost, 1);
    assert.match(v.violations[0], /lost: e2/);
  });

  test('a second effect cut by a receiver kill is explained and counted', () => {
    const v = verdict(cutRun(base()));
    assert.deepEqual(v.violations, []);
    assert.equal(v.duplicated, 1);
    assert.equal(v.windows.receiverKill, 1);
    assert.equal(v.landed.betweenEffectAndCompletion, 1);
  });

  test('a second effect without a kill is a violation', () => {
    const input = cutRun(base());
    input.instances.set('r1g0', { killedAt: null });
    const v = verdict(input);
    assert.equal(v.windows.unexplained, 1);
    assert.ok(v.violations.some((m) => /e2: the effect without a completion of run r1g0.1/.test(m)));
  });

  test('a server kill during the run explains an effect whose completion the store refused', () => {
    const input = cutRun(base());
    input.instances.set('r1g0', { killedAt: null });
    input.runs.get('r1g0.1').steps.push({ step: 'K', t: 7 }, { step: 'R', t: 300 }, { step: 'D', t: 300 });
    input.serverKills.push({ at: 100, restartedAt: 400 });
    const v = verdict(input);
    assert.deepEqual(v.violations, []);
    assert.equal(v.windows.serverKill, 1);
  });

  test('two completed runs of one event are a violation', () => {
    const input = cutRun(base());
    input.runs.get('r1g0.1').steps.push({ step: 'K', t: 7 }, { step: 'C', t: 8 });
    assert.ok(verdict(input).violations.includes('e2: 2 runs recorded their completion'));
  });

  test('one run writing its effect twice needs a server kill during it', () => {
    const input = base();
    input.rows.push({ eventId: 'e1', runId: 'r0g0.1' });
    assert.ok(verdict(input).violations.some((m) => /a repeated effect \(2 rows\) of run r0g0.1/.test(m)));
    input.serverKills.push({ at: 11, restartedAt: 50 });
    const v = verdict(input);
    assert.deepEqual(v.violations, []);
    assert.equal(v.windows.resentByClient, 1);
  });

  test('with transactional handlers any second effect is a violation, kill or not', () => {
    const input = cutRun(base());
    input.transactional = true;
    assert.ok(verdict(input).violations.includes('e2: 2 effects with transactional handlers'));
  });
});
