'use strict';
// examples/convex-membership end to end on convex-test: the app's convex/*.ts,
// each bundled as `npx convex deploy` bundles for Convex's default runtime
// (esbuild, platform browser, conditions convex + module; hookwise installed
// from this checkout's npm pack, so it resolves to its portable build), run by
// convex-test with edge-runtime's globals (convex-test's `edge-runtime`
// environment). Stripe's side is played here: deliveries signed with
// stripe-node and POSTed to the app's /stripe/webhook, and the Stripe API its
// actions call served on 127.0.0.1 (support/stripe-api-server.js).
//
// Checked: the example type-checks with its own tsconfig (Convex's); the
// whole membership lifecycle (checkout, trial, renewal, three failed payments
// -> past_due, recovery, cancel at period end, deleted); duplicates,
// concurrent duplicates, an older event after a newer one, a failing handler
// retried by Stripe until it succeeds, and one that fails until it is
// dead-lettered; the Checkout and Customer Portal actions.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const esbuild = require('esbuild');
const Stripe = require('stripe');
const { prepareExample, repo } = require('./support/example-app');
const { withEdgeGlobals } = require('./support/edge-globals');
const { startStripeApi } = require('./support/stripe-api-server');
const { buildEvent, DAY, MONTH } = require('../../lib/fixtures');

const SECRET = 'whsec_example_convex_membership_0123456789';
const PRICE = 'price_1PremiumMonthly0000000001';
const T0 = 1_767_225_600; // 2026-01-01
const IDENTITY = { subject: 'user_jenny', issuer: 'https://auth.example.com', name: 'Jenny Rosen', email: 'jenny@example.com' };

// What the deployment logs through console.error (hookwise's default logger
// for failed handlers and dead letters), kept per test instead of printed.
// Installed before any bundle loads: the logger keeps the function it found.
let deploymentLog = null;
const consoleError = console.error;
console.error = (...args) => (deploymentLog ? deploymentLog.push(args.map(String).join(' ')) : consoleError(...args));

let example;
let stripeApi;
let modules; // the module map convex-test runs: './convex/<name>.js' -> the bundle
let schema;
let api; // anyApi: the references convex/_generated/api.js hands out
const bundleOptions = (dir) => ({
  absWorkingDir: dir,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  conditions: ['convex', 'module'],
  target: 'esnext',
  write: false,
  metafile: true,
  logLevel: 'silent',
});

before(async () => {
  example = prepareExample('convex-membership');
  const convexDir = path.join(example.dir, 'convex');
  const out = path.join(example.dir, '.test-bundles');
  fs.mkdirSync(out);
  modules = { './convex/_generated/api.js': async () => ({}) };
  const names = fs.readdirSync(convexDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  for (const name of names) {
    // convex stays external so that the bundles share convex-test's copy of it.
    const built = await esbuild.build({ ...bundleOptions(example.dir), entryPoints: [path.join(convexDir, `${name}.ts`)], external: ['convex', 'convex/*'] });
    const file = path.join(out, `${name}.mjs`);
    fs.writeFileSync(file, built.outputFiles[0].text);
    const url = pathToFileURL(file).href;
    modules[`./convex/${name}.js`] = () => import(url);
  }
  schema = (await modules['./convex/schema.js']()).default;
  ({ anyApi: api } = await import('convex/server'));
  stripeApi = await startStripeApi();
  Object.assign(process.env, {
    STRIPE_WEBHOOK_SECRET: SECRET,
    STRIPE_SECRET_KEY: 'sk_test_example',
    STRIPE_API_URL: `http://127.0.0.1:${stripeApi.port}`,
    STRIPE_PRICE_ID: PRICE,
    SITE_URL: 'https://app.example.com',
  });
});

after(async () => {
  for (const name of ['STRIPE_WEBHOOK_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_API_URL', 'STRIPE_PRICE_ID', 'SITE_URL']) delete process.env[name];
  await stripeApi?.close();
  example?.cleanup();
});

/** A fresh deployment (convex-test) with edge-runtime's globals, for `fn({ t, ... })`. */
function onDeployment(fn) {
  return () => withEdgeGlobals(async () => {
    const { convexTest } = await import('convex-test');
    const t = convexTest(schema, modules);
    const send = async (event, { header } = {}) => {
      const body = JSON.stringify(event);
      const response = await t.fetch('/stripe/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': header ?? Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }) },
        body,
      });
      return { status: response.status, body: await response.json() };
    };
    const processed = async (event) => assert.deepEqual(await send(event), { status: 200, body: { received: true } }, `${event.type} ${event.id}`);
    const signIn = async (identity = IDENTITY) => {
      const as = t.withIdentity(identity);
      return { as, userId: await as.mutation(api.users.signIn, {}) };
    };
    const user = (userId) => t.run((ctx) => ctx.db.get(userId));
    const record = (eventId) => t.run((ctx) => ctx.db.query('hookwise_events').withIndex('by_eventId', (q) => q.eq('eventId', eventId)).unique());
    const logged = [];
    deploymentLog = logged;
    try {
      await fn({ t, send, processed, signIn, user, record, logged });
    } finally {
      deploymentLog = null;
    }
  });
}

