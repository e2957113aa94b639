'use strict';
// docs/billing.md "Order": the record after a set of events is the same in
// every delivery order and under duplicates. Short lifecycles are replayed in
// all their orders, long ones in a seeded random sample with duplicates; each
// also checks the final state by hand, so "every order agrees" cannot hide
// "every order is wrong".
const test = require('node:test');
const assert = require('node:assert/strict');
const { replay, replayEveryOrder, shuffledWithDuplicates, recordText, describeOrder } = require('./support/billing-replay');
const { seededRandom } = require('./support/random');
const { T0, DAY, MONTH, teller, renewalRecovered, trialConverts } = require('./support/billing-lifecycles');

function assertEveryOrder(events, options = {}) {
  const reference = replay(events, options);
  const expected = recordText(reference.record);
  let count = 0;
  replayEveryOrder(events, options, (order, got) => {
    if (recordText(got.record) !== expected) {
      assert.deepEqual(got.state, reference.state, `order: ${describeOrder(order)}`);
      assert.equal(recordText(got.record), expected, `order: ${describeOrder(order)}`);
    }
    count += 1;
  });
  return { reference, count };
}

function assertSampledOrders(events, { seed, samples, duplicates, options = {} }) {
  const rng = seededRandom(seed);
  const reference = replay(events, options);
  const expected = recordText(reference.record);
  for (let s = 0; s < samples; s += 1) {
    const order = shuffledWithDuplicates(events, rng, duplicates);
    const got = replay(order, options);
    if (recordText(got.record) !== expected) {
      assert.deepEqual(got.state, reference.state, `seed ${rng.seed}, sample ${s}: ${describeOrder(order)}`);
      assert.equal(recordText(got.record), expected, `seed ${rng.seed}, sample ${s}: ${describeOrder(order)}`);
    }
  }
  return reference;
}

test('renewal failed then recovered: all 40320 orders give one state — active, user linked, 0 failed attempts', () => {
  const l = renewalRecovered();
  const { reference, count } = assertEveryOrder(l.events);
  assert.equal(count, 40320);
  const s = reference.state;
  assert.equal(s.customerId, l.customer);
  assert.equal(s.userId, 'user_42');
  assert.equal(s.email, 'jenny@example.com');
  assert.equal(s.subscription.status, 'active');
  assert.equal(s.subscription.currentPeriodStart, l.T1);
  assert.equal(s.subscription.failedPaymentAttempts, 0);
  assert.equal(s.hasAccess, true);
});

test('the same lifecycle in the pre-basil shape (top-level period, invoice.subscription): same states in all orders', () => {
  // Without customer.created (7 events, 5040 orders): the shapes differ only in subscriptions and invoices.
  const current = renewalRecovered().events.slice(1);
  const legacy = renewalRecovered({ shape: 'legacy' }).events.slice(1);
  assert.equal(legacy[1].data.object.items.data[0].current_period_end, undefined);
  assert.equal(typeof legacy[1].data.object.current_period_end, 'number');
  assert.equal(legacy[3].data.object.parent, undefined);
  assert.equal(typeof legacy[3].data.object.subscription, 'string');
  const { reference, count } = assertEveryOrder(legacy);
  assert.equal(count, 5040);
  assert.deepEqual(reference.state, replay(current).state);
});

test('a trial that converts: all orders end active with the entitlements, trialEnd kept', () => {
  const l = trialConverts();
  const { reference, count } = assertEveryOrder(l.events);
  assert.equal(count, 120);
  assert.equal(reference.state.subscription.status, 'active');
  assert.equal(reference.state.subscription.trialEnd, l.trialEnd);
  assert.deepEqual(reference.state.entitlements, ['api', 'premium']);
});

test('same second: updated, deleted and a late past_due for one subscription — canceled in all orders', () => {
  const { ev } = teller();
  const at = T0 + 5 * DAY;
  const events = [
    ev('customer.subscription.created', T0, { created: T0, status: 'active' }),
    ev('customer.subscription.updated', at, { created: T0, status: 'active', cancelAtPeriodEnd: true }),
    ev('customer.subscription.deleted', at, { created: T0, canceledAt: at }),
    ev('customer.subscription.updated', at, { created: T0, status: 'past_due' }),
  ];
  const { reference } = assertEveryOrder(events);
  assert.equal(reference.state.subscription.status, 'canceled');
  assert.equal(reference.state.subscription.canceledAt, at);
  assert.equal(reference.state.hasAccess, false);
});

test('a canceled subscription stays canceled even when an update with a later timestamp arrives', () => {
  const { ev } = teller();
  const events = [
    ev('customer.subscription.deleted', T0 + 10, { created: T0, canceledAt: T0 + 10 }),
    ev('customer.subscription.updated', T0 + 11, { created: T0, status: 'active' }),
  ];
  const { reference } = assertEveryOrder(events);
  assert.equal(reference.state.subscription.status, 'canceled');
});

