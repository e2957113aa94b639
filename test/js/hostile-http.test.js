'use strict';
// Hostile HTTP input through the adapters (issue 7): enormous signature
// headers, aborted, never-ending and chunked bodies, content types Stripe never sends,
// bodies at the size limit. Each gets the answer API.md gives, the handler
// never runs for it, and nothing stays held: the handler's promise settles and
// the server keeps serving.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { ENGINES } = require('./support/engines');
const { SECRET, makeEvent, delivery, sign, post } = require('./support/deliveries');
const { until } = require('./support/until');

for (const { name: implementation, hookwise } of ENGINES) describe(implementation, () => {
  const { createWebhookHandler, MemoryStore } = hookwise;

  function handlerWithCount(options = {}) {
    const state = { runs: 0, settled: 0 };
    const webhooks = createWebhookHandler({
      secret: SECRET,
      store: new MemoryStore(),
      logger: { info() {}, warn() {}, error() {} },
      on: { '*': async () => { state.runs++; } },
      ...options,
    });
    return { webhooks, state };
  }

  /** A node:http server whose requests go to webhooks.node; counts settled calls. */
  function serve(webhooks, state, serverOptions = {}) {
    return new Promise((resolve) => {
      const server = http.createServer(serverOptions, (req, res) => {
        webhooks.node(req, res).finally(() => { state.settled++; });
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        resolve({
          port,
          url: `http://127.0.0.1:${port}/webhooks`,
          close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
        });
      });
    });
  }

  /** Opens a raw connection, sends `head` and the first `sent` bytes of a declared body. */
  function partialRequest(port, { declared, sent, header }) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.answer = '';
    // Read whatever the server answers, so that its close is seen.
    socket.on('data', (d) => { socket.answer += d.toString('latin1'); });
    socket.write(
      `POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Stripe-Signature: ${header}\r\nContent-Length: ${declared}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(sent, 0x20));
    return socket;
  }

  describe('hostile HTTP input', () => {
    it('a signature header with 10,000 v1 items: 400 signature_mismatch through fetch, 431 from node:http by default', async () => {
      const { webhooks, state } = handlerWithCount();
      const { body } = delivery(makeEvent());
      const huge = `t=${Math.floor(Date.now() / 1000)},${Array.from({ length: 10000 }, (_, i) => `v1=${i.toString(16).padStart(64, '0')}`).join(',')}`;
      const res = await webhooks.fetch(new Request('http://localhost/webhooks', {
        method: 'POST', body, headers: { 'stripe-signature': huge },
      }));
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { error: 'signature_mismatch', message: (await webhooks.handle(body, huge)).body.message });

      // node:http refuses headers over 16 KiB before any handler runs.
      const server = await serve(webhooks, state);
      try {
        const r = await fetch(server.url, { method: 'POST', body, headers: { 'stripe-signature': huge } }).catch((e) => e);
        if (r instanceof Error) assert.match(String(r.cause?.code ?? r.message), /ECONNRESET|UND_ERR|other side closed|fetch failed/);
        else assert.equal(r.status, 431);
      } finally {
        await server.close();
      }
      assert.equal(state.runs, 0);
    });

    it('a request aborted mid-body: the call settles, nothing runs, the server keeps serving', async () => {
      const { webhooks, state } = handlerWithCount();
      const server = await serve(webhooks, state);
      try {
        const socket = partialRequest(server.port, { declared: 100000, sent: 1000, header: 't=1,v1=00' });
        await new Promise((r) => setTimeout(r, 100));
        socket.destroy();
        await until(() => state.settled === 1, 'the aborted call to settle');
        assert.equal(state.runs, 0);
        const { body, header } = delivery(makeEvent());
        const ok = await post(server.url, body, header);
        assert.equal(ok.status, 200);
        assert.equal(state.runs, 1);
      } finally {
        await server.close();
      }
    });

    it('a body that never ends is cut by the server\'s requestTimeout, and the call settles', async () => {
      const { webhooks, state } = handlerWithCount();
      // A public endpoint should set its server's timeouts (docs/SECURITY.md); here 500 ms,
      // checked every 100 ms.
      const server = await serve(webhooks, state, { requestTimeout: 500, connectionsCheckingInterval: 100 });
      try {
        const socket = partialRequest(server.port, { declared: 50000, sent: 10, header: 't=1,v1=00' });
        const closed = new Promise((resolve) => socket.on('close', resolve));
        await until(() => state.settled === 1, 'the stalled call to settle');
        await closed;
        assert.match(socket.answer, /^HTTP\/1\.1 408 /);
        assert.equal(state.runs, 0);
      } finally {
        await server.close();
      }
    });

    it('content types Stripe never sends do not matter: the signature does', async () => {
      const { webhooks, state } = handlerWithCount();
      const server = await serve(webhooks, state);
      try {
        for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
          const { body, header } = delivery(makeEvent());
          const r = await post(server.url, body, header, { 'content-type': contentType });
          assert.equal(r.status, 200, contentType);
        }
        const { body } = delivery(makeEvent());
        const forged = await post(server.url, body, sign(body, { secret: 'whsec_forged' }), { 'content-type': 'text/plain' });
        assert.equal(forged.status, 400);
        assert.equal(state.runs, 3);
      } finally {
        await server.close();
      }
    });

    it('a body of exactly maxBodyBytes is read; one byte more is 413', async () => {
      const maxBodyBytes = 4096;
      const { webhooks, state } = handlerWithCount({ maxBodyBytes });
      const server = await serve(webhooks, state);
      try {
        const event = makeEvent();
        const base = JSON.stringify(event);
        const exact = `${base}${' '.repeat(maxBodyBytes - Buffer.byteLength(base))}`;
        assert.equal(Buffer.byteLength(exact), maxBodyBytes);
        const atLimit = await post(server.url, exact, sign(exact));
        assert.equal(atLimit.status, 200);
        const over = `${exact} `;
        const tooBig = await post(server.url, over, sign(over));
        assert.equal(tooBig.status, 413);
        assert.deepEqual(tooBig.body, { error: 'payload_too_large' });
        assert.equal(state.runs, 1);
      } finally {
        await server.close();
      }
    });

    it('chunked bodies: one byte per chunk (UTF-8 split across chunks) verifies; one byte over maxBodyBytes is 413', async () => {
      const maxBodyBytes = 4096;
      const { webhooks, state } = handlerWithCount({ maxBodyBytes });
      const server = await serve(webhooks, state);
      // Sends `body` with Transfer-Encoding: chunked, `size` bytes per chunk.
      const sendChunked = (body, header, size) =>
        new Promise((resolve, reject) => {
          const socket = net.connect(server.port, '127.0.0.1');
          let answer = '';
          socket.on('data', (d) => { answer += d.toString('latin1'); });
          socket.on('error', reject);
          socket.on('close', () => resolve(answer));
          socket.write(
            'POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
              `Stripe-Signature: ${header}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
          );
          const bytes = Buffer.from(body);
          for (let i = 0; i < bytes.length; i += size) {
            const chunk = bytes.subarray(i, i + size);
            socket.write(`${chunk.length.toString(16)}\r\n`);
            socket.write(chunk);
            socket.write('\r\n');
          }
          // No half-close: node:http aborts a request whose client ends its side before the
          // answer is written (socketOnEnd), which would make this test depend on how fast
          // the answer comes. `Connection: close` makes the server close after answering.
          socket.write('0\r\n\r\n');
        });
      try {
        const event = makeEvent({ object: { id: 'cus_1', object: 'customer', name: 'Zoë Ünal 東京 🎉' } });
        const body = JSON.stringify(event);
        const ok = await sendChunked(body, sign(body), 1);
        assert.match(ok, /^HTTP\/1\.1 200 /);
        assert.equal(state.runs, 1);

        const base = JSON.stringify(makeEvent());
        const over = `${base}${' '.repeat(maxBodyBytes + 1 - Buffer.byteLength(base))}`;
        const tooBig = await sendChunked(over, sign(over), 1000);
        assert.match(tooBig, /^HTTP\/1\.1 413 /);
        assert.match(tooBig, /payload_too_large/);
        assert.equal(state.runs, 1);
        await until(() => state.settled === 2, 'both calls to settle');
      } finally {
        await server.close();
      }
    });
  });
});
