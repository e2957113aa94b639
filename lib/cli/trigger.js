'use strict';
// `hookwise trigger <event-type> --to URL --secret ... [--fixture FILE] [--times N]`:
// signs a realistic event (or your fixture) and sends it, N times (duplicates).
const fs = require('node:fs');
const { generateTestHeaderString } = require('..');
const { buildEvent, EVENT_TYPES, stripeId } = require('../fixtures');
const { EXIT, UsageError, parse, secretFrom, intOption, urlOption, postDelivery, outcomeOfAnswer, unreachable } = require('./common');
const { table, styleOutcome } = require('./output');
const { triggerStandard, schemeOf, TRIGGER_OPTIONS } = require('./standard');

const USAGE = `hookwise trigger <event-type> --to URL [--secret whsec_...] [--fixture FILE] [--times N]
                 [--attempt 1..4] [--mode subscription|payment] [--json]

Signs a realistic event of <event-type> and POSTs it to URL, N times (default 1: more are
duplicates of the same event, as Stripe's retries are). Event types with fixtures:
  ${EVENT_TYPES.join('\n  ')}
--fixture FILE sends your own event JSON instead (its bytes as they are; <event-type> may then be omitted).
--attempt sets invoice.payment_failed's attempt_count; --mode sets checkout.session.completed's mode.
--scheme standard signs a Clerk event by the Standard Webhooks scheme (hookwise trigger --scheme standard --help).
Exit code: 0 every delivery answered 2xx, 1 some did not, 2 usage error, 3 URL unreachable.`;

function fixtureBody(values, type) {
  if (values.fixture !== undefined) {
    let text;
    try {
      text = fs.readFileSync(values.fixture, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --fixture ${values.fixture}: ${err.code || err.message}`);
    }
    let event;
    try {
      event = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--fixture ${values.fixture} is not JSON: ${err.message}`);
    }
    if (type !== undefined && event.type !== type) {
      throw new UsageError(`--fixture ${values.fixture} is a "${event.type}" event, not "${type}"`);
    }
    if (typeof event.id !== 'string') {
      // An event needs an id to be deduplicated; give it one and send that.
      return { body: JSON.stringify({ id: stripeId('evt'), ...event }), event };
    }
    return { body: text, event };
  }
  if (type === undefined) throw new UsageError(`an event type is required, one of: ${EVENT_TYPES.join(', ')}`);
  if (!EVENT_TYPES.includes(type)) throw new UsageError(`no fixture for "${type}"; fixtures: ${EVENT_TYPES.join(', ')} (or --fixture FILE)`);
  const attemptCount = intOption(values, 'attempt', 1, 1);
  if (attemptCount > 4) throw new UsageError('--attempt must be 1..4 (Stripe retries a failed invoice payment up to 4 times by default)');
  const mode = values.mode ?? 'subscription';
  if (mode !== 'subscription' && mode !== 'payment') throw new UsageError('--mode must be subscription or payment');
  const event = buildEvent(type, { attemptCount, mode });
  return { body: JSON.stringify(event), event };
}

/** Why a receiver did not take a delivery: a hookwise answer's `error` code and message, else the body's first line. */
function reasonOf(body) {
  if (body && typeof body === 'object') {
    if (typeof body.error !== 'string') return '';
    return typeof body.message === 'string' && body.message !== '' ? `${body.error}: ${body.message}` : body.error;
  }
  const line = String(body ?? '').trim().split('\n')[0];
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** One line per distinct reason under the table: "#1, #2 rejected: signature_mismatch: No signatures found ...". */
function reasonLines(rows, c) {
  const groups = new Map();
  for (const r of rows) {
    if (r.status >= 200 && r.status < 300) continue;
    const reason = reasonOf(r.body);
    const key = `${r.outcome}\n${reason}`;
    if (!groups.has(key)) groups.set(key, { outcome: r.outcome, reason, error: r.body && r.body.error, numbers: [] });
    groups.get(key).numbers.push(`#${r.n}`);
  }
  const lines = [];
  for (const g of groups.values()) {
    lines.push(`${g.numbers.join(', ')} ${styleOutcome(g.outcome, c)}${g.reason ? `: ${g.reason}` : ''}`);
    if (g.error === 'signature_mismatch') {
      lines.push(c.dim('   Sign with the receiver\'s secret: the one `hookwise listen` printed or was given, or your app\'s STRIPE_WEBHOOK_SECRET.'));
    }
  }
  return lines;
}

async function run(argv, io) {
  const { values, positionals } = parse(
    argv,
    { to: { type: 'string' }, secret: { type: 'string' }, fixture: { type: 'string' }, times: { type: 'string' }, attempt: { type: 'string' }, mode: { type: 'string' }, ...TRIGGER_OPTIONS },
    { positionals: true, usage: USAGE },
  );
  if (schemeOf(values) === 'standard') {
    if (!values.help) values.to = urlOption(values, 'to', { required: true });
    return triggerStandard(values, positionals, io);
  }
  if (values.prefix !== undefined) throw new UsageError('--prefix is for --scheme standard');
  if (values.help) {
    io.out(USAGE);
    return EXIT.OK;
  }
  if (positionals.length > 1) throw new UsageError(`one event type at a time, got: ${positionals.join(' ')}`);
  const url = urlOption(values, 'to', { required: true });
  const secret = secretFrom(values, { io, command: 'trigger' });
  const times = intOption(values, 'times', 1, 1);
  const { body, event } = fixtureBody(values, positionals[0]);
  const id = JSON.parse(body).id;

  const rows = [];
  let allOk = true;
  for (let i = 1; i <= times; i++) {
    const header = generateTestHeaderString({ payload: body, secret });
    let answer;
    try {
      answer = await postDelivery(url, body, header);
    } catch (err) {
      throw Object.assign(unreachable(url, err), { exitCode: EXIT.UNREACHABLE });
    }
    const outcome = outcomeOfAnswer(answer);
    if (answer.status < 200 || answer.status >= 300) allOk = false;
    rows.push({ n: i, status: answer.status, outcome, eventId: id, type: event.type, body: answer.body });
  }
  if (values.json) {
    io.out(JSON.stringify({ url, deliveries: rows }));
  } else {
    const c = io.colors;
    io.out(table(
      [{ title: '#', align: 'right' }, { title: 'status', align: 'right' }, { title: 'outcome' }, { title: 'type' }, { title: 'event' }],
      rows.map((r) => [r.n, r.status, styleOutcome(r.outcome, c), r.type, r.eventId]),
      c,
    ));
    for (const line of reasonLines(rows, c)) io.out(line);
  }
  return allOk ? EXIT.OK : EXIT.FAILED;
}

module.exports = { run, USAGE };
