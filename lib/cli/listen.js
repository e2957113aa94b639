'use strict';
// `hookwise listen`: a local receiver on a SqliteStore. Verifies, deduplicates
// and records every delivery (payloads kept, for `hookwise replay`), prints one
// line per delivery, and with --forward-to re-signs each new event with its
// own secret and hands it to your app (your app's failure fails the delivery).
const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { createWebhookHandler, generateTestHeaderString } = require('..');
const { ON_RESULT } = require('../handler');
const { EXIT, DEFAULT_DB, parse, warnAboutSecret, intOption, urlOption, openStore, postDelivery, unreachable } = require('./common');
const { styleOutcome, formatTime } = require('./output');

const USAGE = `hookwise listen [--port 4242] [--host 127.0.0.1] [--secret whsec_...] [--db ${DEFAULT_DB}]
                [--forward-to URL] [--json]

A local webhook receiver: POST deliveries to http://HOST:PORT/ (any path). The secret comes from
--secret or STRIPE_WEBHOOK_SECRET; without either a fresh one is generated and printed.
--forward-to URL re-signs each new event with that secret and POSTs it to your app; a non-2xx
answer fails the delivery (retried, then dead-lettered). Events are recorded in --db with their
payloads: see them with \`hookwise events\`, resend them with \`hookwise replay\`.
--port 0 picks a free port. Stops on Ctrl-C.`;

async function run(argv, io) {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    secret: { type: 'string' },
    db: { type: 'string' },
    'forward-to': { type: 'string' },
  }, { usage: USAGE });
  if (values.help) {
    io.out(USAGE);
    return EXIT.OK;
  }
  const port = intOption(values, 'port', 4242);
  const host = values.host ?? '127.0.0.1';
  const forwardTo = urlOption(values, 'forward-to');
  let secret = values.secret ?? process.env.STRIPE_WEBHOOK_SECRET;
  const generated = secret === undefined || secret.trim() === '';
  if (generated) secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const dbPath = values.db ?? DEFAULT_DB;
  const c = io.colors;
  const json = values.json === true;
  // Whitespace is not a warning here: createWebhookHandler refuses such a secret (secret_whitespace).
  const from = values.secret !== undefined ? '--secret' : 'STRIPE_WEBHOOK_SECRET';
  if (!generated) warnAboutSecret(secret, { io, command: 'listen', from, json, whitespace: false });
  const store = openStore(dbPath, { keepPayloads: true });
  let url; // known once the server listens; the dead-letter hint names it
  // The handler's hint leaves the URL (and the secret) to the user; here both are known.
  const replayCommand = (eventId) =>
    `npx hookwise replay ${eventId} --to ${url} --db ${dbPath}` +
    (generated ? ` --secret ${secret}` : values.secret !== undefined ? ' --secret <the --secret given to listen>' : '');
  const completeHint = (m) => m.replace(/`npx hookwise replay (\S+) [^`]*`(?: \(from a SqliteStore[^)]*\))?/, (_, id) => `\`${replayCommand(id)}\``);

  const webhooks = createWebhookHandler({
    secret,
    store,
    logger: {
      info() {},
      // Rejections already get their own line from the result hook below.
      // The secret's prefix was already warned about above.
      warn: (m) => m.startsWith('hookwise: rejected a delivery:') || / does not start with "whsec_"/.test(m) ||
        io.err(json ? JSON.stringify({ level: 'warn', message: m }) : c.yellow(m)),
      error: (m) => io.err(json ? JSON.stringify({ level: 'error', message: completeHint(m) }) : c.red(completeHint(m))),
    },
    on: {
      '*': async (event, ctx) => {
        if (!forwardTo) return;
        const record = await ctx.store.get(ctx.eventId);
        const body = record && record.payload ? record.payload : Buffer.from(JSON.stringify(event));
        let answer;
        try {
          answer = await postDelivery(forwardTo, body, generateTestHeaderString({ payload: body.toString('utf8'), secret }));
        } catch (err) {
          throw unreachable(forwardTo, err);
        }
        if (answer.status < 200 || answer.status >= 300) throw new Error(`${forwardTo} answered ${answer.status}`);
      },
    },
  });
  webhooks[ON_RESULT] = (r) => {
    const time = Date.now();
    if (json) {
      io.out(JSON.stringify({ time, status: r.status, outcome: r.outcome, eventId: r.eventId ?? null, type: r.type ?? null, attempt: r.attempt ?? null, ...(r.outcome === 'rejected' ? { error: r.body.error } : {}) }));
      return;
    }
    const what = r.outcome === 'rejected' ? r.body.error : `${r.type} ${r.eventId}${r.attempt > 1 ? ` (attempt ${r.attempt})` : ''}`;
    io.out(`${c.dim(formatTime(time))}  ${String(r.status).padStart(3)}  ${styleOutcome(r.outcome, c)}${' '.repeat(Math.max(1, 14 - r.outcome.length))}${what}`);
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.statusCode = 405;
      res.setHeader('allow', 'POST');
      res.end();
      return;
    }
    webhooks.node(req, res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
  if (json) {
    io.out(JSON.stringify({ ready: true, url, db: dbPath, ...(generated ? { secret } : {}), forwardTo: forwardTo ?? null }));
  } else {
    io.out(`${c.bold('Ready.')} Listening on ${url} (events recorded in ${dbPath})`);
    if (generated) io.out(`Signing secret (generated for this session): ${secret}`);
    if (forwardTo) io.out(`Forwarding new events to ${forwardTo}`);
    io.out(c.dim('Ctrl-C to stop.'));
  }

  await new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.closeAllConnections();
      server.close(() => resolve());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await webhooks.close();
  await store.close();
  return EXIT.OK;
}

module.exports = { run, USAGE };
