'use strict';
// The simulated Stripe of the crash test, one process (forked by run.js with
// its config as JSON in argv[2]). It sends every event, signed with the
// package's own generateTestHeaderString (re-signed at each attempt, as Stripe
// does), to the receivers' ports:
// - out of order: the send order is the event order shuffled;
// - with duplicates: a share of the events get a second, independent delivery,
//   some of them at the same moment to a different receiver, the others later;
// - each delivery to a receiver chosen at random per attempt (a load balancer);
// - every delivery that gets no 2xx (an error status, a refused or reset
//   connection, no answer within timeoutMs) is retried on Stripe's schedule
//   compressed (one hour is `hourMs`), until it gets a 2xx. Past the schedule's
//   last step Stripe would give up; here it goes on daily, since the test asks
//   whether an event can be lost by the receivers, not by Stripe.
// It reports { type: 'progress', acked, total } to run.js at every 2xx (the
// killer's clock) and { type: 'done', stats } at the end.
const http = require('node:http');
const { generateTestHeaderString } = require('../../lib');
const { retryDelayMs, planDeliveries } = require('./stripe-events');

const config = JSON.parse(process.argv[2]);

const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });
const stats = {
  events: config.events,
  deliveries: 0,
  duplicateDeliveries: 0,
  concurrentDuplicates: 0,
  attempts: 0,
  acked: 0,
  byStatus: {},
  connectionErrors: 0,
  timeouts: 0,
  maxAttemptsOfOneDelivery: 0,
};

// One POST; resolves with the status code, or 'timeout' / 'error'.
function post(port, body) {
  return new Promise((resolve) => {
    const header = generateTestHeaderString({ payload: body, secret: config.secret });
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks',
        agent,
        headers: { 'content-type': 'application/json', 'stripe-signature': header, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', () => resolve('error'));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve('timeout');
    }, config.timeoutMs);
    req.on('error', () => resolve('error'));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

// A delivery: one event to the endpoint, retried until a 2xx.
const ready = []; // deliveries due now, in order
let inFlight = 0;
let remaining = 0;
let finish;
const finished = new Promise((resolve) => (finish = resolve));

function pump() {
  while (inFlight < config.concurrency && ready.length > 0) attempt(ready.shift());
}

async function attempt(delivery) {
  inFlight += 1;
  delivery.attempts += 1;
  stats.attempts += 1;
  // A concurrent duplicate's first attempt goes to another receiver than its twin's.
  let receiver = Math.floor(Math.random() * config.ports.length);
  if (delivery.avoid !== undefined && delivery.attempts === 1 && config.ports.length > 1) {
    receiver = (delivery.avoid + 1 + Math.floor(Math.random() * (config.ports.length - 1))) % config.ports.length;
  }
  delivery.receiver = receiver;
  if (delivery.twin) delivery.twin.avoid = receiver;
  const outcome = await post(config.ports[receiver], delivery.body);
  inFlight -= 1;
  if (outcome === 'timeout') stats.timeouts += 1;
  else if (outcome === 'error') stats.connectionErrors += 1;
  else stats.byStatus[outcome] = (stats.byStatus[outcome] ?? 0) + 1;
  if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) {
    stats.acked += 1;
    stats.maxAttemptsOfOneDelivery = Math.max(stats.maxAttemptsOfOneDelivery, delivery.attempts);
    process.send({ type: 'progress', acked: stats.acked, total: stats.deliveries });
    if (--remaining === 0) finish();
  } else {
    setTimeout(() => {
      ready.push(delivery);
      pump();
    }, retryDelayMs(delivery.attempts, config.hourMs));
  }
  pump();
}

async function main() {
  const { order, duplicates, concurrent } = planDeliveries(config.runTag, config.events, config);
  stats.duplicateDeliveries = duplicates;
  stats.concurrentDuplicates = concurrent;
  stats.deliveries = order.length;
  remaining = order.length;
  ready.push(...order);
  pump();
  await finished;
  agent.destroy();
  process.send({ type: 'done', stats }, () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
