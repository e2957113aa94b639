'use strict';
// The membership app's own checks (examples/nextjs-membership), for
// test/js/nextjs-membership.test.js, which owns the one `next build`: a
// `next start` of that build with its own DATA_DIR, Stripe's API played by
// ./stripe-api-server.js, deliveries signed with stripe-node, what the user
// sees read from GET /api/me, and the webhook log page in headless Chromium.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Stripe = require('stripe');
const app = require('./nextjs-app');
const chromium = require('./chromium');
const { startStripeApi } = require('./stripe-api-server');
const { buildEvent, MONTH } = require('../../../lib/fixtures');
const { Webhook } = require('standardwebhooks');

const PRICE = 'price_premium_monthly';
const CLERK_SECRET = `whsec_${Buffer.from('membership example clerk secret!').toString('base64')}`;
const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

function membershipSuite({ skip, built, secret }) {
  const browserSkip = skip || chromium.unavailable() || false;

  describe('examples/nextjs-membership under next start: the membership app', { skip }, () => {
    let server;
    let api;
    let dataDir;
    let n = 0;

    before(async () => {
      const { dir } = await built();
      api = await startStripeApi();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-membership-data-'));
      server = await app.start(dir, {
        STRIPE_WEBHOOK_SECRET: secret,
        STRIPE_SECRET_KEY: 'sk_test_membership_example',
        STRIPE_PRICE_ID: PRICE,
        STRIPE_API_URL: `http://127.0.0.1:${api.port}`,
        CLERK_WEBHOOK_SECRET: CLERK_SECRET,
        DATA_DIR: dataDir,
      });
    });
    after(async () => {
      if (server) await server.stop();
      if (api) await api.close();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /** Adds the server's output to a failing assertion's message. */
    const withOutput = (fn) => async (t) => {
      try {
        await fn(t);
      } catch (err) {
        err.message += `\n--- server ---\n${server ? server.output() : '(not started)'}`;
        throw err;
      }
    };

    /** One event as Stripe sends it (lib/fixtures), with an id unique to this run. */
    const event = (type, at, options = {}) => {
      n += 1;
      return buildEvent(type, { ...options, event: { id: `evt_membership_${process.pid}_${n}`, created: at } });
    };

    async function deliver(ev) {
      const body = JSON.stringify(ev);
      const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
      const res = await fetch(`${server.url}/api/webhooks/stripe`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
      });
      return { status: res.status, body: await res.json() };
    }

    /** A Clerk user event, signed as Clerk (Svix) signs it, by the standardwebhooks reference library. */
    async function clerk(type, user, timestamp, { secret = CLERK_SECRET, id = null } = {}) {
      n += 1;
      const data =
        type === 'user.deleted'
          ? { id: user.id, object: 'user', deleted: true }
          : {
              id: user.id,
              object: 'user',
              first_name: user.first ?? null,
              last_name: null,
              primary_email_address_id: 'idn_primary',
              email_addresses: [{ id: 'idn_other', email_address: 'old@example.com' }, { id: 'idn_primary', email_address: user.email }],
              updated_at: timestamp,
            };
      const body = JSON.stringify({ data, object: 'event', type, timestamp, instance_id: 'ins_membership' });
      id ??= `msg_membership_${process.pid}_${n}`;
      const signature = new Webhook(secret).sign(id, new Date(), body);
      const res = await fetch(`${server.url}/api/webhooks/clerk`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(Date.now() / 1000)), 'svix-signature': signature },
      });
      return { status: res.status, body: await res.json() };
    }

    async function meAnswer(cookie) {
      const res = await fetch(`${server.url}/api/me`, { headers: { cookie } });
      return { status: res.status, body: await res.json() };
    }

    async function signIn(id, email) {
      const res = await fetch(`${server.url}/api/sign-in`, { method: 'POST', body: new URLSearchParams({ id, email }), redirect: 'manual' });
      assert.equal(res.status, 303);
      assert.match(res.headers.get('set-cookie'), new RegExp(`^uid=${id};`));
      return `uid=${id}`;
    }

    async function me(cookie) {
      const res = await fetch(`${server.url}/api/me`, { headers: { cookie } });
      assert.equal(res.status, 200);
      return (await res.json()).membership;
    }

    /** POSTs a form route as the browser's button does; resolves with { status, location }. */
    async function press(route, cookie) {
      const res = await fetch(`${server.url}${route}`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
      return { status: res.status, location: res.headers.get('location'), body: res.status >= 400 ? await res.json() : null };
    }

    /** A URL back into the app (Next.js names the host `localhost`; APP_URL is unset here). */
    function assertAppUrl(text, pathAndQuery) {
      const url = new URL(text);
      assert.equal(url.port, new URL(server.url).port, text);
      assert.equal(url.pathname + url.search, pathAndQuery, text);
    }

    const customer = 'cus_MembershipAlice01';
    const subscription = 'sub_MembershipAlice01';
    const sub = (at, status, extra = {}) =>
      event(`customer.subscription.${extra.type ?? 'updated'}`, at, { customer, subscription, created: T0, periodStart: T0, status, metadata: { userId: 'user_alice' }, ...extra.options });
    let alice;

    it('a signed-in user is free; Go premium creates a Checkout Session for them and sends the browser to its url', withOutput(async () => {
      alice = await signIn('user_alice', 'alice@example.com');
      assert.equal((await me(alice)).plan, 'free');
      const before = api.requests.length;
      const { status, location } = await press('/api/stripe/checkout', alice);
      assert.equal(status, 303);
      assert.match(location, /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_\w+$/);
      const calls = api.requests.slice(before);
      assert.equal(calls.length, 1);
      assert.equal(calls[0].method, 'POST');
      assert.equal(calls[0].path, '/v1/checkout/sessions');
      assert.equal(calls[0].authorization, 'Bearer sk_test_membership_example');
      assert.equal(calls[0].params.mode, 'subscription');
      assert.equal(calls[0].params.client_reference_id, 'user_alice');
      assert.equal(calls[0].params.customer_email, 'alice@example.com');
      assert.equal(calls[0].params['line_items[0][price]'], PRICE);
      assert.equal(calls[0].params['subscription_data[metadata][userId]'], 'user_alice');
      assertAppUrl(calls[0].params.success_url, '/?checkout=success');
      assertAppUrl(calls[0].params.cancel_url, '/');
    }));

    it('the lifecycle over HTTP: trial and active are premium, a failed renewal is past_due, paid again is premium; duplicates and an older event change nothing', withOutput(async () => {
      const answers = [];
      for (const ev of [
        event('customer.created', T0, { customer, created: T0, email: 'alice@example.com' }),
        event('checkout.session.completed', T0 + 2, { customer, subscription, created: T0, clientReferenceId: 'user_alice' }),
        sub(T0 + 1, 'trialing', { type: 'created', options: { trialEnd: T0 + 14 * 86400 } }),
      ]) answers.push(await deliver(ev));
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
      let m = await me(alice);
      assert.equal(m.plan, 'premium');
      assert.equal(m.status, 'trialing');
      assert.equal(m.customerId, customer);
      assert.equal(m.subscriptionId, subscription);

      const active = sub(T0 + 14 * 86400, 'active');
      assert.deepEqual((await deliver(active)).body, { received: true });
      assert.deepEqual((await deliver(active)).body, { received: true, duplicate: true });
      assert.equal((await me(alice)).status, 'active');

      const renewal = T0 + MONTH;
      const pastDue = sub(renewal + 3600, 'past_due', { options: { periodStart: renewal } });
      assert.equal((await deliver(event('invoice.payment_failed', renewal + 3600, { customer, subscription, created: renewal, periodStart: renewal, attemptCount: 1 }))).status, 200);
      assert.equal((await deliver(pastDue)).status, 200);
      m = await me(alice);
      assert.equal(m.plan, 'past_due');
      assert.equal(m.hasAccess, false);

      const recovered = sub(renewal + 3 * 86400, 'active', { options: { periodStart: renewal } });
      assert.equal((await deliver(recovered)).status, 200);
      // Stripe retries the past_due event late: it is older than what was applied.
      assert.equal((await deliver(sub(renewal + 7200, 'past_due', { options: { periodStart: renewal } }))).status, 200);
      m = await me(alice);
      assert.equal(m.plan, 'premium');
      assert.equal(m.status, 'active');
      assert.equal(m.currentPeriodEnd, renewal + MONTH);
    }));

    it('Manage billing opens a Customer Portal session for the user\'s customer', withOutput(async () => {
      api.customers.set(customer, { id: customer, object: 'customer', email: 'alice@example.com' });
      const before = api.requests.length;
      const { status, location } = await press('/api/stripe/portal', alice);
      assert.equal(status, 303);
      assert.match(location, /^https:\/\/billing\.stripe\.com\/p\/session\//);
      const [call] = api.requests.slice(before);
      assert.equal(call.path, '/v1/billing_portal/sessions');
      assert.equal(call.params.customer, customer);
      assertAppUrl(call.params.return_url, '/');
    }));

    it('Cancel sets cancel_at_period_end; the user stays premium until customer.subscription.deleted', withOutput(async () => {
      const renewal = T0 + MONTH;
      api.subscriptions.set(subscription, { ...sub(renewal, 'active', { options: { periodStart: renewal } }).data.object });
      const before = api.requests.length;
      const { status, location } = await press('/api/stripe/cancel', alice);
      assert.equal(status, 303);
      assert.equal(location, '/?canceled=1');
      const [call] = api.requests.slice(before);
      assert.equal(call.path, `/v1/subscriptions/${subscription}`);
      assert.deepEqual(call.params, { cancel_at_period_end: 'true' });

      // What Stripe then sends: the subscription as the API now has it.
      const canceling = sub(renewal + 5 * 86400, 'active', { options: { periodStart: renewal, cancelAtPeriodEnd: true } });
      assert.equal(canceling.data.object.cancel_at_period_end, api.subscriptions.get(subscription).cancel_at_period_end);
      assert.equal((await deliver(canceling)).status, 200);
      let m = await me(alice);
      assert.equal(m.plan, 'premium');
      assert.equal(m.cancelAtPeriodEnd, true);
      assert.equal((await press('/api/stripe/cancel', alice)).status, 303, 'cancelling twice is harmless');

      assert.equal((await deliver(sub(renewal + MONTH, 'canceled', { type: 'deleted', options: { periodStart: renewal, canceledAt: renewal + MONTH } }))).status, 200);
      // A late updated of an earlier second does not bring it back.
      assert.equal((await deliver(sub(renewal + 6 * 86400, 'active', { options: { periodStart: renewal, cancelAtPeriodEnd: true } }))).status, 200);
      m = await me(alice);
      assert.equal(m.plan, 'free');
      assert.equal(m.status, 'canceled');
      assert.equal((await press('/api/stripe/cancel', alice)).status, 409);
    }));

    it('Clerk keeps the users table: created, updated, a late older update ignored, deleted; a bad signature is 400 and changes nothing', withOutput(async () => {
      const carol = { id: 'user_carol', email: 'carol@example.com', first: 'Carol' };
      const t = Date.now();
      assert.deepEqual(await clerk('user.created', carol, t, { id: 'msg_membership_carol_created' }), { status: 200, body: { received: true } });
      // Svix retries with the same message id: hookwise answers duplicate.
      assert.deepEqual(await clerk('user.created', carol, t, { id: 'msg_membership_carol_created' }), { status: 200, body: { received: true, duplicate: true } });
      const cookie = 'uid=user_carol';
      assert.deepEqual((await meAnswer(cookie)).body.user, { id: 'user_carol', email: 'carol@example.com' });
      assert.equal((await clerk('user.updated', { ...carol, email: 'carol@new.example' }, t + 2000)).status, 200);
      // An earlier update delivered late (Svix retries), and a repeat of the created.
      assert.equal((await clerk('user.updated', { ...carol, email: 'carol@stale.example' }, t + 1000)).status, 200);
      assert.equal((await clerk('user.created', carol, t)).status, 200);
      assert.equal((await meAnswer(cookie)).body.user.email, 'carol@new.example');

      const forged = await clerk('user.updated', { ...carol, email: 'mallory@example.com' }, t + 3000, { secret: `whsec_${Buffer.from('not the endpoint secret, mallory').toString('base64')}` });
      assert.equal(forged.status, 400);
      assert.equal(forged.body.error, 'no_matching_signature');
      assert.equal((await meAnswer(cookie)).body.user.email, 'carol@new.example');

      assert.equal((await clerk('user.deleted', carol, t + 4000)).status, 200);
      assert.equal((await meAnswer(cookie)).status, 401, 'deleted: signed out');
      assert.equal((await clerk('user.updated', { ...carol, email: 'carol@zombie.example' }, t + 3500)).status, 200);
      assert.equal((await meAnswer(cookie)).status, 401, 'a late update does not bring a deleted user back');
    }));

    it('/admin/webhooks in Chromium: a dead letter is listed with its attempts and last error; Replay runs it again', { skip: browserSkip }, withOutput(async () => {
      // Bob's checkout completes before his user exists here (the auth
      // provider's user.created is late): the handler throws on every attempt.
      const bob = { customer: 'cus_MembershipBob0001', subscription: 'sub_MembershipBob0001' };
      const checkout = event('checkout.session.completed', T0 + 10, { ...bob, created: T0 + 10, clientReferenceId: 'user_bob' });
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push(await deliver(checkout));
      assert.deepEqual(outcomes.map((o) => o.status), [500, 500, 200]);
      assert.deepEqual(outcomes[2].body, { received: true, dead_lettered: true });
      // Clerk's user.created arrives: the users table has Bob now.
      assert.deepEqual(await clerk('user.created', { id: 'user_bob', email: 'bob@example.com' }, Date.now()), { status: 200, body: { received: true } });
      const bobCookie = 'uid=user_bob';
      assert.equal((await meAnswer(bobCookie)).body.user.email, 'bob@example.com');

      const browser = await chromium.launch();
      try {
        const page = await browser.newPage();
        await page.setViewport({ width: 1280, height: 900 });
        await page.goto(`${server.url}/admin/webhooks`, { waitUntil: 'networkidle0' });
        const row = `#dead-letters tr[data-event-id="${checkout.id}"]`;
        const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent));
        assert.equal(cells[0], checkout.id);
        assert.equal(cells[1], 'checkout.session.completed');
        assert.equal(cells[2], 'dead_lettered');
        assert.equal(cells[3], '3');
        assert.match(cells[4], /no user user_bob in the users table/);
        await page.screenshot({ path: chromium.artifactPath('nextjs-membership-webhook-log-dead-letter.png'), fullPage: true });

        await page.click(`${row} button`);
        await page.waitForSelector(`#recent tr[data-event-id="${checkout.id}"][data-status="completed"]`, { timeout: 30_000 });
        assert.equal(await page.$(row), null, 'no longer a dead letter');
        const after = await page.$$eval(`#recent tr[data-event-id="${checkout.id}"] td`, (tds) => tds.map((td) => td.textContent));
        assert.deepEqual(after.slice(2, 5), ['completed', '1', ''], 'requeued: the replay was attempt 1 and succeeded');
        await page.screenshot({ path: chromium.artifactPath('nextjs-membership-webhook-log-replayed.png'), fullPage: true });
      } finally {
        await browser.close();
      }

      // The replayed handler linked Bob's customer: his subscription now makes him premium.
      const created = event('customer.subscription.created', T0 + 11, { ...bob, created: T0 + 11, status: 'active' });
      assert.equal((await deliver(created)).status, 200);
      assert.equal((await me(bobCookie)).plan, 'premium');
      // A delivery of the replayed event now is a duplicate: it ran once.
      assert.deepEqual((await deliver(checkout)).body, { received: true, duplicate: true });
    }));
  });
}

module.exports = { membershipSuite };
