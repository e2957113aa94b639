'use strict';
// The crash test's verdict, from what the run left behind: the store's status
// of every event, the ledger's rows (one per effect, with the run that wrote
// it), the receivers' step logs (receiver.js lists the steps) and the kills.
//
// What must hold:
// - none lost: every event is `completed` in the store and has an effect;
// - transactional handlers: exactly one effect per event;
// - otherwise: at most one run per event recorded its completion (hookwise's
//   promise), and every other effect was written by a run that never recorded
//   its completion because of a kill: its receiver was SIGKILLed while the run
//   was in flight, or the store's server was killed while it ran (the store
//   refused the completion, or the effect's reply was lost). An effect without
//   a completion and without such a kill is a violation, and so is a completion
//   lost to a lease that ran out. Hence duplicated effects <= runs caught by a
//   kill between effect and completion.
const fs = require('node:fs');

const TERMINAL = new Set(['C', 'L', 'R', 'X', 'D']);
// A server kill this close after a run's last step still counts for it: the
// step is logged after the reply, the kill may have cut the reply before.
const SERVER_SLACK_MS = 1000;

/** Parses the logs: Map runId -> { eventId, tag, steps: [{ step, t }] }. */
function readRuns(logFiles) {
  const runs = new Map();
  for (const file of logFiles) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const [step, t, runId, eventId] = line.split(' ');
      // A line cut by a kill mid-write has no run id yet; nothing to learn from it.
      if (!runId) continue;
      let run = runs.get(runId);
      if (!run) {
        run = { eventId: undefined, tag: runId.slice(0, runId.lastIndexOf('.')), steps: [] };
        runs.set(runId, run);
      }
      if (eventId) run.eventId = eventId;
      run.steps.push({ step, t: Number(t) });
    }
  }
  return runs;
}

const has = (run, step) => run.steps.some((s) => s.step === step);
const lastStep = (run) => run.steps.at(-1);

/**
 * @param input.ids          every event id Stripe sent
 * @param input.statuses     Map id -> store status
 * @param input.rows         [{ eventId, runId }] from the ledger
 * @param input.runs         readRuns(...) of every receiver's log
 * @param input.instances    Map tag -> { pid, killedAt: ms | null }  (one per receiver start)
 * @param input.serverKills  [{ at, restartedAt }]
 * @param input.transactional
 */
function verdict({ ids, statuses, rows, runs, instances, serverKills, transactional }) {
  const violations = [];
  const rowsOf = new Map(ids.map((id) => [id, []]));
  for (const row of rows) {
    if (!rowsOf.has(row.eventId)) violations.push(`a ledger row for an event Stripe never sent: ${row.eventId}`);
    else rowsOf.get(row.eventId).push(row.runId);
  }

  let lost = 0;
  let duplicated = 0;
  for (const id of ids) {
    const status = statuses.get(id);
    const n = rowsOf.get(id).length;
    if (status !== 'completed' || n === 0) {
      lost += 1;
      if (lost <= 5) violations.push(`lost: ${id} is ${status} in the store with ${n} effects`);
    }
    if (n > 1) duplicated += n - 1;
    if (transactional && n > 1 && duplicated - (n - 1) < 5) violations.push(`${id}: ${n} effects with transactional handlers`);
  }

  // Every effect whose run did not record its completion, and the kill that explains it.
  // A run with two rows wrote its effect twice itself: the app's database client sent the
  // write again after the server died under it (ioredis resends unanswered commands on
  // reconnect), which only a server kill during the run explains.
  const windows = { receiverKill: 0, serverKill: 0, resentByClient: 0, unexplained: 0 };
  const serverKilledDuring = (run) => {
    const start = run.steps[0].t;
    const end = lastStep(run).t + SERVER_SLACK_MS;
    return serverKills.some((k) => k.at >= start && k.at <= end);
  };
  const unexplained = (id, runId, run, what) => {
    windows.unexplained += 1;
    if (windows.unexplained <= 5) {
      const steps = run ? run.steps.map((s) => s.step).join('') : 'no log';
      violations.push(`${id}: ${what} of run ${runId} (steps ${steps}) has no kill to explain it`);
    }
  };
  if (!transactional) {
    for (const [id, runIds] of rowsOf) {
      const effectsOf = new Map();
      for (const runId of runIds) effectsOf.set(runId, (effectsOf.get(runId) ?? 0) + 1);
      let completions = 0;
      for (const [runId, n] of effectsOf) {
        const run = runs.get(runId);
        if (n > 1) {
          if (run && serverKilledDuring(run)) windows.resentByClient += n - 1;
          else unexplained(id, runId, run, `a repeated effect (${n} rows)`);
        }
        if (run && has(run, 'C')) {
          completions += 1;
          continue;
        }
        const instance = run && instances.get(run.tag);
        const cut = run && instance && instance.killedAt !== null && !run.steps.some((s) => TERMINAL.has(s.step));
        if (cut) windows.receiverKill += 1;
        else if (run && serverKilledDuring(run)) windows.serverKill += 1;
        else unexplained(id, runId, run, 'the effect without a completion');
      }
      if (completions > 1) violations.push(`${id}: ${completions} runs recorded their completion`);
    }
    const explained = windows.receiverKill + windows.serverKill + windows.resentByClient;
    if (duplicated > explained) violations.push(`${duplicated} duplicated effects but only ${explained} explained by kills between effect and completion`);
  }
  if (windows.unexplained > 5) violations.push(`... ${windows.unexplained} unexplained effects in all`);
  if (lost > 5) violations.push(`... ${lost} events lost in all`);

  return { lost, duplicated, windows, landed: landings(runs, instances, new Set(rows.map((r) => r.runId)), transactional), violations };
}

/**
 * Where the receiver kills landed: for each killed receiver, its runs still in
 * flight (no terminal step) at the kill, by phase. A kill counts once per phase
 * it caught a run in. The ledger, not the log, says whether an effect was
 * committed: a kill can land after the commit and before the E line.
 *   midHandler                   the effect not written yet
 *   betweenEffectAndCompletion   without transactional handlers: the effect committed,
 *                                complete() not called yet; with them: the effect written
 *                                inside the event's open transaction, not committed
 *   midCommit                    complete() called, not answered (without transactional)
 *   afterCommit                  the effect committed and (transactional) the completion
 *                                with it, the answer not sent yet
 */
function landings(runs, instances, committed, transactional) {
  const inFlight = new Map();
  for (const [runId, run] of runs) {
    if (run.steps.some((s) => TERMINAL.has(s.step))) continue;
    if (!inFlight.has(run.tag)) inFlight.set(run.tag, []);
    inFlight.get(run.tag).push({ runId, run });
  }
  const out = { idle: 0, midHandler: 0, betweenEffectAndCompletion: 0, midCommit: 0, afterCommit: 0, runsCut: 0 };
  const phase = ({ runId, run }) => {
    const last = lastStep(run).step;
    if (transactional) {
      if (committed.has(runId)) return 'afterCommit';
      return last === 'E' ? 'betweenEffectAndCompletion' : 'midHandler';
    }
    if (last === 'K') return 'midCommit';
    return committed.has(runId) ? 'betweenEffectAndCompletion' : 'midHandler';
  };
  for (const [tag, instance] of instances) {
    if (instance.killedAt === null) continue;
    const cut = inFlight.get(tag) ?? [];
    out.runsCut += cut.length;
    if (cut.length === 0) out.idle += 1;
    for (const p of new Set(cut.map(phase))) out[p] += 1;
  }
  return out;
}

module.exports = { verdict, readRuns };
