'use strict';
// PostgresStore's billing-state capability (lib/stores/billing-args.js, table
// <table>_billing), over a `query(name, key, values)` that runs one of the
// store's prepared statements (lib/stores/postgres-store.js, billingStatements):
// the pool's, for PostgresStore's own methods, or one event transaction's
// client (lib/stores/postgres-transaction.js), so that with transactional:
// true the billing state commits with the handlers' writes and the completion.
const { checkCustomerId, checkBillingPut } = require('./billing-args');

const toBillingDocument = (row) => ({
  customerId: row.customer_id,
  userId: row.user_id,
  record: row.record,
  version: Number(row.version),
  updatedAt: Number(row.updated_at),
});

async function billingGetWith(query, customerId) {
  checkCustomerId(customerId);
  const { rows } = await query('billing_get', 'billingGet', [customerId]);
  return rows.length === 0 ? null : toBillingDocument(rows[0]);
}

// Compare-and-set: insert at version 0, else update at the expected version;
// no row back means another writer got there first (the caller re-reads). In a
// transaction, either statement waits for a concurrent one's commit on the
// customer's row, then sees what it committed.
async function billingPutWith(query, customerId, doc, expectedVersion) {
  const { userId, record, updatedAt } = checkBillingPut(customerId, doc, expectedVersion);
  const { rows } =
    expectedVersion === 0
      ? await query('billing_insert', 'billingInsert', [customerId, userId, record, updatedAt])
      : await query('billing_update', 'billingUpdate', [customerId, userId, record, updatedAt, expectedVersion]);
  return rows.length === 0 ? null : Number(rows[0].version);
}

module.exports = { toBillingDocument, billingGetWith, billingPutWith };
