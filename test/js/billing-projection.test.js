'use strict';
// docs/billing.md, field by field: what each event writes into the
// CustomerState of API.md section 8, userId linking, graceDays,
// entitlements, purchases, deleted customers, refetched objects.
const test = require('node:test');
const assert = require('node:assert/strict');
const { applyEvent, customerState, BILLING_EVENT_TYPES, billingCustomerId, RECORD_VERSION } = require('../../lib/billing');
const { buildEvent, subscription: subscriptionObject, customer: customerObject } = require('../../lib/fixtures');
const { NOW, replay } = require('./support/billing-replay');
const { T0, DAY, MONTH, teller } = require('./support/billing-lifecycles');

const SUB_FIELDS = [
  'id', 'status', 'priceId', 'productId', 'quantity', 'currentPeriodStart', 'currentPeriodEnd',
  'cancelAtPeriodEnd', 'cancelAt', 'canceledAt', 'trialEnd', 'failedPaymentAttempts',
];
const STATE_FIELDS = ['customerId', 'userId', 'email', 'deleted', 'subscription', 'subscriptions', 'hasAccess', 'entitlements', 'purchases', 'updatedAt'];

test('one subscription event gives every CustomerState and SubscriptionState field, with updatedAt = now', () => {
  const { ev, customer, subscription } = teller();
  const out = applyEvent(null, ev('customer.subscription.created', T0 + 1, { created: T0, status: 'trialing', trialEnd: T0 + 7 * DAY, quantity: 2 }), { now: 1234 });
  assert.equal(out.changed, true);
  assert.deepEqual(Object.keys(out.state).sort(), STATE_FIELDS.slice().sort());
  const expectedSub = {
    id: subscription,
    status: 'trialing',
    priceId: 'price_1PremiumMonthly0000000001',
    productId: 'prod_PremiumPlan00001',
    quantity: 2,
    currentPeriodStart: T0,
    currentPeriodEnd: T0 + MONTH,
    cancelAtPeriodEnd: false,
    cancelAt: null,
    canceledAt: null,
    trialEnd: T0 + 7 * DAY,
    failedPaymentAttempts: 0,
  };
  assert.deepEqual(Object.keys(expectedSub), SUB_FIELDS);
  assert.deepEqual(out.state, {
    customerId: customer,
    userId: null,
    email: null,
    deleted: false,
    subscription: expectedSub,
    subscriptions: [expectedSub],
    hasAccess: true,
    entitlements: [],
    purchases: [],
    updatedAt: 1234,
  });
  assert.equal(out.record.v, RECORD_VERSION);
  assert.equal(out.record.customerId, customer);
  // The record is JSON: what a store writes and reads back gives the same state.
  assert.deepEqual(customerState(JSON.parse(JSON.stringify(out.record)), { now: 1234 }), out.state);
});

test('cancellation fields: cancel_at_period_end, cancel_at, canceled_at', () => {
  const { ev } = teller();
  const s = replay([ev('customer.subscription.updated', T0 + 9, { created: T0, status: 'active', cancelAtPeriodEnd: true, canceledAt: T0 + 9 })]).state.subscription;
  assert.equal(s.cancelAtPeriodEnd, true);
  assert.equal(s.cancelAt, T0 + MONTH);
  assert.equal(s.canceledAt, T0 + 9);
});

test('pre-basil subscription: period from the top level, price from the item (or the top-level plan without items)', () => {
  const legacy = subscriptionObject({ id: 'sub_Legacy00000001', customer: 'cus_Legacy00000001', created: T0, periodStart: T0 + 5, periodEnd: T0 + 5 + MONTH, shape: 'legacy' });
  const event = { id: 'evt_legacy1', type: 'customer.subscription.updated', created: T0 + 6, data: { object: legacy } };
  const s = applyEvent(null, event, { now: NOW }).state.subscription;
  assert.equal(s.currentPeriodStart, T0 + 5);
  assert.equal(s.currentPeriodEnd, T0 + 5 + MONTH);
  const noItems = { ...legacy, items: { object: 'list', data: [] } };
  const t = applyEvent(null, { ...event, data: { object: noItems } }, { now: NOW }).state.subscription;
  assert.deepEqual([t.priceId, t.productId, t.quantity, t.currentPeriodEnd], ['price_1PremiumMonthly0000000001', 'prod_PremiumPlan00001', 1, T0 + 5 + MONTH]);
});

