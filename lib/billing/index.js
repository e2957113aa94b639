'use strict';
// Billing state (API.md section 8): the pure projection from Stripe events to
// a CustomerState per customer, and the optional refetch from Stripe. How a
// store and the handler use these: lib/billing/README.md. The rules: docs/billing.md.
const { applyEvent, emptyRecord, RECORD_VERSION } = require('./projection');
const { customerState } = require('./customer-state');
const { BILLING_EVENT_TYPES, billingCustomerId, defaultUserId, subscriptionPeriodStart } = require('./fields');
const { Refetcher, refetchNeeds, DEFAULT_WINDOW_MS } = require('./refetch');
const { BillingRefetchError } = require('../errors');

module.exports = {
  applyEvent,
  customerState,
  emptyRecord,
  RECORD_VERSION,
  BILLING_EVENT_TYPES,
  billingCustomerId,
  defaultUserId,
  subscriptionPeriodStart,
  Refetcher,
  refetchNeeds,
  DEFAULT_WINDOW_MS,
  BillingRefetchError,
};
