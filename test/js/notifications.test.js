'use strict';
// API.md section 2: parseEventNotification(Async) and
// constructEventWithoutVerification, cross-checked with stripe-node, once per
// implementation.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const Stripe = require('stripe');
const { ENGINES } = require('./support/engines');
const fixtures = require('../fixtures/events/generate');

const secret = 'whsec_notifications';
const stripe = new Stripe('sk_test_notifications');

const thin = {
  id: 'evt_test_65R9Ijk8NOTIFICATION',
  object: 'v2.core.event',
  type: 'v1.billing.meter.error_report_triggered',
  livemode: false,
  created: '2025-03-31T12:00:00.000Z',
  context: null,
  related_object: { id: 'mtr_test_61R9', type: 'billing.meter', url: '/v1/billing/meters/mtr_test_61R9' },
  reason: { type: 'request', request: { id: 'req_v2abc', idempotency_key: 'c7f1' } },
};
const thinText = JSON.stringify(thin, null, 2);
for (const { name: implementation, hookwise } of ENGINES) describe(implementation, () => {
  const sign = (payload) => hookwise.generateTestHeaderString({ payload, secret });

  test('parseEventNotification returns the thin event as JSON.parse does', async () => {
    for (const payload of [thinText, Buffer.from(thinText)]) {
      assert.deepStrictEqual(hookwise.parseEventNotification(payload, sign(thinText), secret), JSON.parse(thinText));
      assert.deepStrictEqual(await hookwise.parseEventNotificationAsync(payload, sign(thinText), secret), JSON.parse(thinText));
    }
    // stripe-node adds fetchEvent/fetchRelatedObject methods; the data is the same.
    const reference = stripe.parseEventNotification(thinText, sign(thinText), secret);
    assert.equal(JSON.stringify(hookwise.parseEventNotification(thinText, sign(thinText), secret)), JSON.stringify({ ...reference, context: null }));
  });

  test('parseEventNotification verifies the signature first', async () => {
    assert.throws(() => hookwise.parseEventNotification(thinText, sign('{}'), secret), { code: 'signature_mismatch' });
    await assert.rejects(hookwise.parseEventNotificationAsync(thinText, 't=1,v1=00', secret), hookwise.SignatureVerificationError);
    assert.throws(() => hookwise.parseEventNotification('{"id":', sign('{"id":'), secret), SyntaxError);
  });

  test('parseEventNotification given a v1 event throws an Error naming constructEvent', async () => {
    const text = fixtures.text(fixtures.fixture('invoice.paid'));
    assert.throws(() => hookwise.parseEventNotification(text, sign(text), secret), (err) => err instanceof Error && /constructEvent/.test(err.message));
    await assert.rejects(hookwise.parseEventNotificationAsync(text, sign(text), secret), /constructEvent/);
    // stripe-node refuses it too.
    assert.throws(() => stripe.parseEventNotification(text, sign(text), secret), /constructEvent/);
    const other = '{"object":"customer","id":"cus_1"}';
    assert.throws(() => hookwise.parseEventNotification(other, sign(other), secret), /v2\.core\.event/);
  });

  test('constructEvent and constructEventAsync refuse thin events, naming parseEventNotification', async () => {
    assert.throws(() => hookwise.constructEvent(thinText, sign(thinText), secret), /parseEventNotification/);
    await assert.rejects(hookwise.constructEventAsync(Buffer.from(thinText), sign(thinText), secret), /parseEventNotification/);
  });

  const event = fixtures.fixture('checkout.session.completed');
  const eventBridge = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'checkout.session.completed',
    source: 'aws.partner/stripe.com/ed_test_61R9',
    account: '111122223333',
    time: '2025-03-31T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: event,
  };
  const eventGrid = {
    specversion: '1.0',
    type: 'checkout.session.completed',
    source: 'stripe.com/ed_test_61R9',
    id: 'evt_1QmXA12eZvKYlo2CkD5rT9aB',
    time: '2025-03-31T12:00:00Z',
    datacontenttype: 'application/json',
    data: event,
  };

  test('constructEventWithoutVerification unwraps EventBridge and Event Grid, passes raw events through', () => {
    for (const envelope of [eventBridge, eventGrid, event]) {
      const text = JSON.stringify(envelope);
      for (const payload of [text, Buffer.from(text), new Uint8Array(Buffer.from(text))]) {
        const got = hookwise.constructEventWithoutVerification(payload);
        assert.deepStrictEqual(got, event);
        assert.deepStrictEqual(got, stripe.webhooks.constructEventWithoutVerification(payload));
      }
    }
    assert.equal(hookwise.webhooks.constructEventWithoutVerification, hookwise.constructEventWithoutVerification);
  });

  test('constructEventWithoutVerification: the errors stripe-node gives, stated clearly', () => {
    const thinInBridge = JSON.stringify({ ...eventBridge, detail: thin });
    assert.throws(() => hookwise.constructEventWithoutVerification(thinInBridge), /parseEventNotification/);
    assert.throws(() => stripe.webhooks.constructEventWithoutVerification(thinInBridge), /thin event/);
    for (const text of ['{"object":"customer"}', '[1]', '"str"', 'null']) {
      assert.throws(() => hookwise.constructEventWithoutVerification(text), /unrecognized event format/);
    }
    assert.throws(() => hookwise.constructEventWithoutVerification('{"detail":'), SyntaxError);
    assert.throws(() => hookwise.constructEventWithoutVerification({ detail: {} }), TypeError);
    assert.throws(() => hookwise.constructEventWithoutVerification(undefined), TypeError);
  });
});
