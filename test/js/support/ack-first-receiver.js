'use strict';
// A receiver in its own process for the ack-first crash tests: an ack-first
// handler over the store described in argv[2] (test/js/support/ack-first-store.js),
// behind node:http. argv[3] says where the process is to be killed (the parent
// sends the SIGKILL):
//   'after-ack'  the answer is sent and nothing else happens: `after` tells the
//                parent "acked" and never starts the run
//   'mid-run'    the run starts: the handler tells the parent "running" and never returns
const http = require('node:http');
const { openStore, entryFor } = require('./ack-first-store');
const { SECRET } = require('./deliveries');

(async () => {
  const description = JSON.parse(process.argv[2]);
  const where = process.argv[3];
  const { store } = await openStore(description);
  const webhooks = entryFor(description).createWebhookHandler({
    secret: SECRET,
    store,
    delivery: 'ack-first',
    leaseMs: description.leaseMs ?? 60_000,
    logger: {},
    ...(where === 'after-ack' ? { after: () => process.send('acked') } : {}),
  }).on('invoice.paid', async () => {
    process.send('running');
    await new Promise(() => {});
  });
  const server = http.createServer(webhooks.node);
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
})();
