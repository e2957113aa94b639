'use strict';
// `hookwise demo` (`npm run demo`): a membership app receiving Stripe webhooks
// through hookwise on the embedded default store (SqliteStore), fed a realistic
// subscription lifecycle for four customers the way Stripe really delivers it:
// duplicates, concurrent duplicates, out of order, a forged signature, an
// expired timestamp, a handler that fails twice then succeeds, and one that
// always fails until its event is dead-lettered. Prints what happened to each
// delivery and the final membership state, and checks the guarantees itself
// (exit 1 if any does not hold).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');
const { createWebhookHandler } = require('..');
const { generateTestHeaderString } = require('..');
const { buildEvent, DAY, MONTH } = require('../fixtures');
const { EXIT, parse, openStore, postDelivery, outcomeOfAnswer } = require('./common');
const { table, styleOutcome, formatDate } = require('./output');

const USAGE = `hookwise demo [--db FILE] [--json]

Runs a membership app on hookwise with a SqliteStore (a fresh temporary database unless --db),
delivers a realistic subscription lifecycle with everything Stripe's delivery can throw at it,
and prints each delivery's outcome and the final membership state.`;

const SECRET = 'whsec_demo_0123456789abcdefghijklmnopqrstuv';
const FORGER_SECRET = 'whsec_not_the_endpoint_secret_0000000000';

/**
 * The app: its own side effects in event handlers (provisioning, emails, an
 * accounting export), while the membership state itself is hookwise's billing
 * state (`billing: true`), read with webhooks.billing.get instead of a table
 * the handlers keep by hand.
 */
function demoApp() {
  const runs = new Map(); // event id -> handler runs that returned
  const done = (event) => runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
  const attempts = new Map(); // event id -> runs attempted (for the flaky and broken handlers)
  const tried = (event) => {
    const n = (attempts.get(event.id) ?? 0) + 1;
    attempts.set(event.id, n);
    return n;
  };
  const on = {
    'checkout.session.completed': async (event) => {
      await sleep(40); // provisioning the account: long enough for concurrent duplicates to overlap
      done(event);
    },
    'customer.subscription.trial_will_end': async (event) => {
      // The mail provider times out twice, then accepts: retried inside the same delivery.
      if (tried(event) <= 2) throw new Error('mail provider timed out (ETIMEDOUT)');
      done(event);
    },
    'invoice.payment_failed': async (event) => done(event), // the dunning email
    'invoice.payment_succeeded': async (event) => {
      // The accounting export rejects this invoice every time: a bug to fix, then replay.
      tried(event);
      throw new Error(`accounting export rejected ${event.data.object.number}: unknown tax code`);
    },
  };
  return { on, runs, attempts };
}

/** A member row from hookwise's CustomerState: premium while it has access. */
function memberOf(customer, state) {
  const sub = state === null ? null : state.subscription;
  const plan = state !== null && state.hasAccess ? 'premium' : sub !== null && (sub.status === 'past_due' || sub.status === 'unpaid') ? 'past_due' : 'free';
  return {
    customer,
    plan,
    status: sub === null ? null : sub.status,
    periodEnd: sub === null || sub.status === 'canceled' ? null : sub.currentPeriodEnd,
    subscription: sub === null ? null : sub.id,
    purchases: state === null ? 0 : state.purchases.length,
    email: state === null ? null : state.email,
  };
}

