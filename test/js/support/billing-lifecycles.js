'use strict';
// Customer lifecycles told as Stripe would send them, built with
// lib/fixtures: fixed ids and times so every test can name what it expects.
const { buildEvent, DAY, MONTH } = require('../../../lib/fixtures');

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

/** A lifecycle's builder: events for one customer and one subscription, with explicit event times. */
function teller({ customer = 'cus_TestLifecycle000001', subscription = 'sub_TestLifecycle000001', shape = 'current' } = {}) {
  let n = 0;
  const ev = (type, at, options = {}) => {
    n += 1;
    return buildEvent(type, { customer, subscription, shape, ...options, event: { id: `evt_${type.replace(/\W/g, '')}${String(n).padStart(4, '0')}`, created: at } });
  };
  return { customer, subscription, ev };
}

/**
 * Sign-up through checkout, first invoice paid, one renewal failing then paid:
 * active, past_due, active again. Seven events over a month.
 */
function renewalRecovered(opts) {
  const { customer, subscription, ev } = teller(opts);
  const T1 = T0 + MONTH;
  const sub = { created: T0, periodStart: T0 };
  const renewed = { created: T0, periodStart: T1 };
  return {
    customer,
    subscription,
    T1,
    events: [
      ev('customer.created', T0, { created: T0, email: 'jenny@example.com' }),
      ev('checkout.session.completed', T0 + 2, { id: 'cs_test_Signup0001', created: T0, clientReferenceId: 'user_42' }),
      ev('customer.subscription.created', T0 + 1, { ...sub, status: 'active' }),
      ev('invoice.paid', T0 + 1, { id: 'in_First000001', created: T0, periodStart: T0, billingReason: 'subscription_create' }),
      ev('invoice.payment_failed', T1 + 3600, { id: 'in_Renewal00001', created: T1, periodStart: T1, attemptCount: 1 }),
      ev('customer.subscription.updated', T1 + 3600, { ...renewed, status: 'past_due' }),
      ev('invoice.paid', T1 + 3 * DAY, { id: 'in_Renewal00001', created: T1, periodStart: T1, attemptCount: 2 }),
      ev('customer.subscription.updated', T1 + 3 * DAY, { ...renewed, status: 'active', previousAttributes: { status: 'past_due' } }),
    ],
  };
}

/** A trial that converts: trialing, trial_will_end, active with its first paid invoice. */
function trialConverts(opts) {
  const { customer, subscription, ev } = teller(opts);
  const trialEnd = T0 + 14 * DAY;
  return {
    customer,
    subscription,
    trialEnd,
    events: [
      ev('customer.subscription.created', T0, { created: T0, status: 'trialing', trialEnd, periodStart: T0, periodEnd: trialEnd }),
      ev('customer.subscription.trial_will_end', trialEnd - 3 * DAY, { created: T0, trialEnd, periodStart: T0, periodEnd: trialEnd }),
      ev('customer.subscription.updated', trialEnd, { created: T0, status: 'active', trialEnd, periodStart: trialEnd, previousAttributes: { status: 'trialing' } }),
      ev('invoice.paid', trialEnd, { id: 'in_AfterTrial001', created: trialEnd, periodStart: trialEnd }),
      ev('entitlements.active_entitlement_summary.updated', trialEnd, { lookupKeys: ['premium', 'api'] }),
    ],
  };
}

module.exports = { T0, DAY, MONTH, teller, renewalRecovered, trialConverts };
