'use strict';
// `hookwise replay <event-id> | --dead-letters --to URL`: resends recorded
// events (their exact payloads, freshly signed). A failed or dead-lettered
// event is requeued first, so a receiver sharing the store runs it again from
// attempt 1.
const { generateTestHeaderString } = require('..');
const { EXIT, DEFAULT_DB, UsageError, parse, secretFrom, urlOption, openStore, postDelivery, outcomeOfAnswer, unreachable } = require('./common');
const { table, styleOutcome } = require('./output');

const USAGE = `hookwise replay <event-id>... | --dead-letters  --to URL [--secret whsec_...] [--db ${DEFAULT_DB}] [--json]

Resends recorded events to URL, signed with --secret (or STRIPE_WEBHOOK_SECRET). Needs their
payloads: \`hookwise listen\` keeps them, and so does new SqliteStore({ keepPayloads: true }) in your
app; a plain new SqliteStore() records events without their payloads.
Exit code: 0 every replay answered 2xx, 1 some did not (or an event cannot be replayed),
2 usage error, 3 URL unreachable.`;

// Why an event cannot be replayed, in the row (--json) and on stderr.
const CANNOT = {
  no_payload: (id) =>
    `${id} was recorded without its payload, so it cannot be replayed: the store that received it was opened ` +
    'without keepPayloads. Create it with new SqliteStore({ keepPayloads: true }) (`hookwise listen` does) and ' +
    'events received from then on can be replayed; for this one, have Stripe send it again (the event\'s page in ' +
    'the Dashboard, or the Stripe CLI: `stripe events resend <id>`).',
  not_found: (id) => `${id}: no such event in the store`,
};

async function run(argv, io) {
  const { values, positionals } = parse(
    argv,
    { to: { type: 'string' }, secret: { type: 'string' }, db: { type: 'string' }, 'dead-letters': { type: 'boolean' } },
    { positionals: true, usage: USAGE },
  );
  if (values.help) {
    io.out(USAGE);
    return EXIT.OK;
  }
  if (positionals.length === 0 && !values['dead-letters']) throw new UsageError('name the event(s) to replay, or pass --dead-letters');
  if (positionals.length > 0 && values['dead-letters']) throw new UsageError('pass event ids or --dead-letters, not both');
  const url = urlOption(values, 'to', { required: true });
  const secret = secretFrom(values, { io, command: 'replay' });
  // keepPayloads: a store returns kept payloads only when opened with it.
  const store = openStore(values.db, { mustExist: true, keepPayloads: true });
  const rows = [];
  let ok = true;
  try {
    const records = values['dead-letters']
      ? await store.list({ status: 'dead_lettered', limit: 10_000 })
      : await Promise.all(positionals.map(async (id) => (await store.get(id)) ?? { id, missing: true }));
    for (const record of records) {
      if (record.missing || !record.payload) {
        ok = false;
        const outcome = record.missing ? 'not_found' : 'no_payload';
        rows.push({ eventId: record.id, type: record.type ?? '', requeued: false, status: '', outcome, error: CANNOT[outcome](record.id) });
        continue;
      }
      const requeued = record.status === 'failed' || record.status === 'dead_lettered' ? await store.requeue(record.id) : false;
      const body = record.payload;
      let answer;
      try {
        answer = await postDelivery(url, body, generateTestHeaderString({ payload: body.toString('utf8'), secret }));
      } catch (err) {
        throw Object.assign(unreachable(url, err), { exitCode: EXIT.UNREACHABLE });
      }
      if (answer.status < 200 || answer.status >= 300) ok = false;
      rows.push({ eventId: record.id, type: record.type, requeued, status: answer.status, outcome: outcomeOfAnswer(answer) });
    }
  } finally {
    await store.close();
  }
  if (values.json) {
    io.out(JSON.stringify({ url, replays: rows }));
  } else if (rows.length === 0) {
    io.out('Nothing to replay: no dead-lettered events.');
  } else {
    const c = io.colors;
    io.out(table(
      [{ title: 'event' }, { title: 'type' }, { title: 'requeued' }, { title: 'status', align: 'right' }, { title: 'outcome' }],
      rows.map((r) => [r.eventId, r.type, r.requeued ? 'yes' : 'no', r.status, styleOutcome(r.outcome, c)]),
      c,
    ));
    for (const r of rows) if (r.error) io.err(r.error);
  }
  return ok ? EXIT.OK : EXIT.FAILED;
}

module.exports = { run, USAGE };
