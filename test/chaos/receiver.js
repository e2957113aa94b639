'use strict';
// One receiver of the crash test: a plain node:http server whose only route is
// webhooks.node, sharing the store with the other receivers. Started (and
// SIGKILLed, and started again) by run.js:
//   node receiver.js '<json config>'
// Its handler takes a random few ms, writes its effect to the ledger (the
// app's database), then takes a few ms more, so kills land inside handlers and
// between the effect and the completion.
//
// It appends one line per step of every run to its own log, with write(2)
// (fs.writeSync), so a line that was written survives a SIGKILL:
//   H <ms> <run> <event>   the handler started        E <ms> <run>  its effect is written
//   X <ms> <run>           the handler threw          K <ms> <run>  complete() called
//   C <ms> <run>           complete() recorded it     L <ms> <run>  complete() said the lease was lost
//   R <ms> <run>           complete() was refused (the store failed)
//   D <ms> <run> <status>  the delivery that ran it has answered (with transactional
//                          handlers: after the transaction committed or rolled back)
// A run id is `<receiver tag>.<n>`; the ledger row carries it too, so the
// verdict knows which run wrote which effect.
const fs = require('node:fs');
const http = require('node:http');
const { AsyncLocalStorage } = require('node:async_hooks');
const { openReceiverSide } = require('./backends');

const config = JSON.parse(process.argv[2]);
// hookwise/portable where the store is the portable one (transactional SQLite).
const hookwise = config.backend.portable ? require('../../lib/portable') : require('../../lib');
const log = fs.openSync(config.log, 'a');
const mark = (step, runId, eventId = '') => fs.writeSync(log, `${step} ${Date.now()} ${runId} ${eventId}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const between = ([min, max]) => min + Math.random() * (max - min);

const side = openReceiverSide(config.backend, { transactional: config.transactional });

// The run in progress for each event in this process, for the complete() markers.
const runs = new Map();
let seq = 0;
// The runs each delivery started, to mark them D when it has answered.
const delivery = new AsyncLocalStorage();

async function handler(event, ctx) {
  const runId = `${config.tag}.${++seq}`;
  runs.set(ctx.eventId, runId);
  delivery.getStore()?.push(runId);
  mark('H', runId, ctx.eventId);
  try {
    await sleep(between(config.handlerMs));
    if (Math.random() < config.failRate) throw new Error('chaos: a handler failure before its effect');
    await side.writeEffect(ctx.eventId, runId, ctx);
    mark('E', runId);
    await sleep(between(config.afterEffectMs));
  } catch (err) {
    mark('X', runId);
    throw err;
  }
}

/**
 * The store as the handler sees it, with complete() marked. Without
 * transactional handlers only: there the completion commits inside the
 * event's transaction and the handler needs the store itself.
 */
function markedStore(store) {
  const wrapped = {};
  for (const m of ['claim', 'fail', 'lastApplied', 'markApplied', 'get', 'list', 'requeue', 'purge', 'close']) {
    if (typeof store[m] === 'function') wrapped[m] = store[m].bind(store);
  }
  wrapped.complete = async (eventId, token) => {
    const runId = runs.get(eventId) ?? '-';
    mark('K', runId);
    let ok;
    try {
      ok = await store.complete(eventId, token);
    } catch (err) {
      mark('R', runId);
      throw err;
    }
    mark(ok ? 'C' : 'L', runId);
    if (ok) runs.delete(eventId);
    return ok;
  };
  return wrapped;
}

const quiet = () => {};
const problems = (level) => (message) => fs.writeSync(log, `# ${level} ${Date.now()} ${String(message).split('\n')[0]}\n`);
const options = {
  secret: config.secret,
  store: config.transactional ? side.store : markedStore(side.store),
  leaseMs: config.leaseMs,
  // Failures here are the test's own (failRate) or a killed server: never dead-letter for them.
  maxAttempts: 1000,
  retry: { attempts: 1, backoffMs: 5 },
  logger: { info: quiet, warn: problems('warn'), error: problems('error') },
  on: { '*': handler },
};
if (config.transactional) options.transactional = true;
const webhooks = hookwise.createWebhookHandler(options);

const server = http.createServer((req, res) => {
  const started = [];
  delivery
    .run(started, () => webhooks.node(req, res))
    .catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    })
    .finally(() => {
      for (const runId of started) mark('D', runId, String(res.statusCode));
    });
});
server.listen(config.port, '127.0.0.1', () => process.send({ type: 'ready' }));

// A clean stop at the end of the run: no new requests, the ones in flight finish.
process.on('message', async (msg) => {
  if (msg && msg.type === 'stop') {
    server.closeIdleConnections?.();
    await new Promise((resolve) => server.close(resolve));
    await webhooks.close();
    await side.close();
    process.exit(0);
  }
});