/** The membership fields of users.me's answer (read from hookwise's billing state). */
const membershipOf = ({ membership, membershipExpiresAt, cancelAtPeriodEnd, failedPayments }) => ({ membership, membershipExpiresAt, cancelAtPeriodEnd, failedPayments });
const me = async (as) => membershipOf(await as.query(api.users.me, {}));
const ms = (seconds) => seconds * 1000;

/**
 * Events for one customer and subscription, at explicit times. With `userId`,
 * subscriptions carry metadata.userId, as createCheckoutSession's subscription_data sets it.
 */
function teller(customer, subscription, userId) {
  return (type, at, options = {}) => {
    const metadata = userId !== undefined && type.startsWith('customer.subscription.') ? { metadata: { userId } } : {};
    return buildEvent(type, { customer, subscription, ...metadata, ...options, event: { created: at } });
  };
}

it('the example type-checks with its convex/tsconfig.json (tsc --noEmit)', () => {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [repo] }), '-p', 'convex'], { cwd: example.dir, stdio: 'pipe' });
});

it('npx convex deploy\'s bundle of convex/http.ts and convex/stripe.ts: hookwise portable, stripe-node\'s worker build, no node: import', async () => {
  for (const name of ['http', 'stripe', 'membership']) {
    const built = await esbuild.build({ ...bundleOptions(example.dir), entryPoints: [path.join(example.dir, 'convex', `${name}.ts`)] });
    const inputs = Object.keys(built.metafile.inputs);
    const imports = Object.values(built.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    assert.deepEqual(imports.filter((p) => p.startsWith('node:')), [], `${name}: no node: import left for the runtime`);
    assert.ok(!inputs.some((f) => f.endsWith('.node') || /node_modules\/hookwise\/lib\/(index\.m?js|native\.js|engine\/native\/)/.test(f)), `${name}: no native hookwise`);
    if (name !== 'stripe') assert.ok(inputs.some((f) => /node_modules\/hookwise\/lib\/portable\.m?js$/.test(f)), `${name}: hookwise's portable build`);
    if (name === 'stripe') assert.ok(inputs.some((f) => /node_modules\/stripe\/esm\/stripe\.esm\.worker\.js$/.test(f)), 'stripe-node\'s worker build');
  }
});

describe('convex/stripe.ts actions against the Stripe API on 127.0.0.1', () => {
  it('createCheckoutSession makes the user\'s Stripe customer once, then a subscription Checkout Session linked to the user; createPortalSession opens the portal for that customer', onDeployment(async ({ t, signIn, user }) => {
    const { as, userId } = await signIn();
    const before = stripeApi.requests.length;
    const url = await as.action(api.stripe.createCheckoutSession, {});
    const again = await as.action(api.stripe.createCheckoutSession, {});
    const calls = stripeApi.requests.slice(before);
    assert.deepEqual(calls.map((r) => `${r.method} ${r.path}`), ['POST /v1/customers', 'POST /v1/checkout/sessions', 'POST /v1/checkout/sessions']);
    assert.match(url, /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    assert.notEqual(again, url);

    const customer = calls[0].params;
    assert.deepEqual(customer, { email: IDENTITY.email, name: IDENTITY.name, 'metadata[userId]': userId });
    assert.equal(calls[0].idempotencyKey, `customer-for-${userId}`);
    const { stripeCustomerId } = await user(userId);
    assert.ok(stripeApi.customers.has(stripeCustomerId), 'the customer Stripe created is recorded on the user');
    assert.deepEqual(calls[1].params, {
      mode: 'subscription',
      customer: stripeCustomerId,
      client_reference_id: userId,
      'line_items[0][price]': PRICE,
      'line_items[0][quantity]': '1',
      'subscription_data[trial_period_days]': '14',
      'subscription_data[metadata][userId]': userId,
      success_url: 'https://app.example.com/account?checkout=success',
      cancel_url: 'https://app.example.com/pricing',
    });
    assert.equal(calls[1].authorization, 'Bearer sk_test_example');

    const portal = await as.action(api.stripe.createPortalSession, {});
    const portalCall = stripeApi.requests.at(-1);
    assert.deepEqual([portalCall.method, portalCall.path, portalCall.params], ['POST', '/v1/billing_portal/sessions', { customer: stripeCustomerId, return_url: 'https://app.example.com/account' }]);
    assert.match(portal, /^https:\/\/billing\.stripe\.com\/p\/session\//);

    await assert.rejects(t.action(api.stripe.createCheckoutSession, {}), /not signed in/);
  }));
});

describe('convex/http.ts /stripe/webhook: the membership', () => {
  it('the whole lifecycle: checkout, trial, trial converts, renewal, three failed payments -> past_due, recovery, cancel at period end, deleted', onDeployment(async ({ t, processed, signIn, user }) => {
    const { as: jenny, userId } = await signIn();
    await jenny.action(api.stripe.createCheckoutSession, {});
    const { stripeCustomerId: customer } = await user(userId);
    const subscription = 'sub_ExampleMember00001';
    const ev = teller(customer, subscription);
    // users.me answers from the billing state: the same answer as hookwise's own reader gives.
    const { getCustomerState } = await import('../../lib/convex/index.mjs');
    const expect = async (membership, why) => {
      assert.deepEqual(await me(jenny), membership, why);
      const state = await t.run((ctx) => getCustomerState(ctx, { userId }));
      assert.equal(state.customerId, customer, why);
      assert.equal(state.hasAccess, membership.membership === 'premium', why);
      assert.equal(state.subscription.failedPaymentAttempts, membership.failedPayments, why);
    };
    assert.deepEqual(await jenny.query(api.users.me, {}), { name: IDENTITY.name, membership: 'free', membershipExpiresAt: null, cancelAtPeriodEnd: false, failedPayments: 0 });

    await processed(ev('checkout.session.completed', T0, { clientReferenceId: userId, created: T0 }));
    assert.equal((await user(userId)).stripeSubscriptionId, subscription);
    assert.deepEqual(await me(jenny), { membership: 'free', membershipExpiresAt: null, cancelAtPeriodEnd: false, failedPayments: 0 }, 'checked out, no subscription event yet');
    assert.equal((await user(userId)).membership, undefined, 'the membership lives in the billing state, not on the user');

    const trialEnd = T0 + 14 * DAY;
    await processed(ev('customer.subscription.created', T0 + 1, { created: T0, status: 'trialing', trialEnd, periodStart: T0, periodEnd: trialEnd }));
    await expect({ membership: 'premium', membershipExpiresAt: ms(trialEnd), cancelAtPeriodEnd: false, failedPayments: 0 }, 'trialing is premium until the trial ends');

    await processed(ev('customer.subscription.updated', trialEnd, { created: T0, status: 'active', trialEnd, periodStart: trialEnd, previousAttributes: { status: 'trialing' } }));
    await processed(ev('invoice.paid', trialEnd + 1, { id: 'in_ExampleFirst00001', created: trialEnd, periodStart: trialEnd }));
    await expect({ membership: 'premium', membershipExpiresAt: ms(trialEnd + MONTH), cancelAtPeriodEnd: false, failedPayments: 0 }, 'the trial converted');

    const renewal = trialEnd + MONTH;
    await processed(ev('customer.subscription.updated', renewal, { created: T0, periodStart: renewal, previousAttributes: { items: {} } }));
    await processed(ev('invoice.paid', renewal + 1, { id: 'in_ExampleRenew00001', created: renewal, periodStart: renewal }));
    await expect({ membership: 'premium', membershipExpiresAt: ms(renewal + MONTH), cancelAtPeriodEnd: false, failedPayments: 0 }, 'renewed for a month');

    const due = renewal + MONTH;
    const failing = { id: 'in_ExampleFailing0001', created: due, periodStart: due };
    await processed(ev('invoice.payment_failed', due + 60, { ...failing, attemptCount: 1 }));
    await processed(ev('customer.subscription.updated', due + 61, { created: T0, status: 'past_due', periodStart: due }));
    await processed(ev('invoice.payment_failed', due + 3 * DAY, { ...failing, attemptCount: 2 }));
    await processed(ev('invoice.payment_failed', due + 6 * DAY, { ...failing, attemptCount: 3 }));
    await expect({ membership: 'past_due', membershipExpiresAt: ms(due + MONTH), cancelAtPeriodEnd: false, failedPayments: 3 }, 'three failed payments: past_due');

    await processed(ev('invoice.paid', due + 7 * DAY, { ...failing, attemptCount: 4 }));
    await processed(ev('customer.subscription.updated', due + 7 * DAY + 1, { created: T0, status: 'active', periodStart: due, previousAttributes: { status: 'past_due' } }));
    await expect({ membership: 'premium', membershipExpiresAt: ms(due + MONTH), cancelAtPeriodEnd: false, failedPayments: 0 }, 'the card was updated and the invoice paid');

    await processed(ev('customer.subscription.updated', due + 10 * DAY, { created: T0, status: 'active', periodStart: due, cancelAtPeriodEnd: true, previousAttributes: { cancel_at_period_end: false } }));
    await expect({ membership: 'premium', membershipExpiresAt: ms(due + MONTH), cancelAtPeriodEnd: true, failedPayments: 0 }, 'cancelled at period end: premium until then');

    await processed(ev('customer.subscription.deleted', due + MONTH, { created: T0, periodStart: due, cancelAtPeriodEnd: true, canceledAt: due + MONTH }));
    await expect({ membership: 'free', membershipExpiresAt: null, cancelAtPeriodEnd: true, failedPayments: 0 }, 'the subscription ended');
  }));

  it('duplicates: the same event again, and six copies at once, are handled once', onDeployment(async ({ send, processed, signIn, user, record }) => {
    const { as, userId } = await signIn();
    await as.action(api.stripe.createCheckoutSession, {});
    const ev = teller((await user(userId)).stripeCustomerId, 'sub_ExampleDuplicate01', userId);
    const created = ev('customer.subscription.created', T0, { created: T0, periodStart: T0 });
    await processed(created);
    assert.deepEqual(await send(created), { status: 200, body: { received: true, duplicate: true } });

    const failed = ev('invoice.payment_failed', T0 + MONTH, { id: 'in_ExampleDuplicate01', created: T0 + MONTH, attemptCount: 1 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => send(failed)));
    for (const answer of answers) {
      assert.ok(
        [JSON.stringify({ status: 200, body: { received: true } }), JSON.stringify({ status: 200, body: { received: true, duplicate: true } }), JSON.stringify({ status: 409, body: { error: 'in_progress' } })].includes(JSON.stringify(answer)),
        JSON.stringify(answer),
      );
    }
    assert.equal(answers.filter((a) => a.status === 200 && !a.body.duplicate).length, 1, 'exactly one delivery ran the handler');
    assert.deepEqual((({ status, attempts }) => ({ status, attempts }))(await record(failed.id)), { status: 'completed', attempts: 1 });
    assert.equal((await me(as)).failedPayments, 1);
  }));

  it('out of order: an older subscription update delivered after a newer one is skipped (stale)', onDeployment(async ({ send, processed, signIn, user }) => {
    const { as, userId } = await signIn();
    await as.action(api.stripe.createCheckoutSession, {});
    const ev = teller((await user(userId)).stripeCustomerId, 'sub_ExampleOrder000001', userId);
    await processed(ev('customer.subscription.created', T0, { created: T0, periodStart: T0 }));
    const newer = ev('customer.subscription.updated', T0 + MONTH + 60, { created: T0, status: 'active', periodStart: T0 + MONTH });
    const older = ev('customer.subscription.updated', T0 + MONTH, { created: T0, status: 'past_due', periodStart: T0 + MONTH });
    await processed(newer);
    assert.deepEqual(await send(older), { status: 200, body: { received: true, stale: true } });
    assert.deepEqual(await me(as), { membership: 'premium', membershipExpiresAt: ms(T0 + 2 * MONTH), cancelAtPeriodEnd: false, failedPayments: 0 });
  }));

  it('a failing handler: a subscription event before its customer is linked fails (500) and succeeds when Stripe retries it after the checkout', onDeployment(async ({ t, send, processed, signIn, record, logged }) => {
    // A customer made outside createCheckoutSession (a payment link, the Dashboard): linked only by the checkout event.
    const { as, userId } = await signIn();
    const ev = teller('cus_ExampleExternal0001', 'sub_ExampleExternal0001');
    const created = ev('customer.subscription.created', T0 + 1, { created: T0, periodStart: T0 });
    assert.deepEqual(await send(created), { status: 500, body: { error: 'handler_failed' } });
    assert.equal((await me(as)).membership, 'free');
    assert.deepEqual(await t.run((ctx) => ctx.db.query('hookwise_billing').collect()), [], 'the failed run\'s billing state was rolled back with it');
    assert.equal(logged.filter((line) => line.includes(`threw on event ${created.id}`) && line.includes('no user for Stripe customer')).length, 3, 'three runs in the request, each logged');

    await processed(ev('checkout.session.completed', T0 + 2, { clientReferenceId: userId, created: T0 }));
    await processed(created);
    assert.equal((await me(as)).membership, 'premium');
    const { status, attempts, lastError } = await record(created.id);
    assert.deepEqual({ status, attempts }, { status: 'completed', attempts: 2 });
    assert.match(lastError, /no user for Stripe customer cus_ExampleExternal0001/);
  }));

  it('a dead letter: an event that fails on every delivery is dead-lettered at the fifth and not run again', onDeployment(async ({ send, record, logged }) => {
    const event = teller('cus_ExampleNobody00001', 'sub_ExampleNobody00001')('customer.subscription.created', T0, { created: T0, periodStart: T0 });
    for (let i = 1; i <= 4; i += 1) assert.deepEqual(await send(event), { status: 500, body: { error: 'handler_failed' } }, `delivery ${i}`);
    assert.deepEqual(await send(event), { status: 200, body: { received: true, dead_lettered: true } });
    assert.deepEqual(await send(event), { status: 200, body: { received: true, dead_lettered: true } });
    const { status, attempts, lastError } = await record(event.id);
    assert.deepEqual({ status, attempts }, { status: 'dead_lettered', attempts: 5 });
    assert.ok(logged.some((line) => line.includes(event.id) && /dead.letter/i.test(line)), 'the dead letter is logged');
    assert.match(lastError, /no user for Stripe customer cus_ExampleNobody00001/);
  }));

  it('a forged signature is 400 and changes nothing', onDeployment(async ({ send, t }) => {
    const event = teller('cus_ExampleForged00001', 'sub_ExampleForged00001')('customer.subscription.created', T0, { created: T0 });
    const forged = Stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(event), secret: 'whsec_someone_else' });
    const answer = await send(event, { header: forged });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'signature_mismatch');
    assert.deepEqual(await t.run((ctx) => ctx.db.query('hookwise_events').collect()), []);
  }));
});
