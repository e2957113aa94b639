'use strict';
// `hookwise work --handler FILE [--limit N] [--db FILE] [--json]`: the ack-first
// worker for a cron or a one-off run. It loads the app's module that exports its
// webhook handler (created with delivery: 'ack-first'), runs webhooks.drain()
// once and reports what ran. Without --handler it lists what is due in the
// SqliteStore at --db (no handler code, so nothing can run).
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { EXIT, DEFAULT_DB, UsageError, parse, intOption, openStore } = require('./common');
const { table, styleOutcome, formatTime } = require('./output');

const USAGE = `hookwise work --handler FILE [--limit 100] [--json]
hookwise work [--db ${DEFAULT_DB}] [--limit 100] [--json]

Runs the events that are due (queued by delivery: 'ack-first' and not run yet, failed, or left
by a process that died) through the handler that FILE exports: its default export, or an export
named webhooks, created with createWebhookHandler({ delivery: 'ack-first', … }). Each event runs
once however many workers run at the same time. Without --handler: lists what is due in the
SqliteStore at --db. Exit code 1 when an event failed again.`;

/** The webhook handler a module exports (CommonJS or ESM). */
async function loadHandler(file) {
  const resolved = path.resolve(file);
  const mod = await import(pathToFileURL(resolved).href);
  const candidates = [mod.webhooks, mod.default, mod.default && mod.default.webhooks, mod];
  const found = candidates.find((c) => c && typeof c.drain === 'function');
  if (!found) {
    throw new UsageError(`${file} exports no webhook handler (export default createWebhookHandler({ delivery: 'ack-first', … }), or export const webhooks = …)`);
  }
  return found;
}

async function listDue(values, limit, io) {
  const { AckFirst } = require('../ack-first');
  const store = openStore(values.db, { keepPayloads: true, mustExist: true });
  try {
    const due = await new AckFirst({ store, isMemoryStore: () => false, logger: {} }).due(store, limit);
    if (values.json) io.out(JSON.stringify(due.map(({ payload, ...r }) => r)));
    else if (due.length === 0) io.out('Nothing is due.');
    else {
      const c = io.colors;
      io.out(table(
        [{ title: 'received' }, { title: 'status' }, { title: 'attempts', align: 'right' }, { title: 'type' }, { title: 'event' }],
        due.map((r) => [formatTime(r.receivedAt), styleOutcome(r.status, c), r.attempts, r.type, r.id]),
        c,
      ));
      io.out(c.dim(`Run them with: hookwise work --handler <your module exporting the webhook handler>`));
    }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

async function run(argv, io) {
  const { values } = parse(argv, { handler: { type: 'string' }, db: { type: 'string' }, limit: { type: 'string' } }, { usage: USAGE });
  if (values.help) {
    io.out(USAGE);
    return EXIT.OK;
  }
  const limit = intOption(values, 'limit', 100, 1);
  if (values.handler === undefined) return listDue(values, limit, io);
  if (values.db !== undefined) throw new UsageError('--db lists what is due; with --handler the handler\'s own store is used');
  const webhooks = await loadHandler(values.handler);
  try {
    const results = await webhooks.drain({ limit });
    const counts = {};
    for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    if (values.json) io.out(JSON.stringify({ counts, results: results.map(({ eventId, type, outcome, attempt }) => ({ eventId, type, outcome, attempt })) }));
    else if (results.length === 0) io.out('Nothing was due.');
    else {
      const c = io.colors;
      for (const r of results) io.out(`${styleOutcome(r.outcome, c)} ${r.type} ${r.eventId} (attempt ${r.attempt ?? '-'})`);
      io.out(Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', '));
    }
    return results.some((r) => r.outcome === 'failed') ? EXIT.FAILED : EXIT.OK;
  } finally {
    await webhooks.close();
  }
}

module.exports = { run, USAGE };