test('same second: active does not undo past_due, incomplete and trialing do not undo active; different seconds: the newer wins', () => {
  const { ev } = teller();
  const tie = [
    ev('customer.subscription.updated', T0 + 50, { created: T0, status: 'active' }),
    ev('customer.subscription.updated', T0 + 50, { created: T0, status: 'past_due' }),
  ];
  assert.equal(assertEveryOrder(tie).reference.state.subscription.status, 'past_due');
  const later = [
    ev('customer.subscription.updated', T0 + 50, { created: T0, status: 'past_due' }),
    ev('customer.subscription.updated', T0 + 51, { created: T0, status: 'active' }),
  ];
  assert.equal(assertEveryOrder(later).reference.state.subscription.status, 'active');
  // Checkout's usual pair: created incomplete and updated active in one second.
  const signup = [
    ev('customer.subscription.created', T0 + 60, { created: T0 + 60, status: 'incomplete' }),
    ev('customer.subscription.updated', T0 + 60, { created: T0 + 60, status: 'active' }),
    ev('customer.subscription.trial_will_end', T0 + 60, { created: T0 + 60 }),
  ];
  assert.equal(assertEveryOrder(signup).reference.state.subscription.status, 'active');
});

test('same second, same status, different fields: one deterministic winner in both orders', () => {
  const { ev } = teller();
  const events = [
    ev('customer.subscription.updated', T0 + 50, { created: T0, status: 'active', cancelAtPeriodEnd: true }),
    ev('customer.subscription.updated', T0 + 50, { created: T0, status: 'active', cancelAtPeriodEnd: false }),
  ];
  assertEveryOrder(events);
});

test('same second: a paid invoice is not reopened by its payment_failed', () => {
  const { ev } = teller();
  const events = [
    ev('customer.subscription.created', T0, { created: T0, status: 'active' }),
    ev('invoice.payment_failed', T0 + 7, { id: 'in_Tie0000000001', created: T0, attemptCount: 1 }),
    ev('invoice.payment_succeeded', T0 + 7, { id: 'in_Tie0000000001', created: T0, attemptCount: 1 }),
  ];
  const { reference } = assertEveryOrder(events);
  assert.equal(reference.state.subscription.failedPaymentAttempts, 0);
});

test('subscription events before the customer exists: the customer state is made from the subscription', () => {
  const { ev, customer } = teller();
  const events = [
    ev('customer.subscription.created', T0 + 1, { created: T0, status: 'incomplete' }),
    ev('customer.subscription.updated', T0 + 2, { created: T0, status: 'active' }),
    ev('customer.created', T0, { created: T0, email: 'early@example.com', metadata: { userId: 'user_early' } }),
  ];
  const first = replay(events.slice(0, 1)).state;
  assert.equal(first.customerId, customer);
  assert.equal(first.email, null);
  assert.equal(first.subscription.status, 'incomplete');
  const { reference } = assertEveryOrder(events);
  assert.equal(reference.state.email, 'early@example.com');
  assert.equal(reference.state.userId, 'user_early');
  assert.equal(reference.state.subscription.status, 'active');
});

// A year of one customer: monthly renewals (two failing then paid, one
// failing for good), an upgrade to a second subscription, cancellation at
// period end, entitlements changing, customer email change, two one-off
// purchases. 34 events, sampled in 1500 random orders with duplicates.
function aYear() {
  const { ev, customer } = teller({ subscription: 'sub_YearBasic000001' });
  const basic = 'sub_YearBasic000001';
  const pro = 'sub_YearPro00000001';
  const events = [
    ev('customer.created', T0, { created: T0, email: 'old@example.com' }),
    ev('checkout.session.completed', T0 + 3, { id: 'cs_test_YearSignup01', created: T0, clientReferenceId: 'user_year' }),
    ev('customer.subscription.created', T0 + 1, { subscription: basic, created: T0, status: 'incomplete' }),
    ev('customer.subscription.updated', T0 + 2, { subscription: basic, created: T0, status: 'active' }),
    ev('entitlements.active_entitlement_summary.updated', T0 + 2, { lookupKeys: ['basic'] }),
  ];
  for (let m = 0; m < 6; m += 1) {
    const start = T0 + m * MONTH;
    const inv = `in_YearBasic${String(m).padStart(4, '0')}`;
    if (m === 2 || m === 4) {
      events.push(ev('invoice.payment_failed', start + 3600, { subscription: basic, id: inv, created: start, periodStart: start, attemptCount: 1 }));
      events.push(ev('customer.subscription.updated', start + 3600, { subscription: basic, created: T0, periodStart: start, status: 'past_due' }));
      events.push(ev('invoice.payment_failed', start + 3 * DAY, { subscription: basic, id: inv, created: start, periodStart: start, attemptCount: 2 }));
      events.push(ev('invoice.paid', start + 5 * DAY, { subscription: basic, id: inv, created: start, periodStart: start, attemptCount: 3 }));
      events.push(ev('customer.subscription.updated', start + 5 * DAY, { subscription: basic, created: T0, periodStart: start, status: 'active' }));
    } else {
      events.push(ev('invoice.paid', start + 3600, { subscription: basic, id: inv, created: start, periodStart: start }));
      if (m > 0) events.push(ev('customer.subscription.updated', start + 3600, { subscription: basic, created: T0, periodStart: start, status: 'active' }));
    }
  }
  const up = T0 + 6 * MONTH + 10 * DAY;
  events.push(
    ev('customer.updated', up - DAY, { created: T0, email: 'new@example.com' }),
    ev('customer.subscription.created', up, { subscription: pro, created: up, status: 'active', quantity: 3 }),
    ev('invoice.paid', up, { subscription: pro, id: 'in_YearPro0000000', created: up, periodStart: up }),
    ev('customer.subscription.deleted', up, { subscription: basic, created: T0, periodStart: T0 + 6 * MONTH, canceledAt: up }),
    ev('entitlements.active_entitlement_summary.updated', up, { lookupKeys: ['pro', 'basic', 'pro'] }),
    ev('checkout.session.completed', up + DAY, { id: 'cs_test_YearBuyOne01', mode: 'payment', created: up + DAY, amountTotal: 4900, paymentIntent: 'pi_YearOne000000001' }),
    ev('checkout.session.completed', up + 2 * DAY, { id: 'cs_test_YearBuyTwo01', mode: 'payment', created: up + 2 * DAY, amountTotal: 900, paymentIntent: 'pi_YearTwo000000001' }),
    ev('checkout.session.completed', up + 2 * DAY, { id: 'cs_test_YearUnpaid01', mode: 'payment', created: up + 2 * DAY, paymentStatus: 'unpaid' }),
  );
  const renew = up + MONTH;
  events.push(
    ev('invoice.payment_failed', renew + 3600, { subscription: pro, id: 'in_YearPro0000001', created: renew, periodStart: renew, attemptCount: 1 }),
    ev('customer.subscription.updated', renew + 3600, { subscription: pro, created: up, periodStart: renew, status: 'past_due', quantity: 3 }),
    ev('invoice.payment_failed', renew + 5 * DAY, { subscription: pro, id: 'in_YearPro0000001', created: renew, periodStart: renew, attemptCount: 2 }),
    ev('customer.subscription.updated', renew + 6 * DAY, { subscription: pro, created: up, periodStart: renew, status: 'past_due', quantity: 3, cancelAtPeriodEnd: true }),
  );
  return { events, customer, basic, pro, up, renew };
}

