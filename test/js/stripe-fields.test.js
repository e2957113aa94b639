'use strict';
// API.md section 3 on the shapes Stripe sends before and after the
// 2025-03-31.basil API version, expanded and unexpanded.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { ENGINES } = require('./support/engines');
const fixtures = require('../fixtures/events/generate');

for (const { name: implementation, hookwise } of ENGINES) describe(implementation, () => {
  const { subscriptionPeriodEnd, invoiceSubscriptionId } = hookwise;

  test('subscriptionPeriodEnd: basil shape reads the items', () => {
    const sub = fixtures.fixture('customer.subscription.created').data.object;
    assert.equal(sub.current_period_end, undefined);
    assert.equal(subscriptionPeriodEnd(sub), 1743465600);
  });

  test('subscriptionPeriodEnd: the latest of several items', () => {
    const sub = structuredClone(fixtures.fixture('customer.subscription.created').data.object);
    const item = sub.items.data[0];
    sub.items.data = [
      { ...item, id: 'si_a', current_period_end: 1743465600 },
      { ...item, id: 'si_b', current_period_end: 1775001600 },
      { ...item, id: 'si_c', current_period_end: 1740787200 },
    ];
    assert.equal(subscriptionPeriodEnd(sub), 1775001600);
  });

  test('subscriptionPeriodEnd: pre-basil shape reads the top level', () => {
    const sub = fixtures.fixture('customer.subscription.updated').data.object;
    assert.equal(sub.items.data[0].current_period_end, undefined);
    assert.equal(subscriptionPeriodEnd(sub), 1732678400);
    // No items at all (a deleted subscription's list can be empty).
    assert.equal(subscriptionPeriodEnd(fixtures.fixture('customer.subscription.deleted').data.object), 1732678400);
  });

  test('subscriptionPeriodEnd: items win over a stale top-level value; null when neither exists', () => {
    assert.equal(subscriptionPeriodEnd({ current_period_end: 1, items: { data: [{ current_period_end: 2 }] } }), 2);
    assert.equal(subscriptionPeriodEnd({ items: { data: [{ current_period_end: null }] }, current_period_end: 5 }), 5);
    assert.equal(subscriptionPeriodEnd({ id: 'sub_1', object: 'subscription' }), null);
    assert.equal(subscriptionPeriodEnd({ items: { data: [] } }), null);
    assert.equal(subscriptionPeriodEnd({ items: null, current_period_end: '5' }), null);
  });

  test('subscriptionPeriodEnd: an unexpanded subscription (its id) or nothing is a TypeError', () => {
    for (const bad of ['sub_1QmXA02eZvKYlo2CzYxWvUtS', null, undefined, 42, []]) {
      assert.throws(() => subscriptionPeriodEnd(bad), TypeError);
    }
  });

  test('invoiceSubscriptionId: basil shape, unexpanded and expanded', () => {
    const invoice = fixtures.fixture('invoice.paid').data.object;
    assert.equal(invoice.subscription, undefined);
    assert.equal(invoiceSubscriptionId(invoice), 'sub_1QmXA02eZvKYlo2CzYxWvUtS');
    const expanded = structuredClone(invoice);
    expanded.parent.subscription_details.subscription = fixtures.fixture('customer.subscription.created').data.object;
    assert.equal(invoiceSubscriptionId(expanded), 'sub_1QmXA02eZvKYlo2CzYxWvUtS');
  });

  test('invoiceSubscriptionId: pre-basil shape, unexpanded and expanded', () => {
    const invoice = fixtures.fixture('invoice.payment_failed').data.object;
    assert.equal(invoice.parent, undefined);
    assert.equal(invoiceSubscriptionId(invoice), 'sub_1PzYA02eZvKYlo2CoLdShApE');
    const expanded = { ...invoice, subscription: fixtures.fixture('customer.subscription.updated').data.object };
    assert.equal(invoiceSubscriptionId(expanded), 'sub_1PzYA02eZvKYlo2CoLdShApE');
  });

  test('invoiceSubscriptionId: null for invoices without a subscription', () => {
    assert.equal(invoiceSubscriptionId({ id: 'in_1', object: 'invoice', subscription: null }), null);
    assert.equal(invoiceSubscriptionId({ id: 'in_1', parent: null }), null);
    assert.equal(invoiceSubscriptionId({ id: 'in_1', parent: { type: 'quote_details', quote_details: { quote: 'qt_1' }, subscription_details: null } }), null);
    assert.equal(invoiceSubscriptionId({ id: 'in_1', subscription: '' }), null);
  });

  test('invoiceSubscriptionId: the basil location wins when both are present', () => {
    assert.equal(invoiceSubscriptionId({ subscription: 'sub_old', parent: { subscription_details: { subscription: 'sub_new' } } }), 'sub_new');
  });

  test('invoiceSubscriptionId: an unexpanded invoice (its id) or nothing is a TypeError', () => {
    for (const bad of ['in_1', null, undefined, 7]) assert.throws(() => invoiceSubscriptionId(bad), TypeError);
  });
});