/** The lifecycle, as deliveries. Times are in the past (a month of history); signatures are fresh. */
function script() {
  const t0 = Math.floor(Date.now() / 1000) - 40 * DAY;
  const ids = (name) => ({ customer: `cus_demo_${name}`, subscription: `sub_demo_${name}` });
  const alice = ids('alice');
  const bob = ids('bob');
  const carol = ids('carol');
  const dave = ids('dave');
  const ev = (type, at, o = {}) => buildEvent(type, { created: at, event: { created: at }, ...o });

  const aliceRenewal = { ...alice, id: 'in_demo_alice_renewal', periodStart: t0 + MONTH, created: t0 + MONTH };
  const events = {
    aliceCheckout: ev('checkout.session.completed', t0, { ...alice, email: 'alice@example.com', clientReferenceId: 'user_alice' }),
    aliceCreated: ev('customer.subscription.created', t0 + 1, { ...alice, created: t0, periodStart: t0 }),
    aliceFirstPaid: ev('invoice.paid', t0 + 2, { ...alice, created: t0, periodStart: t0, billingReason: 'subscription_create' }),
    aliceRenewed: ev('customer.subscription.updated', t0 + MONTH, { ...alice, created: t0, periodStart: t0 + MONTH, previousAttributes: { current_period_start: t0 } }),
    aliceRenewalPaid: ev('invoice.paid', t0 + MONTH, aliceRenewal),
    aliceRenewalSucceeded: ev('invoice.payment_succeeded', t0 + MONTH, aliceRenewal),

    bobTrial: ev('customer.subscription.created', t0 + 100, { ...bob, status: 'trialing', created: t0 + 100, periodStart: t0 + 100, periodEnd: t0 + 100 + 14 * DAY, trialEnd: t0 + 100 + 14 * DAY }),
    bobTrialEnding: ev('customer.subscription.trial_will_end', t0 + 11 * DAY, { ...bob, created: t0 + 100, periodStart: t0 + 100, trialEnd: t0 + 100 + 14 * DAY }),
    bobActive: ev('customer.subscription.updated', t0 + 14 * DAY, { ...bob, status: 'active', created: t0 + 100, periodStart: t0 + 14 * DAY, previousAttributes: { status: 'trialing' } }),
    bobFailed1: ev('invoice.payment_failed', t0 + 14 * DAY + 60, { ...bob, id: 'in_demo_bob_1', created: t0 + 14 * DAY, periodStart: t0 + 14 * DAY, attemptCount: 1 }),
    bobPastDue: ev('customer.subscription.updated', t0 + 14 * DAY + 120, { ...bob, status: 'past_due', created: t0 + 100, periodStart: t0 + 14 * DAY, previousAttributes: { status: 'active' } }),
    bobFailed2: ev('invoice.payment_failed', t0 + 17 * DAY, { ...bob, id: 'in_demo_bob_1', created: t0 + 14 * DAY, periodStart: t0 + 14 * DAY, attemptCount: 2 }),
    bobForgedPaid: ev('invoice.paid', t0 + 18 * DAY, { ...bob, id: 'in_demo_bob_1', created: t0 + 14 * DAY, periodStart: t0 + 14 * DAY }),

    carolCheckout: ev('checkout.session.completed', t0 + 200, { ...carol, email: 'carol@example.com', clientReferenceId: 'user_carol' }),
    carolCreated: ev('customer.subscription.created', t0 + 201, { ...carol, created: t0 + 200, periodStart: t0 + 200 }),
    carolPaid: ev('invoice.paid', t0 + 202, { ...carol, created: t0 + 200, periodStart: t0 + 200, billingReason: 'subscription_create' }),
    carolCanceling: ev('customer.subscription.updated', t0 + 20 * DAY, { ...carol, status: 'active', cancelAtPeriodEnd: true, created: t0 + 200, periodStart: t0 + 200, previousAttributes: { cancel_at_period_end: false } }),
    carolDeleted: ev('customer.subscription.deleted', t0 + MONTH + 200, { ...carol, created: t0 + 200, periodStart: t0 + 200, canceledAt: t0 + MONTH + 200 }),

    daveOneOff: ev('checkout.session.completed', t0 + 300, { ...dave, mode: 'payment', email: 'dave@example.com', clientReferenceId: 'user_dave' }),
  };
  // expect: the outcome(s) the receiver must report. For concurrent steps, the set of allowed outcomes.
  const steps = [
    { who: 'alice', note: 'checks out (subscription)', event: events.aliceCheckout, expect: ['processed'] },
    { who: 'alice', note: 'subscription created', event: events.aliceCreated, expect: ['processed'] },
    { who: 'alice', note: 'first invoice paid', event: events.aliceFirstPaid, expect: ['processed'] },
    { who: 'alice', note: 'same invoice.paid again (Stripe retry)', event: events.aliceFirstPaid, expect: ['duplicate'] },
    { who: 'carol', note: 'checks out: 4 copies at once', event: events.carolCheckout, concurrent: 4, expect: ['processed', 'in_progress', 'duplicate'] },
    { who: 'carol', note: 'Stripe retries the 409s later', event: events.carolCheckout, expect: ['duplicate'] },
    { who: 'carol', note: 'subscription created', event: events.carolCreated, expect: ['processed'] },
    { who: 'carol', note: 'first invoice paid', event: events.carolPaid, expect: ['processed'] },
    { who: 'dave', note: 'one-off purchase (payment mode)', event: events.daveOneOff, expect: ['processed'] },
    { who: 'bob', note: 'starts a 14-day trial', event: events.bobTrial, expect: ['processed'] },
    { who: 'bob', note: 'trial ends in 3 days: email fails twice, then sends', event: events.bobTrialEnding, expect: ['processed'] },
    { who: 'bob', note: 'renewal charge declined (attempt 1)', event: events.bobFailed1, expect: ['processed'] },
    { who: 'bob', note: 'now past_due (arrives first)', event: events.bobPastDue, expect: ['processed'] },
    { who: 'bob', note: 'trial -> active (arrives late)', event: events.bobActive, expect: ['stale'] },
    { who: 'bob', note: 'charge declined again (attempt 2)', event: events.bobFailed2, expect: ['processed'] },
    { who: 'bob', note: 'forged "invoice paid" (wrong secret)', event: events.bobForgedPaid, forge: true, expect: ['rejected'] },
    { who: 'alice', note: 'captured delivery replayed 10 min later', event: events.aliceFirstPaid, expired: true, expect: ['rejected'] },
    { who: 'carol', note: 'cancels at period end', event: events.carolCanceling, expect: ['processed'] },
    { who: 'alice', note: 'subscription renews (next period)', event: events.aliceRenewed, expect: ['processed'] },
    { who: 'alice', note: 'renewal paid', event: events.aliceRenewalPaid, expect: ['processed'] },
    { who: 'alice', note: 'renewal: accounting export fails', event: events.aliceRenewalSucceeded, expect: ['failed'] },
    { who: 'alice', note: 'Stripe retries: fails again', event: events.aliceRenewalSucceeded, expect: ['failed'] },
    { who: 'alice', note: 'Stripe retries: 3rd failure', event: events.aliceRenewalSucceeded, expect: ['dead_lettered'] },
    { who: 'alice', note: 'Stripe retries a dead letter', event: events.aliceRenewalSucceeded, expect: ['dead_lettered'] },
    { who: 'carol', note: 'subscription ends', event: events.carolDeleted, expect: ['processed'] },
  ];
  const expectedMembers = {
    cus_demo_alice: { plan: 'premium', periodEnd: t0 + 2 * MONTH },
    cus_demo_bob: { plan: 'past_due', periodEnd: t0 + 14 * DAY + MONTH },
    cus_demo_carol: { plan: 'free', periodEnd: null },
    cus_demo_dave: { plan: 'free', periodEnd: null, purchases: 1 },
  };
  return { steps, expectedMembers, deadLetterId: events.aliceRenewalSucceeded.id, flakyId: events.bobTrialEnding.id };
}