test('a year of one customer: 1500 random orders with duplicates give one state, and it is the right one', () => {
  const y = aYear();
  assert.ok(y.events.length >= 30, `${y.events.length} events`);
  const reference = assertSampledOrders(y.events, { seed: 0xb111, samples: 1500, duplicates: 0.5, options: { graceDays: 7 } });
  const s = reference.state;
  assert.equal(s.userId, 'user_year');
  assert.equal(s.email, 'new@example.com');
  assert.deepEqual(s.subscriptions.map((x) => [x.id, x.status]), [[y.pro, 'past_due'], [y.basic, 'canceled']]);
  assert.equal(s.subscription.id, y.pro);
  assert.equal(s.subscription.quantity, 3);
  assert.equal(s.subscription.cancelAtPeriodEnd, true);
  assert.equal(s.subscription.failedPaymentAttempts, 2);
  assert.equal(s.subscriptions[1].failedPaymentAttempts, 0);
  assert.deepEqual(s.entitlements, ['basic', 'pro']);
  assert.deepEqual(s.purchases.map((p) => [p.checkoutSessionId, p.amountTotal, p.paymentIntentId]), [
    ['cs_test_YearBuyTwo01', 900, 'pi_YearTwo000000001'],
    ['cs_test_YearBuyOne01', 4900, 'pi_YearOne000000001'],
  ]);
  // Applied at NOW (long after), the 7-day grace from the first failure has run out.
  assert.equal(s.hasAccess, false);
});

test('a year in the pre-basil shape: the same sampled orders agree with the current shape', () => {
  const current = aYear();
  const { events } = (() => {
    const { ev } = teller({ subscription: 'sub_YearBasic000001', shape: 'legacy' });
    return { events: current.events.map((e) => rebuildLegacy(ev, e)) };
  })();
  const reference = assertSampledOrders(events, { seed: 0xb112, samples: 300, duplicates: 0.3 });
  assert.deepEqual(reference.state, replay(current.events).state);
});

// The same event in the legacy shape: only the object's shape differs.
function rebuildLegacy(ev, event) {
  const o = event.data.object;
  if (o.object === 'subscription') {
    const { current_period_start: start, current_period_end: end, ...item } = o.items.data[0];
    return { ...event, data: { ...event.data, object: { ...o, current_period_start: start, current_period_end: end, items: { ...o.items, data: [item] } } } };
  }
  if (o.object === 'invoice') {
    const { parent, ...rest } = o;
    return { ...event, data: { ...event.data, object: { ...rest, subscription: parent.subscription_details.subscription } } };
  }
  return event;
}

test('duplicates change nothing: the second delivery of each event reports changed: false', () => {
  const l = renewalRecovered();
  const doubled = l.events.flatMap((e) => [e, e]);
  const { changes } = replay(doubled);
  changes.forEach((changed, i) => assert.equal(changed, i % 2 === 0, `${doubled[i].type} #${i}`));
});
