'use strict';
// The billing module's one error class. (It belongs with the others in
// lib/errors.js; it lives here until the handler integration moves it.)

/**
 * Thrown when `refetch` could not read the current objects from Stripe. The
 * event's billing state is not applied, so the delivery must fail (500) and
 * Stripe sends it again; `code` says why:
 * - `rate_limited`: Stripe answered 429 (after stripe-node's own retries);
 * - `stripe_error`: any other API error (`cause` is stripe-node's error);
 * - `connection_error`: Stripe could not be reached.
 */
class BillingRefetchError extends Error {
  constructor(code, customerId, cause) {
    const what = code === 'rate_limited' ? 'Stripe rate-limited the request (429)' : code === 'connection_error' ? 'Stripe could not be reached' : 'Stripe answered with an error';
    const detail = cause && typeof cause.message === 'string' ? `: ${cause.message}` : '';
    super(
      `hookwise: could not refetch the billing state of customer ${customerId}: ${what}${detail}. ` +
        'The event was not applied; failing the delivery makes Stripe send it again.',
      { cause },
    );
    Object.defineProperty(this, 'name', { value: 'BillingRefetchError', enumerable: false, writable: true, configurable: true });
    this.code = code;
    this.customerId = customerId;
    this.statusCode = cause && Number.isInteger(cause.statusCode) ? cause.statusCode : null;
    this.requestId = cause && typeof cause.requestId === 'string' ? cause.requestId : null;
  }
}

module.exports = { BillingRefetchError };
