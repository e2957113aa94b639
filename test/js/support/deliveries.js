'use strict';
// Signed deliveries and real servers for the handler tests.
const http = require('node:http');
const { generateTestHeaderString } = require('../../../lib');

const SECRET = 'whsec_test_handler_secret_0123456789';

let counter = 0;
/** A snapshot event in the current API version's envelope. */
function makeEvent({ id, type = 'invoice.paid', created = 1_760_000_000, object } = {}) {
  counter += 1;
  return {
    id: id ?? `evt_test_${process.pid}_${counter}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    data: { object: object ?? { id: `in_test_${counter}`, object: 'invoice', customer: 'cus_test', amount_paid: 1900 } },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

function sign(body, { secret = SECRET, timestamp } = {}) {
  return generateTestHeaderString({ payload: body, secret, ...(timestamp !== undefined ? { timestamp } : {}) });
}

/** { body, header } for an event object. */
function delivery(event, opts) {
  const body = JSON.stringify(event);
  return { body, header: sign(body, opts) };
}

/** A real node:http server on 127.0.0.1 running `listener`; resolves with { url, server, close }. */
function startServer(listener) {
  return new Promise((resolve) => {
    const server = http.createServer(listener);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        server,
        url: `http://127.0.0.1:${port}/webhooks`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** POSTs with the global fetch; resolves with { status, body (parsed), headers }. */
async function post(url, body, header, extraHeaders = {}) {
  const headers = { 'content-type': 'application/json', ...extraHeaders };
  if (header !== undefined) headers['stripe-signature'] = header;
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), headers: res.headers };
}

/** A logger that keeps every line, to assert on what reached it (and what never does). */
function recordingLogger() {
  const lines = { info: [], warn: [], error: [] };
  const keep = (level) => (...args) => lines[level].push(args);
  return {
    logger: { info: keep('info'), warn: keep('warn'), error: keep('error') },
    lines,
    text: () =>
      Object.values(lines)
        .flat()
        .map((args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a, (k, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)))).join(' '))
        .join('\n'),
  };
}

module.exports = { SECRET, makeEvent, sign, delivery, startServer, post, recordingLogger };