test('subscription: active or trialing first, else the newest; subscriptions newest first', () => {
  const { ev } = teller();
  const older = 'sub_Older0000000001';
  const newer = 'sub_Newer0000000001';
  const both = (olderStatus, newerStatus) =>
    replay([
      ev('customer.subscription.updated', T0 + 100, { subscription: older, created: T0, status: olderStatus }),
      ev('customer.subscription.updated', T0 + 100, { subscription: newer, created: T0 + 50, status: newerStatus }),
    ]).state;
  let s = both('active', 'canceled');
  assert.deepEqual(s.subscriptions.map((x) => x.id), [newer, older]);
  assert.equal(s.subscription.id, older);
  assert.equal(s.hasAccess, true);
  s = both('canceled', 'incomplete_expired');
  assert.equal(s.subscription.id, newer);
  assert.equal(s.hasAccess, false);
  s = both('trialing', 'active');
  assert.equal(s.subscription.id, newer);
  s = both('active', 'past_due');
  assert.equal(s.subscription.id, older);
  s = both('past_due', 'unpaid');
  assert.equal(s.subscription.id, newer);
  assert.equal(s.hasAccess, false);
});

test('failedPaymentAttempts: attempt_count of the newest unpaid invoice, 0 once paid; invoices may come first', () => {
  const { ev } = teller();
  const failed = (id, created, at, attemptCount) => ev('invoice.payment_failed', at, { id, created, periodStart: created, attemptCount });
  const sub = ev('customer.subscription.updated', T0 + MONTH + 10, { created: T0, status: 'past_due' });
  let s = replay([failed('in_A000000000001', T0 + MONTH, T0 + MONTH + 1, 1), failed('in_A000000000001', T0 + MONTH, T0 + MONTH + 3 * DAY, 2), sub]).state;
  assert.equal(s.subscription.failedPaymentAttempts, 2);
  s = replay([failed('in_A000000000001', T0 + MONTH, T0 + MONTH + 1, 3), sub, ev('invoice.paid', T0 + MONTH + 5 * DAY, { id: 'in_A000000000001', created: T0 + MONTH })]).state;
  assert.equal(s.subscription.failedPaymentAttempts, 0);
  // Two unpaid invoices: the newer one's count.
  s = replay([failed('in_A000000000001', T0 + MONTH, T0 + MONTH + 1, 4), failed('in_B000000000001', T0 + 2 * MONTH, T0 + 2 * MONTH + 1, 1), sub]).state;
  assert.equal(s.subscription.failedPaymentAttempts, 1);
  // Invoices of another subscription count for that one only.
  s = replay([ev('invoice.payment_failed', T0 + 5, { subscription: 'sub_Other000000001', id: 'in_C000000000001', attemptCount: 2 }), sub]).state;
  assert.equal(s.subscription.failedPaymentAttempts, 0);
});

test('graceDays: past_due keeps access until graceDays after the first failed invoice, whatever the order', () => {
  const { ev } = teller();
  const F = T0 + MONTH + 3600; // first failure
  const events = [
    ev('invoice.payment_failed', F + 3 * DAY, { id: 'in_Grace00000001', created: T0 + MONTH, attemptCount: 2 }),
    ev('customer.subscription.updated', F, { created: T0, periodStart: T0 + MONTH, status: 'past_due' }),
    ev('invoice.payment_failed', F, { id: 'in_Grace00000001', created: T0 + MONTH, attemptCount: 1 }),
  ];
  for (const order of [events, events.slice().reverse()]) {
    const { record } = replay(order, { graceDays: 5 });
    const at = (seconds) => customerState(record, { now: seconds * 1000, graceDays: 5 }).hasAccess;
    assert.equal(at(F + 5 * DAY - 1), true);
    assert.equal(at(F + 5 * DAY), false);
    assert.equal(customerState(record, { now: (F + DAY) * 1000, graceDays: 0 }).hasAccess, false);
    assert.equal(customerState(record, { now: (F + DAY) * 1000 }).hasAccess, false);
  }
  // The state applyEvent returns is computed at its own `now`.
  assert.equal(replay(events, { graceDays: 5 }).state.hasAccess, false);
  assert.equal(applyEvent(null, events[1], { now: (F + DAY) * 1000, graceDays: 5 }).state.hasAccess, true);
});

