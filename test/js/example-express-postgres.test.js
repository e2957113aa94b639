'use strict';
// examples/express-postgres end to end: a real PostgreSQL on 127.0.0.1, two
// processes of the example (`node server.js`, hookwise installed from this
// checkout's npm pack) sharing it, and Stripe's deliveries played by this test:
// signed with stripe-node, retried as Stripe retries (an answer that is not
// 2xx, or no answer, is sent again), sent to both processes at once, out of
// order, and cut off by SIGKILLing one process while its handlers are inside
// their transactions. Then the tables are read: credits added exactly once per
// purchase, one activity row per change, every event completed.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const Stripe = require('stripe');
const pg = require('pg');
const services = require('./support/services');
const { prepareExample } = require('./support/example-app');
const { buildEvent, DAY } = require('../../lib/fixtures');

const skip = services.unavailable('postgres') ?? false;
const SECRET = 'whsec_example_express_postgres_0123456789';
const T0 = 1_767_225_600;

const sign = (body) => Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET });

/** One POST of a delivery; { status, body } or { status: 0, error } when the process did not answer. */
async function post(url, body) {
  try {
    const res = await fetch(`${url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': sign(body) },
      body,
    });
    return { status: res.status, body: await res.json() };
  } catch (error) {
    return { status: 0, error };
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stripe's side: sends the event to `urls` in turn until one answers 2xx
 * (a 409 in_progress, a 500, or a dead connection is sent again), and
 * resolves with every answer it got, the last one the 2xx.
 */
async function deliver(urls, event) {
  const body = JSON.stringify(event);
  const answers = [];
  for (let i = 0; i < 400; i += 1) {
    const answer = await post(urls[i % urls.length], body);
    answers.push(answer);
    if (answer.status >= 200 && answer.status < 300) return answers;
    await sleep(50);
  }
  assert.fail(`event ${event.id} was never accepted: ${JSON.stringify(answers.slice(-3))}`);
}

/** `node server.js` of the example: { url, child, output(), stop() } once it listens. */
async function startApp(dir, databaseUrl, name) {
  const port = await services.freePort();
  const env = { ...process.env, PORT: String(port), STRIPE_WEBHOOK_SECRET: SECRET };
  // application_name tells this process's connections apart in pg_stat_activity.
  env.DATABASE_URL = `${databaseUrl}?application_name=${name}`;
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['server.js'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s) => { output += s; });
  child.stderr.setEncoding('utf8').on('data', (s) => { output += s; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const check = () => {
      if (output.includes('listening on')) resolve();
    };
    child.stdout.on('data', check);
    exited.then((status) => reject(new Error(`${name} exited before listening (${JSON.stringify(status)}):\n${output}`)));
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function subscriptionEvent(type, { customer, subscription, at, status = 'active', lookupKey = 'premium_monthly' }) {
  const event = buildEvent(type, { customer, subscription, status, created: T0, periodStart: T0, event: { created: at } });
  const item = event.data.object.items.data[0];
  item.price = { ...item.price, id: `price_${lookupKey}`, lookup_key: lookupKey };
  return event;
}

const checkout = ({ customer, userId, at = T0, mode = 'subscription', credits }) =>
  buildEvent('checkout.session.completed', {
    customer,
    mode,
    clientReferenceId: userId,
    created: at,
    ...(credits === undefined ? {} : { metadata: { credits: String(credits) } }),
    event: { created: at },
  });

describe('examples/express-postgres: two processes, one PostgreSQL', { skip }, () => {
  let postgres;
  let example;
  let apps = [];
  let db;

  before(async () => {
    postgres = await services.startPostgres();
    example = prepareExample('express-postgres');
    db = new pg.Pool({ connectionString: postgres.connectionString });
    // Both at once: the app's migration and PostgresStore's DDL must not collide.
    apps = await Promise.all([startApp(example.dir, postgres.connectionString, 'app-a'), startApp(example.dir, postgres.connectionString, 'app-b')]);
  });

  after(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await db?.end();
    await postgres?.stop();
    example?.cleanup();
  });

  const urls = () => apps.filter((app) => app.child.exitCode === null && app.child.signalCode === null).map((app) => app.url);
  const account = async (userId) => (await db.query('SELECT tier, credits, subscription_status FROM accounts WHERE user_id = $1', [userId])).rows[0];
  const activities = async (userId) =>
    (await db.query('SELECT kind, detail, stripe_event_id FROM activities WHERE user_id = $1 ORDER BY id', [userId])).rows;
  const withOutput = (fn) => async () => {
    try {
      await fn();
    } catch (err) {
      err.message += apps.map((app) => `\n--- ${app.name} ---\n${app.output()}`).join('');
      throw err;
    }
  };

  it('a subscription sets the tier; an older update delivered after a newer one changes nothing; every change is logged once', withOutput(async () => {
    const ids = { customer: 'cus_ExampleTier000001', subscription: 'sub_ExampleTier000001' };
    await deliver(urls(), checkout({ ...ids, userId: 'user_tier' }));
    await deliver(urls(), subscriptionEvent('customer.subscription.created', { ...ids, at: T0 + 1 }));
    assert.deepEqual(await account('user_tier'), { tier: 'premium', credits: 0, subscription_status: 'active' });

    const upgrade = subscriptionEvent('customer.subscription.updated', { ...ids, at: T0 + 2 * DAY, lookupKey: 'team_monthly' });
    const olderPastDue = subscriptionEvent('customer.subscription.updated', { ...ids, at: T0 + DAY, status: 'past_due' });
    await deliver(urls(), upgrade);
    await deliver(urls(), olderPastDue);
    assert.deepEqual(await account('user_tier'), { tier: 'team', credits: 0, subscription_status: 'active' });

    // Stripe retries an event it got no 2xx for; a retry of a handled one is a duplicate.
    const again = await post(urls()[1], JSON.stringify(upgrade));
    assert.deepEqual(again, { status: 200, body: { received: true, duplicate: true } });

    const deleted = subscriptionEvent('customer.subscription.deleted', { ...ids, at: T0 + 3 * DAY, status: 'canceled' });
    await deliver(urls(), deleted);
    assert.deepEqual(await account('user_tier'), { tier: 'free', credits: 0, subscription_status: 'canceled' });
    assert.deepEqual((await activities('user_tier')).map((a) => [a.kind, a.detail.from, a.detail.to]), [
      ['tier_changed', 'free', 'premium'],
      ['tier_changed', 'premium', 'team'],
      ['tier_changed', 'team', 'free'],
    ]);
  }));

  it('a subscription event that arrives before its checkout fails (500) and succeeds when Stripe retries it after the checkout', withOutput(async () => {
    const ids = { customer: 'cus_ExampleEarly00001', subscription: 'sub_ExampleEarly00001' };
    const created = subscriptionEvent('customer.subscription.created', { ...ids, at: T0 + 1 });
    const early = await post(urls()[0], JSON.stringify(created));
    assert.deepEqual(early, { status: 500, body: { error: 'handler_failed' } });
    await deliver(urls(), checkout({ ...ids, userId: 'user_early' }));
    const answers = await deliver(urls(), created);
    assert.deepEqual(answers.at(-1), { status: 200, body: { received: true } });
    assert.equal((await account('user_early')).tier, 'premium');
    const { rows } = await db.query('SELECT status, attempts FROM hookwise_events WHERE id = $1', [created.id]);
    assert.deepEqual(rows, [{ status: 'completed', attempts: 2 }]);
  }));

  it('each purchase sent to both processes at the same moment adds its credits once', withOutput(async () => {
    const customer = 'cus_ExampleBoth000001';
    const purchases = Array.from({ length: 12 }, (_, i) => checkout({ customer, userId: 'user_both', mode: 'payment', credits: 10 + i, at: T0 + i }));
    const firstAnswers = await Promise.all(purchases.flatMap((event) => urls().map((url) => post(url, JSON.stringify(event)))));
    for (const answer of firstAnswers) assert.ok([200, 409].includes(answer.status), JSON.stringify(answer));
    // The ones answered 409 (the other process held the event) are retried by Stripe; all end as duplicates.
    for (const event of purchases) await deliver(urls(), event);
    const expected = purchases.reduce((sum, e) => sum + Number(e.data.object.metadata.credits), 0);
    assert.equal((await account('user_both')).credits, expected);
    const logged = await activities('user_both');
    assert.deepEqual(logged.map((a) => a.stripe_event_id).sort(), purchases.map((e) => e.id).sort());

    // What the app shows for the account, from either process.
    for (const url of urls()) {
      const shown = await (await fetch(`${url}/accounts/user_both`)).json();
      assert.equal(shown.credits, expected);
      const byAmount = (x, y) => x - y;
      assert.deepEqual(shown.activities.map((a) => a.detail.credits).sort(byAmount), purchases.map((e) => Number(e.data.object.metadata.credits)).sort(byAmount));
    }
  }));

  it('SIGKILL of one process while its handlers are inside their transactions: once Stripe retries, every purchase counts exactly once', withOutput(async () => {
    const userId = 'user_killed';
    const customer = 'cus_ExampleKilled0001';
    await deliver(urls(), checkout({ customer, userId, mode: 'payment', credits: 1, at: T0 }));
    const purchases = Array.from({ length: 16 }, (_, i) => checkout({ customer, userId, mode: 'payment', credits: 100 + i, at: T0 + 10 + i }));
    const [a, b] = apps;

    // Hold the account's row: every purchase handler blocks inside its transaction on it.
    const blocker = await db.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM accounts WHERE user_id = $1 FOR UPDATE', [userId]);
    const streams = purchases.map((event, i) => post((i % 2 === 0 ? a : b).url, JSON.stringify(event)));
    // Until app-a has handlers waiting on that lock, mid-transaction.
    for (;;) {
      const { rows } = await db.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'app-a' AND wait_event_type = 'Lock'");
      if (rows[0].n >= 4) break;
      await sleep(20);
    }
    a.child.kill('SIGKILL');
    await a.exited;
    await blocker.query('ROLLBACK');
    blocker.release();

    const first = await Promise.all(streams);
    assert.ok(first.some((answer) => answer.status === 0), 'some deliveries to the killed process got no answer');
    // Stripe retries every event that got no 2xx — now all go to app-b.
    for (const event of purchases) await deliver([b.url], event);

    const expected = 1 + purchases.reduce((sum, e) => sum + Number(e.data.object.metadata.credits), 0);
    assert.equal((await account(userId)).credits, expected);
    const logged = (await activities(userId)).filter((row) => row.kind === 'credits_added');
    assert.equal(logged.length, purchases.length + 1);
    assert.equal(new Set(logged.map((row) => row.stripe_event_id)).size, logged.length);
    const { rows } = await db.query('SELECT status, attempts FROM hookwise_events WHERE id = ANY($1)', [purchases.map((e) => e.id)]);
    assert.equal(rows.length, purchases.length);
    assert.ok(rows.every((row) => row.status === 'completed'), JSON.stringify(rows));
    // The killed process's transactions were rolled back whole, claims included: app-b ran each as its first attempt.
    assert.ok(rows.every((row) => row.attempts === 1), JSON.stringify(rows));
  }));
});
