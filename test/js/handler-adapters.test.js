'use strict';
// The adapters against the real things: node:http with oversized and
// streamed bodies, Express with express.raw(), with no body parser and with
// express.json() (detected), Next.js Pages Router style handlers, and the
// Fetch API's Request/Response. Once per implementation.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express = require('express');
const { ENGINES } = require('./support/engines');
const { SECRET, makeEvent, sign, delivery, startServer, post, recordingLogger } = require('./support/deliveries');

for (const { name: implementation, hookwise } of ENGINES) describe(implementation, () => {
  const { createWebhookHandler, MemoryStore } = hookwise;

  function newHandler(options = {}) {
    const runs = [];
    const webhooks = createWebhookHandler({
      secret: SECRET,
      store: new MemoryStore(),
      logger: recordingLogger().logger,
      on: { '*': async (event) => runs.push(event.id) },
      ...options,
    });
    return { webhooks, runs };
  }

  /**
   * Streams `total` bytes in 64 KiB chunks (chunked encoding, or with a
   * Content-Length when `declare`), stopping as soon as the response arrives.
   */
  function streamBigBody(url, total, { declare }) {
    return new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' };
      if (declare) headers['content-length'] = String(total);
      const req = http.request(url, { method: 'POST', headers });
      let sent = 0;
      let answered = false;
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      req.on('response', (res) => {
        answered = true;
        const parts = [];
        res.on('data', (c) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: JSON.parse(Buffer.concat(parts)), sent }));
        res.on('error', reject);
      });
      req.on('error', (err) => {
        // The server closes the connection right after its 413 without reading the rest, so the
        // kernel may answer the client's next write with a reset before the client has read the
        // response (TCP's behaviour, not the server's choice). The server-side facts are asserted.
        if (answered) return;
        if (err.code === 'EPIPE' || err.code === 'ECONNRESET') resolve({ reset: true, sent });
        else reject(err);
      });
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      pump();
    });
  }

  describe('webhooks.node behind node:http', () => {
    let server;
    let webhooks;
    let runs;
    let answered; // what the server answered, observed on the server side
    before(async () => {
      ({ webhooks, runs } = newHandler({ maxBodyBytes: 1024 * 1024 }));
      server = await startServer((req, res) => {
        res.on('finish', () => {
          answered = { status: res.statusCode, connection: res.getHeader('connection'), bytesRead: req.socket.bytesRead };
        });
        webhooks.node(req, res);
      });
    });
    after(() => server.close());

    it('processes a delivery', async () => {
      const { body, header } = delivery(makeEvent());
      const res = await post(server.url, body, header);
      assert.deepEqual([res.status, res.body], [200, { received: true }]);
      assert.equal(runs.length, 1);
    });

    for (const declare of [true, false]) {
      it(`answers a 50 MB body (${declare ? 'with Content-Length' : 'chunked'}) with 413 and Connection: close without reading it`, async () => {
        const total = 50 * 1024 * 1024;
        answered = undefined;
        const res = await streamBigBody(server.url, total, { declare });
        if (!res.reset) {
          assert.equal(res.status, 413);
          assert.deepEqual(res.body, { error: 'payload_too_large' });
          assert.equal(res.headers.connection, 'close');
        }
        assert.equal(answered.status, 413);
        assert.equal(answered.connection, 'close');
        // The server read at most the limit plus what was in flight, never the whole body.
        assert.ok(answered.bytesRead < 8 * 1024 * 1024, `the server read ${answered.bytesRead} bytes`);
        if (declare) assert.ok(answered.bytesRead < 1024 * 1024, `read ${answered.bytesRead} bytes of a declared-too-large body`);
      });
    }

    it('keeps serving after an oversized body', async () => {
      const { body, header } = delivery(makeEvent());
      assert.equal((await post(server.url, body, header)).status, 200);
    });
  });

  describe('webhooks.node behind Express', () => {
    const servers = [];
    async function app(configure) {
      const { webhooks, runs } = newHandler();
      const a = express();
      configure(a, webhooks);
      const s = await startServer(a);
      servers.push(s);
      return { url: s.url, runs };
    }
    after(() => Promise.all(servers.map((s) => s.close())));

    it("works with express.raw({ type: 'application/json' })", async () => {
      const { url, runs } = await app((a, webhooks) => a.post('/webhooks', express.raw({ type: 'application/json' }), webhooks.node));
      const { body, header } = delivery(makeEvent());
      const res = await post(url, body, header);
      assert.deepEqual([res.status, res.body], [200, { received: true }]);
      assert.equal(runs.length, 1);
    });

    it('works with no body parser', async () => {
      const { url, runs } = await app((a, webhooks) => a.post('/webhooks', webhooks.node));
      const { body, header } = delivery(makeEvent());
      const res = await post(url, body, header);
      assert.deepEqual([res.status, res.body], [200, { received: true }]);
      assert.equal(runs.length, 1);
    });

    it('works when the route is registered before app.use(express.json())', async () => {
      const { url } = await app((a, webhooks) => {
        a.post('/webhooks', express.raw({ type: 'application/json' }), webhooks.node);
        a.use(express.json());
      });
      const { body, header } = delivery(makeEvent());
      assert.equal((await post(url, body, header)).status, 200);
    });

    it('detects a body express.json() consumed: 400 payload_not_raw naming express.raw(), at once', async () => {
      const { url, runs } = await app((a, webhooks) => {
        a.use(express.json());
        a.post('/webhooks', webhooks.node);
      });
      const { body, header } = delivery(makeEvent());
      const res = await post(url, body, header);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'payload_not_raw');
      assert.match(res.body.message, /express\.raw\(/);
      assert.match(res.body.message, /bodyParser: false/);
      assert.equal(runs.length, 0);
    });

    it('detects a stream that middleware read without setting req.body', async () => {
      const { url } = await app((a, webhooks) => {
        a.use((req, res, next) => { req.resume(); req.on('end', next); });
        a.post('/webhooks', webhooks.node);
      });
      const { body, header } = delivery(makeEvent());
      const res = await post(url, body, header);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'payload_not_raw');
    });
  });

  describe('webhooks.node in Next.js Pages Router style', () => {
    // pages/api/webhooks.js: `export const config = { api: { bodyParser: false } }` and
    // `export default (req, res) => webhooks.node(req, res)`. Next then hands the untouched
    // node:http request over; with its default bodyParser it first reads the stream and sets
    // req.body to the parsed JSON — reproduced here the same way.
    function nextApiRoute(webhooks, { bodyParser }) {
      return async (req, res) => {
        if (bodyParser) {
          const chunks = [];
          for await (const c of req) chunks.push(c);
          req.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        }
        await webhooks.node(req, res);
      };
    }

    it('processes a delivery with bodyParser: false', async () => {
      const { webhooks, runs } = newHandler();
      const s = await startServer(nextApiRoute(webhooks, { bodyParser: false }));
      try {
        const { body, header } = delivery(makeEvent());
        assert.deepEqual((await post(s.url, body, header)).body, { received: true });
        assert.equal(runs.length, 1);
      } finally {
        await s.close();
      }
    });

    it('answers 400 payload_not_raw naming bodyParser: false when Next parsed the body', async () => {
      const { webhooks } = newHandler();
      const s = await startServer(nextApiRoute(webhooks, { bodyParser: true }));
      try {
        const { body, header } = delivery(makeEvent());
        const res = await post(s.url, body, header);
        assert.equal(res.status, 400);
        assert.equal(res.body.error, 'payload_not_raw');
        assert.match(res.body.message, /bodyParser: false/);
      } finally {
        await s.close();
      }
    });
  });

  describe('webhooks.fetch with the Fetch API', () => {
    it('can be exported as a route handler unbound (export const POST = webhooks.fetch)', async () => {
      const { webhooks, runs } = newHandler();
      const POST = webhooks.fetch;
      const { body, header } = delivery(makeEvent());
      const res = await POST(new Request('https://example.com/api/webhooks', { method: 'POST', body, headers: { 'stripe-signature': header } }));
      assert.equal(res.status, 200);
      assert.equal(runs.length, 1);
    });

    it('stops reading a streamed body at maxBodyBytes', async () => {
      const { webhooks } = newHandler({ maxBodyBytes: 64 * 1024 });
      let pulled = 0;
      const stream = new ReadableStream({
        pull(controller) {
          pulled += 16 * 1024;
          controller.enqueue(new Uint8Array(16 * 1024));
        },
      });
      const res = await webhooks.fetch(new Request('http://x/', { method: 'POST', body: stream, duplex: 'half', headers: { 'stripe-signature': 't=1,v1=00' } }));
      assert.equal(res.status, 413);
      assert.equal(res.headers.get('connection'), 'close');
      assert.deepEqual(await res.json(), { error: 'payload_too_large' });
      assert.ok(pulled < 1024 * 1024, `pulled ${pulled} bytes from an endless body`);
    });

    it('a Request whose body was already read is payload_not_raw', async () => {
      const { webhooks } = newHandler();
      const { body, header } = delivery(makeEvent());
      const req = new Request('http://x/', { method: 'POST', body, headers: { 'stripe-signature': header } });
      await req.json();
      const res = await webhooks.fetch(req);
      assert.equal(res.status, 400);
      assert.equal((await res.json()).error, 'payload_not_raw');
    });

    it('a missing body is missing_payload', async () => {
      const { webhooks } = newHandler();
      const res = await webhooks.fetch(new Request('http://x/', { method: 'POST', headers: { 'stripe-signature': sign('x') } }));
      assert.equal(res.status, 400);
      assert.equal((await res.json()).error, 'missing_payload');
    });
  });
});