test('graceDays with no failed invoice seen: counted from the start of the period the renewal bills', () => {
  const { ev } = teller();
  const start = T0 + MONTH;
  const { record } = replay([ev('customer.subscription.updated', start + 3600, { created: T0, periodStart: start, status: 'past_due' })]);
  assert.equal(customerState(record, { now: (start + 2 * DAY - 1) * 1000, graceDays: 2 }).hasAccess, true);
  assert.equal(customerState(record, { now: (start + 2 * DAY) * 1000, graceDays: 2 }).hasAccess, false);
});

test('only active, trialing and past_due-in-grace give access', () => {
  const { ev } = teller();
  const expected = { incomplete: false, trialing: true, paused: false, active: true, past_due: true, unpaid: false, canceled: false, incomplete_expired: false };
  for (const [status, access] of Object.entries(expected)) {
    const { record } = replay([ev('customer.subscription.updated', T0 + 10, { created: T0, periodStart: T0, status })]);
    assert.equal(customerState(record, { now: (T0 + 20) * 1000, graceDays: 1 }).hasAccess, access, status);
  }
});

test('userId: metadata.userId, then checkout client_reference_id; kept when later events carry none', () => {
  const { ev } = teller();
  let s = replay([ev('checkout.session.completed', T0, { clientReferenceId: 'user_ref' })]).state;
  assert.equal(s.userId, 'user_ref');
  s = replay([ev('checkout.session.completed', T0, { clientReferenceId: 'user_ref', metadata: { userId: 'user_meta' } })]).state;
  assert.equal(s.userId, 'user_meta');
  s = replay([
    ev('customer.created', T0, { metadata: { userId: 'user_cus' } }),
    ev('customer.subscription.updated', T0 + 10, { created: T0, status: 'active' }),
    ev('invoice.paid', T0 + 20, {}),
    ev('customer.updated', T0 + 30, { metadata: {} }),
  ]).state;
  assert.equal(s.userId, 'user_cus');
  // client_reference_id counts on checkout sessions only.
  const sub = ev('customer.subscription.updated', T0, { created: T0, status: 'active' });
  sub.data.object.client_reference_id = 'user_not_a_session';
  assert.equal(replay([sub]).state.userId, null);
});

test('userId: a newer event linking another user relinks; an older one does not', () => {
  const { ev } = teller();
  const first = ev('customer.created', T0, { metadata: { userId: 'user_first' } });
  const second = ev('customer.subscription.updated', T0 + 60, { created: T0, status: 'active', metadata: { userId: 'user_second' } });
  assert.equal(replay([first, second]).state.userId, 'user_second');
  assert.equal(replay([second, first]).state.userId, 'user_second');
});

test('userId: options.userId decides the link from any object', () => {
  const { ev } = teller();
  const userId = (object) => (object.object === 'customer' && object.metadata.appUser ? `app:${object.metadata.appUser}` : null);
  const events = [
    ev('customer.created', T0, { metadata: { appUser: '7', userId: 'ignored' } }),
    ev('checkout.session.completed', T0 + 5, { clientReferenceId: 'ignored_too' }),
  ];
  assert.equal(replay(events, { userId }).state.userId, 'app:7');
});