function signedFor(step, body) {
  const now = Math.floor(Date.now() / 1000);
  if (step.forge) return generateTestHeaderString({ payload: body, secret: FORGER_SECRET });
  if (step.expired) return generateTestHeaderString({ payload: body, secret: SECRET, timestamp: now - 600 });
  return generateTestHeaderString({ payload: body, secret: SECRET });
}

/**
 * Runs the demo against `store`. Returns { deliveries, members, problems }:
 * problems lists every expectation that did not hold (empty on success).
 */
async function runDemo({ store, retry, onDelivery = () => {} } = {}) {
  const app = demoApp();
  const logged = [];
  const webhooks = createWebhookHandler({
    secret: SECRET,
    store,
    ordering: 'skip-stale',
    maxAttempts: 3,
    billing: true,
    ...(retry !== undefined ? { retry } : {}),
    on: app.on,
    logger: { info() {}, warn: (m) => logged.push(m), error: (m) => logged.push(m) },
  });
  const server = http.createServer((req, res) => webhooks.node(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/webhooks`;
  const { steps, expectedMembers, deadLetterId, flakyId } = script();
  const deliveries = [];
  const problems = [];
  const members = [];
  try {
    for (const step of steps) {
      const body = JSON.stringify(step.event);
      const copies = step.concurrent ?? 1;
      const answers = await Promise.all(Array.from({ length: copies }, () => postDelivery(url, body, signedFor(step, body))));
      const outcomes = answers.map(outcomeOfAnswer);
      const delivery = {
        who: step.who,
        note: step.note,
        type: step.event.type,
        eventId: step.event.id,
        statuses: answers.map((a) => a.status),
        outcomes,
        errors: answers.map((a) => (a.body && a.body.error) || null),
      };
      deliveries.push(delivery);
      onDelivery(delivery);
      for (const o of outcomes) {
        if (!step.expect.includes(o)) problems.push(`"${step.who}: ${step.note}" was ${o}, expected ${step.expect.join(' or ')}`);
      }
      if (step.concurrent && outcomes.filter((o) => o === 'processed').length !== 1) {
        problems.push(`"${step.who}: ${step.note}": ${outcomes.filter((o) => o === 'processed').length} copies processed, expected exactly 1`);
      }
    }
    // The membership state is hookwise's: one read per customer, as the app's pages would do.
    for (const customer of Object.keys(expectedMembers).sort()) {
      members.push(memberOf(customer, await webhooks.billing.get({ customerId: customer })));
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await webhooks.close();
  }
  for (const [eventId, n] of app.runs) if (n !== 1) problems.push(`event ${eventId}'s handler completed ${n} times, expected once`);
  if (app.attempts.get(flakyId) !== 3) problems.push(`the flaky email handler ran ${app.attempts.get(flakyId)} times, expected 3`);
  const record = await store.get(deadLetterId);
  if (!record || record.status !== 'dead_lettered') problems.push(`event ${deadLetterId} is ${record && record.status}, expected dead_lettered`);
  for (const [customer, want] of Object.entries(expectedMembers)) {
    const got = members.find((m) => m.customer === customer);
    for (const [key, value] of Object.entries(want)) {
      if (got[key] !== value) problems.push(`${customer}.${key} is ${got[key]}, expected ${value}`);
    }
  }
  return { deliveries, members, problems, deadLetterId, logged };
}

function describeOutcome(d, c) {
  if (d.outcomes.length === 1) {
    const o = d.outcomes[0];
    return styleOutcome(o, c) + (o === 'rejected' ? c.dim(` (${d.errors[0]})`) : '');
  }
  const counts = {};
  for (const o of d.outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return Object.entries(counts).map(([o, n]) => `${n}× ${styleOutcome(o, c)}`).join(', ');
}

async function run(argv, io) {
  const { values } = parse(argv, { db: { type: 'string' } }, { usage: USAGE });
  if (values.help) {
    io.out(USAGE);
    return EXIT.OK;
  }
  const hookwise = require('..');
  const c = io.colors;
  let store;
  let storeText;
  let dbPath = null;
  if (typeof hookwise.SqliteStore === 'function') {
    dbPath = values.db ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-demo-')), 'events.db');
    store = openStore(dbPath);
    storeText = `SqliteStore at ${dbPath}`;
  } else if (typeof hookwise.MemoryStore === 'function') {
    // A build without the SQLite store still shows the pipeline; the event log is then in memory only.
    store = new hookwise.MemoryStore();
    storeText = 'MemoryStore (this build has no SqliteStore)';
  } else {
    throw new Error('this build has neither SqliteStore nor MemoryStore (lib/stores/); the demo needs a store');
  }
  if (!values.json) {
    io.out(c.bold('hookwise demo: a membership app receiving Stripe webhooks'));
    io.out(c.dim(`receiver: node:http + webhooks.node, ${storeText}, ordering 'skip-stale', maxAttempts 3`));
    io.out('');
  }
  let result;
  try {
    result = await runDemo({ store });
  } finally {
    await store.close();
  }
  const { deliveries, members, problems, deadLetterId } = result;
  if (values.json) {
    io.out(JSON.stringify({ db: dbPath, deliveries, members, problems }));
    return problems.length === 0 ? EXIT.OK : EXIT.FAILED;
  }
  io.out(table(
    [{ title: '#', align: 'right' }, { title: 'customer' }, { title: 'delivery' }, { title: 'event type' }, { title: 'HTTP' }, { title: 'outcome' }],
    deliveries.map((d, i) => [i + 1, d.who, d.note, d.type, [...new Set(d.statuses)].join('/'), describeOutcome(d, c)]),
    c,
  ));
  io.out('');
  io.out(c.bold('Final membership state') + c.dim(' (hookwise billing state: webhooks.billing.get({ customerId }))'));
  io.out(table(
    [{ title: 'customer' }, { title: 'plan' }, { title: 'period end' }, { title: 'subscription' }, { title: 'status' }, { title: 'one-off purchases', align: 'right' }],
    members.map((m) => [
      m.customer,
      m.plan === 'premium' ? c.green(m.plan) : m.plan === 'past_due' ? c.yellow(m.plan) : m.plan,
      m.periodEnd ? formatDate(m.periodEnd) : '-',
      m.subscription ?? '-',
      m.status ?? '-',
      m.purchases,
    ]),
    c,
  ));
  io.out('');
  if (problems.length === 0) {
    io.out(`${c.green('ok')}  every event's handlers completed exactly once; forged and expired deliveries were rejected;`);
    io.out('    the late "active" update was skipped as stale; the always-failing event is dead-lettered.');
  } else {
    io.out(c.red('Expectations that did not hold:'));
    for (const p of problems) io.out(`  - ${p}`);
  }
  if (dbPath !== null) {
    io.out('');
    io.out(c.dim(`Event log:    npx hookwise events --db ${dbPath}`));
    io.out(c.dim(`Billing:      npx hookwise billing --customer cus_demo_bob --db ${dbPath}`));
    io.out(c.dim(`Dead letters: npx hookwise events --status dead_lettered --db ${dbPath}   (${deadLetterId})`));
  }
  return problems.length === 0 ? EXIT.OK : EXIT.FAILED;
}

module.exports = { run, runDemo, USAGE, SECRET };
