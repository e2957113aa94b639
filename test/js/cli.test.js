'use strict';
// The hookwise command line, spawned as a user runs it: verify on captured
// deliveries, trigger against a real receiver, listen + trigger against each
// other, events and replay on a database, and the demo.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const hookwise = require('../../lib');
const { createWebhookHandler, MemoryStore } = hookwise;
const { runDemo } = require('../../lib/cli/demo');
const { closestOption, editDistance, secretWarnings } = require('../../lib/cli/common');
const { EVENT_TYPES, buildEvent } = require('../../lib/fixtures');
const { SECRET, makeEvent, sign, startServer } = require('./support/deliveries');

const BIN = path.join(__dirname, '..', '..', 'bin', 'hookwise.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwise-cli-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const HAS_SQLITE = typeof hookwise.SqliteStore === 'function';
const NO_SQLITE = HAS_SQLITE ? false : 'SqliteStore is not in this build yet (lib/stores/sqlite-store.js)';

/**
 * The CLI's environment: no colour settings inherited (Node 22+ warns when
 * NO_COLOR and FORCE_COLOR are both set, and its test runner sets FORCE_COLOR),
 * no secret, then the test's own variables.
 */
function childEnv(extra) {
  const env = { ...process.env, STRIPE_WEBHOOK_SECRET: '' };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}

/** Runs the CLI to completion: { code, stdout, stderr }. */
function cli(args, { env = {}, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running CLI command; resolves once its first stdout line (the ready line) arrives. */
function startCli(args, { env = {} } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv({ NO_COLOR: '1', ...env }) });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`exited early (${code}): ${stderr}`)));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n') && !child.ready) {
        child.ready = true;
        resolve({
          child,
          first: stdout.split('\n')[0],
          output: () => stdout,
          errors: () => stderr,
          stop: () =>
            new Promise((done) => {
              child.removeAllListeners('exit');
              child.on('exit', (code) => done({ code, stdout, stderr }));
              child.kill('SIGINT');
            }),
        });
      }
    });
  });
}