test('email: the customer object decides; checkout and invoice emails only until one is seen', () => {
  const { ev } = teller();
  const checkout = ev('checkout.session.completed', T0 + 100, { email: 'typed@example.com' });
  assert.equal(replay([checkout]).state.email, 'typed@example.com');
  assert.equal(replay([checkout, ev('customer.created', T0, { email: 'customer@example.com' })]).state.email, 'customer@example.com');
  assert.equal(replay([ev('customer.created', T0, { email: 'customer@example.com' }), checkout]).state.email, 'customer@example.com');
});

test('customer.deleted: deleted, no access, and an older customer.updated does not bring it back', () => {
  const { ev } = teller();
  const events = [
    ev('customer.subscription.updated', T0 + 1, { created: T0, status: 'active' }),
    ev('customer.deleted', T0 + 50, { email: 'gone@example.com' }),
    ev('customer.updated', T0 + 40, { email: 'before@example.com' }),
  ];
  for (const order of [events, [events[0], events[2], events[1]]]) {
    const s = replay(order).state;
    assert.equal(s.deleted, true);
    assert.equal(s.hasAccess, false);
    assert.equal(s.email, 'gone@example.com');
  }
});

test('entitlements: active lookup keys of the newest summary, sorted and unique; an empty summary clears them', () => {
  const { ev } = teller();
  const a = ev('entitlements.active_entitlement_summary.updated', T0 + 1, { lookupKeys: ['seats', 'api', 'seats'] });
  const b = ev('entitlements.active_entitlement_summary.updated', T0 + 2, { lookupKeys: [] });
  assert.deepEqual(replay([a]).state.entitlements, ['api', 'seats']);
  assert.deepEqual(replay([a, b]).state.entitlements, []);
  assert.deepEqual(replay([b, a]).state.entitlements, []);
});

test('purchases: paid one-off checkouts only, newest first, each once', () => {
  const { ev } = teller();
  const one = ev('checkout.session.completed', T0 + 10, { id: 'cs_test_One0000000001', mode: 'payment', created: T0 + 10, amountTotal: 4900, paymentIntent: 'pi_One0000000000001' });
  const two = ev('checkout.session.completed', T0 + 20, { id: 'cs_test_Two0000000001', mode: 'payment', created: T0 + 20, amountTotal: 1500, paymentIntent: 'pi_Two0000000000001' });
  const unpaid = ev('checkout.session.completed', T0 + 30, { id: 'cs_test_Unpaid000001', mode: 'payment', paymentStatus: 'unpaid' });
  const subscriptionMode = ev('checkout.session.completed', T0 + 40, { id: 'cs_test_Sub000000001' });
  const s = replay([one, two, unpaid, subscriptionMode, one]).state;
  assert.deepEqual(s.purchases, [
    { checkoutSessionId: 'cs_test_Two0000000001', paymentIntentId: 'pi_Two0000000000001', amountTotal: 1500, currency: 'usd', created: T0 + 20 },
    { checkoutSessionId: 'cs_test_One0000000001', paymentIntentId: 'pi_One0000000000001', amountTotal: 4900, currency: 'usd', created: T0 + 10 },
  ]);
});

test('events it does not read, and events naming no customer, change nothing', () => {
  const { ev } = teller();
  const guest = ev('checkout.session.completed', T0, { mode: 'payment' });
  guest.data.object.customer = null;
  assert.deepEqual(applyEvent(null, guest, { now: NOW }), { record: null, state: null, changed: false });
  const other = { id: 'evt_x', type: 'payment_intent.succeeded', created: T0, data: { object: { id: 'pi_1', customer: 'cus_1' } } };
  assert.deepEqual(applyEvent(null, other, { now: NOW }), { record: null, state: null, changed: false });
  assert.equal(billingCustomerId(other), null);
  const { record } = replay([ev('customer.created', T0, {})]);
  const again = applyEvent(record, other, { now: NOW + 1 });
  assert.equal(again.changed, false);
  assert.equal(again.record, record);
  for (const type of BILLING_EVENT_TYPES) assert.equal(typeof billingCustomerId(buildEvent(type, { customer: 'cus_Typed0000000001' })), 'string', type);
});

