'use strict';
// `hookwise billing (--customer ID | --user ID) [--db ...]`: one customer's
// billing state (API.md section 8) as the handler keeps it in a SqliteStore,
// read the way webhooks.billing.get reads it.
const { EXIT, DEFAULT_DB, UsageError, parse, intOption, openStore } = require('./common');
const { table, formatDate, formatTime } = require('./output');
const { billingDocument, recordOf } = require('../billing/handler-billing');
const { customerState } = require('../billing/customer-state');

const USAGE = `hookwise billing (--customer cus_... | --user USER_ID) [--grace-days 0]
                 [--db ${DEFAULT_DB}] [--json]

The billing state hookwise keeps for a Stripe customer (createWebhookHandler({ billing: true })):
access, the subscription that decides it, entitlements and one-off purchases. --user finds the
customer most recently updated for that user id. --grace-days must be the handler's graceDays
(access of a past_due subscription is computed for now). --json prints the CustomerState.`;

async function run(argv, io) {
  const options = { customer: { type: 'string' }, user: { type: 'string' }, db: { type: 'string' }, 'grace-days': { type: 'string' } };
  const { values } = parse(argv, options, { usage: USAGE });
  if (values.help) {
    io.out(USAGE);
    return EXIT.OK;
  }
  if ((values.customer === undefined) === (values.user === undefined)) {
    throw new UsageError('pass exactly one of --customer ID or --user ID');
  }
  const graceDays = intOption(values, 'grace-days', 0, 0);
  const query = values.customer !== undefined ? { customerId: values.customer } : { userId: values.user };
  const store = openStore(values.db, { mustExist: true });
  let state;
  try {
    const record = recordOf(await billingDocument(store, query));
    state = record === null ? null : customerState(record, { now: Date.now(), graceDays });
  } finally {
    await store.close();
  }
  if (values.json) {
    io.out(JSON.stringify(state));
    return state === null ? EXIT.FAILED : EXIT.OK;
  }
  if (state === null) {
    io.err(`hookwise billing: no billing state for ${values.customer !== undefined ? `customer ${values.customer}` : `user ${values.user}`} in ${values.db ?? DEFAULT_DB}`);
    return EXIT.FAILED;
  }
  const c = io.colors;
  const sub = state.subscription;
  const rows = [
    ['customer', state.customerId + (state.deleted ? c.dim(' (deleted)') : '')],
    ['user', state.userId ?? '-'],
    ['email', state.email ?? '-'],
    ['access', state.hasAccess ? c.green('yes') : c.red('no')],
    ['subscription', sub === null ? '-' : `${sub.id} ${sub.status}${sub.cancelAtPeriodEnd ? ' (cancels at period end)' : ''}`],
    ['period end', sub === null || sub.currentPeriodEnd === null ? '-' : formatDate(sub.currentPeriodEnd)],
    ['failed payments', sub === null ? '-' : String(sub.failedPaymentAttempts)],
    ['entitlements', state.entitlements.length === 0 ? '-' : state.entitlements.join(', ')],
    ['purchases', String(state.purchases.length)],
    ['updated', formatTime(state.updatedAt)],
  ];
  io.out(table([{ title: 'field' }, { title: 'value' }], rows, c));
  if (state.subscriptions.length > 1) {
    io.out('');
    io.out(table(
      [{ title: 'subscription' }, { title: 'status' }, { title: 'price' }, { title: 'period end' }],
      state.subscriptions.map((s) => [s.id, s.status, s.priceId ?? '-', s.currentPeriodEnd === null ? '-' : formatDate(s.currentPeriodEnd)]),
      c,
    ));
  }
  return EXIT.OK;
}

module.exports = { run, USAGE };