function write(name, content) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('hookwise (no command, unknown command)', () => {
  it('prints the commands and exits 2 without a command', async () => {
    const r = await cli([]);
    assert.equal(r.code, 2);
    for (const name of ['demo', 'listen', 'trigger', 'events', 'billing', 'replay', 'verify']) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
  });

  it('exits 2 for an unknown command or option', async () => {
    assert.equal((await cli(['frobnicate'])).code, 2);
    const r = await cli(['verify', '--nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--nope/);
  });
});

describe('unknown options: our words, a suggestion, the usage, exit 2', () => {
  it('suggests the option a typo meant (edit distance, transpositions, prefixes) and nothing for a wild guess', () => {
    assert.equal(editDistance('secert', 'secret'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'to'), 2);
    const trigger = ['to', 'secret', 'fixture', 'times', 'attempt', 'mode', 'json', 'help'];
    assert.equal(closestOption('secert', trigger), 'secret');
    assert.equal(closestOption('time', trigger), 'times');
    assert.equal(closestOption('TO', trigger), 'to');
    assert.equal(closestOption('fixtures', trigger), 'fixture');
    assert.equal(closestOption('frobnicate', trigger), undefined);
    assert.equal(closestOption('x', trigger), undefined);
    assert.equal(closestOption('dead', ['to', 'secret', 'db', 'dead-letters', 'json', 'help']), 'dead-letters');
  });

  it('trigger --secert: names it, suggests --secret, prints the usage, not Node\'s parseArgs text', async () => {
    const r = await cli(['trigger', 'invoice.paid', '--to', 'http://127.0.0.1:1/', '--secert', SECRET]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^hookwise trigger: unknown option --secert \(did you mean --secret\?\)\n/);
    assert.match(r.stderr, /^hookwise trigger <event-type> --to URL/m, 'the usage');
    assert.doesNotMatch(r.stderr, /Unknown option '|ERR_PARSE_ARGS|To specify a positional/);
    assert.equal(r.stdout, '');
  });

  it('a single-dash long option, a value-taking typo and a wild guess', async () => {
    const short = await cli(['trigger', 'invoice.paid', '-to', 'http://127.0.0.1:1/']);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /^hookwise trigger: unknown option -to \(did you mean --to\?\)/);
    const replay = await cli(['replay', '--dead-letter=yes', '--to', 'http://127.0.0.1:1/']);
    assert.equal(replay.code, 2);
    assert.match(replay.stderr, /^hookwise replay: unknown option --dead-letter \(did you mean --dead-letters\?\)/);
    assert.match(replay.stderr, /^hookwise replay <event-id>/m);
    const wild = await cli(['events', '--frobnicate']);
    assert.equal(wild.code, 2);
    assert.match(wild.stderr, /^hookwise events: unknown option --frobnicate\n\nhookwise events \[--status/);
    assert.doesNotMatch(wild.stderr, /did you mean/);
  });

  it('a missing value, a value for a flag and a stray argument in our words', async () => {
    const missing = await cli(['verify', '--payload']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^hookwise verify: --payload needs a value\n/);
    const flag = await cli(['events', '--json=yes']);
    assert.match(flag.stderr, /^hookwise events: --json takes no value\n/);
    const stray = await cli(['events', 'completed']);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /^hookwise events: unexpected argument "completed"/);
  });
});

describe('secret warnings (stderr, not fatal, never the secret itself)', () => {
  it('secretWarnings names whitespace, API keys and other prefixes, per item of a list', () => {
    assert.deepEqual(secretWarnings('whsec_abc', '--secret'), []);
    const spaced = secretWarnings('whsec_abc\n', 'STRIPE_WEBHOOK_SECRET');
    assert.equal(spaced.length, 1);
    assert.match(spaced[0], /^the secret from STRIPE_WEBHOOK_SECRET has leading or trailing whitespace/);
    assert.match(secretWarnings('sk_test_123', '--secret')[0], /starts with sk_: that is a secret API key, not a webhook signing secret/);
    assert.match(secretWarnings('rk_live_123', '--secret')[0], /starts with rk_: that is a restricted API key/);
    assert.match(secretWarnings('pk_test_123', '--secret')[0], /starts with pk_: that is a publishable key/);
    assert.match(secretWarnings('abc', '--secret')[0], /does not start with whsec_/);
    const list = secretWarnings('whsec_a, sk_test_b', '--secret');
    assert.equal(list.length, 2);
    assert.match(list[0], /^secret #2 of --secret has leading or trailing whitespace/);
    assert.match(list[1], /^secret #2 of --secret starts with sk_/);
    assert.deepEqual(secretWarnings(' whsec_a', '--secret', { whitespace: false }), []);
  });

  it('trigger, replay and verify warn and go on; listen warns once (not again through the handler)', async () => {
    const body = JSON.stringify(makeEvent());
    const payload = write('warned.json', body);
    const apiKey = 'sk_test_not_a_signing_secret';
    const t = await cli(['trigger', 'invoice.paid', '--to', 'http://127.0.0.1:1/', '--secret', apiKey]);
    assert.equal(t.code, 3, 'it went on to send');
    assert.match(t.stderr, /^hookwise trigger: warning: the secret from --secret starts with sk_: that is a secret API key/m);
    const v = await cli(['verify', '--payload', payload, '--header', sign(body)], { env: { STRIPE_WEBHOOK_SECRET: `${SECRET}\n` } });
    assert.equal(v.code, 1, 'checked with the secret as given');
    assert.match(v.stderr, /^hookwise verify: warning: the secret from STRIPE_WEBHOOK_SECRET has leading or trailing whitespace/m);
    assert.match(v.stdout, /matches once the whitespace around the secret is removed/);
    const r = await cli(['replay', 'evt_1', '--to', 'http://127.0.0.1:1/', '--secret', 'pk_live_x', '--db', path.join(tmp, 'none.db')]);
    assert.equal(r.code, 2, 'no database: a usage error, after the warning');
    assert.match(r.stderr, /^hookwise replay: warning: the secret from --secret starts with pk_: that is a publishable key/m);
    for (const out of [t, v, r]) assert.ok(!out.stderr.includes(apiKey) && !out.stderr.includes('pk_live_x'), 'the secret is not echoed');
    assert.doesNotMatch((await cli(['trigger', 'invoice.paid', '--to', 'http://127.0.0.1:1/', '--secret', SECRET])).stderr, /warning/);
  });

  it('listen --secret sk_...: one warning', { skip: NO_SQLITE }, async () => {
    const listener = await startCli(['listen', '--port', '0', '--secret', 'sk_test_x', '--db', path.join(tmp, 'warn', 'events.db')]);
    const { stderr } = await listener.stop();
    assert.match(stderr, /^hookwise listen: warning: the secret from --secret starts with sk_/m);
    assert.equal(stderr.match(/warning/g).length, 1, stderr);
    assert.doesNotMatch(stderr, /does not start with "whsec_"/, 'the handler\'s own warning is not printed as well');
  });
});

describe('hookwise verify', () => {
  const event = makeEvent();
  const body = JSON.stringify(event);
  const payload = write('captured.json', body);

  it('says valid and exits 0 for a good delivery', async () => {
    const r = await cli(['verify', '--payload', payload, '--header', sign(body), '--secret', SECRET]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^valid  invoice\\.paid ${event.id}, signed \\d+ s ago`));
    assert.ok(!r.stdout.includes('\x1b['), 'no colour without a TTY');
  });

  it('reads the secret from STRIPE_WEBHOOK_SECRET', async () => {
    const r = await cli(['verify', '--payload', payload, '--header', sign(body)], { env: { STRIPE_WEBHOOK_SECRET: SECRET } });
    assert.equal(r.code, 0, r.stderr);
  });

  it('explains an expired capture and checks the signature alone with --tolerance 0', async () => {
    const header = sign(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const r = await cli(['verify', '--payload', payload, '--header', header, '--secret', SECRET]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^invalid  timestamp_too_old/);
    assert.match(r.stdout, /signature is valid/);
    assert.match(r.stdout, /--tolerance 0/);
    assert.equal((await cli(['verify', '--payload', payload, '--header', header, '--secret', SECRET, '--tolerance', '0'])).code, 0);
  });

  it('finds a trailing newline added after capture', async () => {
    const edited = write('edited.json', `${body}\n`);
    const r = await cli(['verify', '--payload', edited, '--header', sign(body), '--secret', SECRET]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /signature_mismatch/);
    assert.match(r.stdout, /without its trailing newline/);
  });

  it('names the likely causes of a mismatch, in JSON with --json, without echoing the secret', async () => {
    const r = await cli(['verify', '--payload', payload, '--header', sign(body), '--secret', 'sk_test_wrong', '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.valid, false);
    assert.equal(out.code, 'signature_mismatch');
    assert.ok(out.hints.some((h) => /whsec_/.test(h)));
    assert.ok(!r.stdout.includes('sk_test_wrong'));
  });

  it('reports a malformed header and usage errors', async () => {
    const r = await cli(['verify', '--payload', payload, '--header', 'v1=abc', '--secret', SECRET]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /malformed_header/);
    assert.equal((await cli(['verify', '--header', 'x', '--secret', SECRET])).code, 2);
    assert.equal((await cli(['verify', '--payload', payload, '--header', 'x'])).code, 2, 'no secret anywhere');
    assert.equal((await cli(['verify', '--payload', path.join(tmp, 'missing.json'), '--header', 'x', '--secret', SECRET])).code, 2);
  });
});

describe('hookwise trigger against a receiver', () => {
  let server;
  const seen = [];
  before(async () => {
    const webhooks = createWebhookHandler({ secret: SECRET, store: new MemoryStore(), on: { '*': async (e) => seen.push(e) } });
    server = await startServer((req, res) => webhooks.node(req, res));
  });
  after(() => server.close());

  it('sends a realistic fixture for every lifecycle event type', async () => {
    for (const type of EVENT_TYPES) {
      const r = await cli(['trigger', type, '--to', server.url, '--secret', SECRET]);
      assert.equal(r.code, 0, `${type}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /processed/);
      const event = seen.at(-1);
      assert.equal(event.type, type);
      assert.equal(event.api_version, '2026-10-28.endive');
      assert.match(event.id, /^evt_[0-9A-Za-z]{24}$/);
    }
  });

  it('--times N sends the same event N times: processed, then duplicates (table and --json)', async () => {
    const r = await cli(['trigger', 'invoice.payment_failed', '--attempt', '3', '--to', server.url, '--secret', SECRET, '--times', '3']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^#\s+status\s+outcome\s+type\s+event$/);
    assert.deepEqual(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 3)), [['1', '200', 'processed'], ['2', '200', 'duplicate'], ['3', '200', 'duplicate']]);
    assert.equal(seen.at(-1).data.object.attempt_count, 3);
    const j = await cli(['trigger', 'checkout.session.completed', '--mode', 'payment', '--to', server.url, '--secret', SECRET, '--times', '2', '--json']);
    const out = JSON.parse(j.stdout);
    assert.deepEqual(out.deliveries.map((d) => d.outcome), ['processed', 'duplicate']);
    assert.equal(seen.at(-1).data.object.mode, 'payment');
  });

  it('sends a --fixture file byte for byte', async () => {
    const event = buildEvent('customer.subscription.updated', { status: 'past_due' });
    const text = JSON.stringify(event, null, 2);
    const file = write('fixture.json', text);
    const r = await cli(['trigger', '--fixture', file, '--to', server.url, '--secret', SECRET]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(seen.at(-1), event);
  });

  it('exits 1 when the receiver rejects (wrong secret), 3 when unreachable, 2 on usage errors', async () => {
    const wrong = await cli(['trigger', 'invoice.paid', '--to', server.url, '--secret', 'whsec_wrong', '--times', '2']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /400\s+rejected/);
    // The reason, not only in --json: the answer's error code and message, once for both deliveries.
    assert.match(wrong.stdout, /^#1, #2 rejected: signature_mismatch: No signatures found matching the expected signature for payload/m);
    assert.match(wrong.stdout, /Sign with the receiver's secret/);
    const down = await cli(['trigger', 'invoice.paid', '--to', 'http://127.0.0.1:1/', '--secret', SECRET]);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /could not reach/);
    assert.equal((await cli(['trigger', 'no.such.type', '--to', server.url, '--secret', SECRET])).code, 2);
    assert.equal((await cli(['trigger', 'invoice.paid', '--secret', SECRET])).code, 2);
    assert.equal((await cli(['trigger', 'invoice.payment_failed', '--attempt', '5', '--to', server.url, '--secret', SECRET])).code, 2);
  });

  it('shows the reason another server gives: its body\'s first line', async () => {
    const other = await startServer((req, res) => {
      res.statusCode = 403;
      res.end('Forbidden by the proxy\nsecond line');
    });
    try {
      const r = await cli(['trigger', 'invoice.paid', '--to', other.url, '--secret', SECRET]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^#1 http_403: Forbidden by the proxy$/m);
      assert.doesNotMatch(r.stdout, /second line/);
    } finally {
      await other.close();
    }
  });

  it('colours only when asked or on a TTY', async () => {
    const plain = await cli(['trigger', 'invoice.paid', '--to', server.url, '--secret', SECRET]);
    assert.ok(!plain.stdout.includes('\x1b['));
    const forced = await cli(['trigger', 'invoice.paid', '--to', server.url, '--secret', SECRET], { env: { FORCE_COLOR: '1' } });
    assert.ok(forced.stdout.includes('\x1b[32mprocessed'));
  });
});

describe('the demo (in process, on a MemoryStore)', () => {
  it('delivers the lifecycle and every expectation holds', async () => {
    const { deliveries, members, problems } = await runDemo({ store: new MemoryStore(), retry: { attempts: 2, backoffMs: 1 } });
    assert.deepEqual(problems, []);
    const outcomes = deliveries.flatMap((d) => d.outcomes);
    for (const o of ['processed', 'duplicate', 'in_progress', 'stale', 'rejected', 'failed', 'dead_lettered']) {
      assert.ok(outcomes.includes(o), `no ${o} delivery`);
    }
    assert.deepEqual(deliveries.filter((d) => d.outcomes[0] === 'rejected').map((d) => d.errors[0]), ['signature_mismatch', 'timestamp_too_old']);
    assert.deepEqual(members.map((m) => [m.customer, m.plan]), [
      ['cus_demo_alice', 'premium'],
      ['cus_demo_bob', 'past_due'],
      ['cus_demo_carol', 'free'],
      ['cus_demo_dave', 'free'],
    ]);
  });
});

describe('with SqliteStore', { skip: NO_SQLITE }, () => {
  it('npm run demo: prints every delivery and the final state, exits 0', async () => {
    const r = await cli(['demo']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const o of ['processed', 'duplicate', 'in_progress', 'stale', 'rejected', 'failed', 'dead_lettered']) assert.match(r.stdout, new RegExp(o));
    assert.match(r.stdout, /cus_demo_alice\s+premium\s+\d{4}-\d\d-\d\d/);
    assert.match(r.stdout, /cus_demo_bob\s+past_due/);
    assert.match(r.stdout, /cus_demo_carol\s+free/);
    assert.match(r.stdout, /^ok /m);
  });

  it('hookwise billing: the state the demo\'s handler kept, by --customer or --user, as a table or --json', async () => {
    const db = path.join(tmp, 'billing', 'events.db');
    const demo = await cli(['demo', '--db', db, '--json']);
    assert.equal(demo.code, 0, demo.stderr);
    const members = JSON.parse(demo.stdout).members;
    const bob = await cli(['billing', '--customer', 'cus_demo_bob', '--db', db]);
    assert.equal(bob.code, 0, bob.stderr);
    assert.match(bob.stdout, /access\s+no/);
    assert.match(bob.stdout, /subscription\s+sub_demo_bob past_due/);
    assert.match(bob.stdout, /failed payments\s+2/);
    const alice = await cli(['billing', '--user', 'user_alice', '--db', db, '--json']);
    assert.equal(alice.code, 0, alice.stderr);
    const state = JSON.parse(alice.stdout);
    assert.equal(state.customerId, 'cus_demo_alice');
    assert.equal(state.hasAccess, true);
    assert.equal(state.subscription.currentPeriodEnd, members.find((m) => m.customer === 'cus_demo_alice').periodEnd);
    // The same state the handler's own reader gives, from the same file.
    const store = new hookwise.SqliteStore({ path: db });
    try {
      const doc = await store.billingGet('cus_demo_alice');
      assert.deepEqual({ ...state, updatedAt: 0 }, { ...require('../../lib/billing').customerState(JSON.parse(doc.record), { now: Date.now() }), updatedAt: 0 });
    } finally {
      await store.close();
    }
    const missing = await cli(['billing', '--customer', 'cus_nobody', '--db', db]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no billing state for customer cus_nobody/);
    const both = await cli(['billing', '--customer', 'a', '--user', 'b', '--db', db]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exactly one of --customer ID or --user ID/);
    const noDb = await cli(['billing', '--customer', 'a', '--db', path.join(tmp, 'nothing.db')]);
    assert.equal(noDb.code, 2);
  });

  it('listen + trigger against each other; events and replay on its database', async () => {
    const db = path.join(tmp, 'listen', 'events.db');
    const listener = await startCli(['listen', '--port', '0', '--secret', SECRET, '--db', db]);
    let stopped;
    try {
      const url = /Listening on (\S+)/.exec(listener.first)[1];
      const t = await cli(['trigger', 'invoice.paid', '--to', url, '--secret', SECRET, '--times', '2', '--json']);
      assert.equal(t.code, 0, t.stderr);
      const sent = JSON.parse(t.stdout).deliveries;
      assert.deepEqual(sent.map((d) => d.outcome), ['processed', 'duplicate']);
      const forged = await cli(['trigger', 'invoice.paid', '--to', url, '--secret', 'whsec_forged']);
      assert.equal(forged.code, 1);

      const events = await cli(['events', '--db', db, '--json']);
      assert.equal(events.code, 0, events.stderr);
      const records = JSON.parse(events.stdout);
      assert.deepEqual(records.map((r) => [r.id, r.status]), [[sent[0].eventId, 'completed']]);
      const table = await cli(['events', '--db', db, '--status', 'completed']);
      assert.match(table.stdout, /^received\s+status\s+attempts\s+type\s+event\s+last error$/m);
      assert.match(table.stdout, new RegExp(`completed\\s+1\\s+invoice\\.paid\\s+${sent[0].eventId}`));

      const replay = await cli(['replay', sent[0].eventId, '--to', url, '--secret', SECRET, '--db', db, '--json']);
      assert.equal(replay.code, 0, replay.stderr);
      assert.deepEqual(JSON.parse(replay.stdout).replays.map((r) => r.outcome), ['duplicate']);
      assert.equal((await cli(['replay', 'evt_missing', '--to', url, '--secret', SECRET, '--db', db])).code, 1);
    } finally {
      stopped = await listener.stop();
    }
    assert.equal(stopped.code, 0);
    assert.match(stopped.stdout, /processed\s+invoice\.paid/);
    assert.match(stopped.stdout, /rejected\s+signature_mismatch/);
  });

  describe('an app\'s own SqliteStore: the dead-letter hint, replay without payloads, last errors', () => {
    const dir = path.join(tmp, 'app-stores');
    const errors = [];
    let failFirst = 0;
    const deliver = async (store, event, on) => {
      const webhooks = createWebhookHandler({ secret: SECRET, store, retry: false, maxAttempts: 1, logger: { info() {}, warn() {}, error: (m) => errors.push(m) }, on: { '*': on } });
      const body = JSON.stringify(event);
      return (await webhooks.handle(body, sign(body))).outcome;
    };
    const boom = async () => {
      throw new Error('boom');
    };
    const plain = path.join(dir, 'plain.db');
    const kept = path.join(dir, 'kept.db');
    const deadPlain = makeEvent();
    const deadKept = makeEvent();
    const recovered = makeEvent();
    before(async () => {
      fs.mkdirSync(dir, { recursive: true });
      // README's plain new SqliteStore(): no payloads.
      const store = new hookwise.SqliteStore({ path: plain });
      assert.equal(await deliver(store, deadPlain, boom), 'dead_lettered');
      await store.close();
      const keeping = new hookwise.SqliteStore({ path: kept, keepPayloads: true });
      assert.equal(await deliver(keeping, deadKept, boom), 'dead_lettered');
      // Fails once, then completes on the next delivery: an earlier attempt's error stays in the record.
      const flaky = async () => {
        if (failFirst++ === 0) throw new Error('flaky first attempt');
      };
      const webhooks = createWebhookHandler({ secret: SECRET, store: keeping, retry: false, logger: { info() {}, warn() {}, error() {} }, on: { '*': flaky } });
      const body = JSON.stringify(recovered);
      assert.equal((await webhooks.handle(body, sign(body))).outcome, 'failed');
      assert.equal((await webhooks.handle(body, sign(body))).outcome, 'processed');
      await keeping.close();
    });

    it('the handler\'s dead-letter line is a complete replay command (--to, and --db when the store has a file)', () => {
      const [onPlain, onKept] = errors.filter((m) => m.startsWith('hookwise: dead-lettered'));
      assert.ok(onPlain.endsWith(`\`npx hookwise replay ${deadPlain.id} --to <your webhook URL> --db ${plain}\` (from a SqliteStore with keepPayloads: true)`), onPlain);
      assert.ok(onKept.endsWith(`\`npx hookwise replay ${deadKept.id} --to <your webhook URL> --db ${kept}\``), onKept);
    });

    it('replay of an event recorded without its payload says so and names keepPayloads: true', async () => {
      const r = await cli(['replay', deadPlain.id, '--to', 'http://127.0.0.1:1/', '--secret', SECRET, '--db', plain]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`${deadPlain.id}\\s+invoice\\.paid\\s+no\\s+no_payload`));
      assert.match(r.stderr, new RegExp(`^${deadPlain.id} was recorded without its payload, so it cannot be replayed`, 'm'));
      assert.match(r.stderr, /new SqliteStore\(\{ keepPayloads: true \}\) \(`hookwise listen` does\)/);
      const j = JSON.parse((await cli(['replay', deadPlain.id, '--to', 'http://127.0.0.1:1/', '--secret', SECRET, '--db', plain, '--json'])).stdout);
      assert.equal(j.replays[0].outcome, 'no_payload');
      assert.match(j.replays[0].error, /keepPayloads: true/);
    });

    it('events: "last error" only on failed and dead-lettered events; --json keeps the full record', async () => {
      const r = await cli(['events', '--db', kept]);
      assert.equal(r.code, 0, r.stderr);
      const line = (id) => r.stdout.split('\n').find((l) => l.includes(id));
      assert.match(line(deadKept.id), /dead_lettered\s+1\s+invoice\.paid\s+\S+\s+Error: boom$/);
      assert.match(line(recovered.id), new RegExp(`completed\\s+2\\s+invoice\\.paid\\s+${recovered.id}$`));
      const records = JSON.parse((await cli(['events', '--db', kept, '--json'])).stdout);
      assert.equal(records.find((x) => x.id === recovered.id).lastError, 'Error: flaky first attempt');
    });

    it('replay --dead-letters resends a kept payload to a receiver sharing the store', async () => {
      const got = [];
      const store = new hookwise.SqliteStore({ path: kept, keepPayloads: true });
      const app = createWebhookHandler({ secret: SECRET, store, logger: { info() {}, warn() {}, error() {} }, on: { '*': async (e) => got.push(e.id) } });
      const server = await startServer((req, res) => app.node(req, res));
      try {
        const r = await cli(['replay', '--dead-letters', '--to', server.url, '--secret', SECRET, '--db', kept, '--json']);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout).replays.map((x) => [x.eventId, x.requeued, x.outcome]), [[deadKept.id, true, 'processed']]);
        assert.deepEqual(got, [deadKept.id]);
      } finally {
        await server.close();
        await store.close();
      }
    });
  });

  it('listen --forward-to hands new events to the app, and replay --dead-letters resends them once fixed', async () => {
    let healthy = false;
    const got = [];
    const app = createWebhookHandler({ secret: SECRET, store: new MemoryStore(), retry: false, maxAttempts: 1000, logger: { error() {} }, on: { '*': async (e) => { if (!healthy) throw new Error('app bug'); got.push(e.id); } } });
    const appServer = await startServer((req, res) => app.node(req, res));
    const db = path.join(tmp, 'forward', 'events.db');
    const listener = await startCli(['listen', '--port', '0', '--secret', SECRET, '--db', db, '--forward-to', appServer.url]);
    try {
      const url = /Listening on (\S+)/.exec(listener.first)[1];
      // The app fails; Stripe would retry until the event is dead-lettered (5 attempts by default).
      const t = await cli(['trigger', 'invoice.paid', '--to', url, '--secret', SECRET, '--times', '5', '--json']);
      const outcomes = JSON.parse(t.stdout).deliveries.map((d) => d.outcome);
      assert.deepEqual(outcomes, ['failed', 'failed', 'failed', 'failed', 'dead_lettered']);
      const dead = JSON.parse((await cli(['events', '--db', db, '--status', 'dead_lettered', '--json'])).stdout);
      assert.equal(dead.length, 1);
      assert.match(dead[0].lastError, /answered 500/);
      // listen knows the URL and the database, so its dead-letter line is a command to copy.
      const hint = `npx hookwise replay ${dead[0].id} --to ${url} --db ${db} --secret <the --secret given to listen>`;
      assert.ok(listener.errors().includes(`\`${hint}\``), listener.errors());
      healthy = true;
      const replay = await cli(['replay', '--dead-letters', '--to', url, '--secret', SECRET, '--db', db, '--json']);
      assert.equal(replay.code, 0, replay.stderr);
      assert.deepEqual(JSON.parse(replay.stdout).replays.map((r) => [r.requeued, r.outcome]), [[true, 'processed']]);
      assert.deepEqual(got, [dead[0].id]);
    } finally {
      await listener.stop();
      await appServer.close();
    }
  });
});