test('bad arguments are TypeErrors naming the argument', () => {
  const { ev } = teller();
  const e = ev('customer.created', T0, {});
  assert.throws(() => applyEvent(null, e), /options/);
  assert.throws(() => applyEvent(null, e, { now: 'soon' }), /options\.now/);
  assert.throws(() => applyEvent(null, e, { now: 1, graceDays: -1 }), /options\.graceDays/);
  assert.throws(() => applyEvent(null, e, { now: 1, userId: 'metadata.userId' }), /options\.userId/);
  assert.throws(() => applyEvent({ v: 99 }, e, { now: 1 }), /record/);
  const other = replay([teller({ customer: 'cus_Other0000000001' }).ev('customer.created', T0, {})]).record;
  assert.throws(() => applyEvent(other, e, { now: 1 }), /cus_Other0000000001/);
});

test('fetched objects replace the payload of customer and subscription events', () => {
  const { ev, customer, subscription } = teller();
  const payload = ev('customer.subscription.updated', T0 + 10, { created: T0, status: 'active' });
  const current = subscriptionObject({ id: subscription, customer, created: T0, status: 'past_due' });
  const sibling = subscriptionObject({ id: 'sub_Sibling00000001', customer, created: T0 + 5, status: 'canceled', canceledAt: T0 + 6 });
  const foreign = subscriptionObject({ id: 'sub_Foreign00000001', customer: 'cus_Someone0000001', created: T0 });
  const fetched = { at: (T0 + 12) * 1000, subscriptions: [current, sibling, foreign] };
  const out = applyEvent(null, payload, { now: NOW, fetched });
  assert.deepEqual(out.state.subscriptions.map((s) => [s.id, s.status]), [['sub_Sibling00000001', 'canceled'], [subscription, 'past_due']]);
  // Versioned by the fetch time: the payload of an event older than the fetch does not undo it.
  const older = applyEvent(out.record, ev('customer.subscription.updated', T0 + 11, { created: T0, status: 'active' }), { now: NOW });
  assert.equal(older.changed, false);
  assert.equal(older.state.subscriptions.find((s) => s.id === subscription).status, 'past_due');
  assert.equal(applyEvent(out.record, payload, { now: NOW }).changed, false);
  // A subscription Stripe did not return: the payload stands in.
  const missing = applyEvent(null, payload, { now: NOW, fetched: { at: (T0 + 12) * 1000, subscriptions: [] } });
  assert.equal(missing.state.subscription.status, 'active');
  // The API's deleted-customer stub.
  const deleted = applyEvent(null, ev('customer.updated', T0 + 10, { email: 'x@example.com' }), { now: NOW, fetched: { at: (T0 + 11) * 1000, customer: customerObject({ id: customer, deleted: true }) } });
  assert.equal(deleted.state.deleted, true);
  assert.equal(deleted.state.email, null);
});

test(`settled invoices beyond the kept number leave a floor; a late event for a dropped invoice changes nothing`, () => {
  const { ev } = teller();
  const { SETTLED_INVOICES_KEPT } = require('../../lib/billing/projection');
  const events = [ev('customer.subscription.updated', T0 + 1, { created: T0, status: 'active' })];
  for (let m = 0; m < SETTLED_INVOICES_KEPT + 2; m += 1) {
    events.push(ev('invoice.paid', T0 + m * MONTH + 60, { id: `in_Many${String(m).padStart(9, '0')}`, created: T0 + m * MONTH, periodStart: T0 + m * MONTH }));
  }
  const { record } = replay(events);
  assert.equal(Object.keys(record.invoices).length, SETTLED_INVOICES_KEPT);
  assert.equal(record.invoices.in_Many000000000, undefined);
  const late = ev('invoice.payment_failed', T0 + 30, { id: 'in_Many000000000', created: T0, attemptCount: 1 });
  const out = applyEvent(record, late, { now: NOW + 1 });
  assert.equal(out.changed, false);
  assert.equal(out.state.subscription.failedPaymentAttempts, 0);
});
