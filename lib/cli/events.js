'use strict';
// `hookwise events [--status ...] [--type ...] [--db ...]`: the event log.
const { EXIT, DEFAULT_DB, UsageError, parse, intOption, openStore } = require('./common');
const { table, styleOutcome, formatTime } = require('./output');

const STATUSES = ['processing', 'completed', 'failed', 'dead_lettered'];
const USAGE = `hookwise events [--status ${STATUSES.join('|')}] [--type TYPE] [--limit 100]
                [--db ${DEFAULT_DB}] [--json]

The events recorded in the store, newest first. "last error" is shown for failed and dead-lettered
events only: a completed (or again processing) event keeps its earlier attempt's error in the record,
which --json prints in full (lastError).`;

// The statuses whose lastError is the reason for the status; for the others it is history.
const ERROR_STATUSES = new Set(['failed', 'dead_lettered']);

function shorten(text, max) {
  if (text === null || text === undefined) return '';
  const one = String(text).replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

async function run(argv, io) {
  const { values } = parse(argv, { status: { type: 'string' }, type: { type: 'string' }, db: { type: 'string' }, limit: { type: 'string' } }, { usage: USAGE });
  if (values.help) {
    io.out(USAGE);
    return EXIT.OK;
  }
  if (values.status !== undefined && !STATUSES.includes(values.status)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  }
  const limit = intOption(values, 'limit', 100, 1);
  const store = openStore(values.db, { mustExist: true });
  try {
    const records = await store.list({ status: values.status, type: values.type, limit });
    if (values.json) {
      io.out(JSON.stringify(records.map(({ payload, ...r }) => r)));
      return EXIT.OK;
    }
    if (records.length === 0) {
      io.out('No events recorded' + (values.status || values.type ? ' matching these filters.' : '.'));
      return EXIT.OK;
    }
    const c = io.colors;
    io.out(table(
      [{ title: 'received' }, { title: 'status' }, { title: 'attempts', align: 'right' }, { title: 'type' }, { title: 'event' }, { title: 'last error' }],
      records.map((r) => [formatTime(r.receivedAt), styleOutcome(r.status, c), r.attempts, r.type, r.id, c.dim(ERROR_STATUSES.has(r.status) ? shorten(r.lastError, 60) : '')]),
      c,
    ));
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

module.exports = { run, USAGE };
