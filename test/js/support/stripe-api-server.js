'use strict';
// A local stand-in for the few Stripe API endpoints the billing refetch calls,
// on 127.0.0.1, answering as Stripe documents them: JSON bodies, `Request-Id`
// and `Stripe-Version` headers, list objects, `{ error: { type, code,
// message, ... } }` errors with their HTTP statuses, 401 without a key, and
// 429 rate-limit answers on demand (with `Stripe-Should-Retry: true` for a
// lock timeout, the one 429 stripe-node retries).
//
//   GET /v1/customers/:id          customer, or { id, object: 'customer', deleted: true }
//   GET /v1/subscriptions/:id      subscription
//   GET /v1/subscriptions?customer=&status=&limit=&starting_after=
//                                  newest first; without status, canceled and
//                                  incomplete_expired ones are left out; status=all keeps them
//   POST /v1/customers             a new customer from the form body (email, name, metadata[...])
//   POST /v1/checkout/sessions     an open Checkout Session with its hosted `url`
//   POST /v1/billing_portal/sessions  a Customer Portal session with its `url`
// Every request is recorded with its form body decoded (flat keys, as sent:
// `line_items[0][price]`) and its Idempotency-Key.
const http = require('node:http');
const { randomBytes } = require('node:crypto');

const DEFAULT_VERSION = '2026-10-28.endive';
const ENDED = new Set(['canceled', 'incomplete_expired']);

function errorBody(type, message, extra = {}) {
  return { error: { ...extra, message, request_log_url: 'https://dashboard.stripe.com/test/logs/req_local', type } };
}

const newId = (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;
const metadataOf = (body) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => /^metadata\[[^\]]+\]$/.test(k)).map(([k, value]) => [k.slice(9, -1), value]));

/** The object a POST creates, as Stripe answers it (the fields the apps read), or null for an unknown path. */
function createObject(pathname, body) {
  const created = Math.floor(Date.now() / 1000);
  if (pathname === '/v1/customers') {
    return { id: newId('cus'), object: 'customer', created, email: body.email ?? null, name: body.name ?? null, metadata: metadataOf(body), livemode: false };
  }
  if (pathname === '/v1/checkout/sessions') {
    const id = newId('cs_test');
    return {
      id, object: 'checkout.session', created, livemode: false, status: 'open', payment_status: 'unpaid',
      mode: body.mode ?? 'payment', customer: body.customer ?? null, client_reference_id: body.client_reference_id ?? null,
      metadata: metadataOf(body), success_url: body.success_url ?? null, cancel_url: body.cancel_url ?? null,
      url: `https://checkout.stripe.com/c/pay/${id}`,
    };
  }
  if (pathname === '/v1/billing_portal/sessions') {
    const id = newId('bps');
    return { id, object: 'billing_portal.session', created, livemode: false, customer: body.customer, return_url: body.return_url ?? null, url: `https://billing.stripe.com/p/session/test_${id.slice(4)}` };
  }
  return null;
}

async function startStripeApi() {
  const customers = new Map();
  const subscriptions = new Map();
  const requests = [];
  const failures = []; // queued answers for the next requests: { status, body, headers }
  let held = null; // while set, answers wait for this promise
  const arrivals = [];

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let text = '';
    for await (const chunk of req) text += chunk;
    const record = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: Object.fromEntries(new URLSearchParams(text)),
      idempotencyKey: req.headers['idempotency-key'] ?? null,
      stripeVersion: req.headers['stripe-version'] ?? null,
      authorization: req.headers.authorization ?? null,
    };
    requests.push(record);
    for (const wake of arrivals.splice(0)) wake(record);
    if (held) await held;
    const send = (status, body, headers = {}) => {
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Request-Id': `req_${randomBytes(7).toString('hex')}`,
        'Stripe-Version': record.stripeVersion ?? DEFAULT_VERSION,
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    if (!/^Bearer sk_test_\w+$/.test(record.authorization ?? '')) {
      send(401, errorBody('invalid_request_error', 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.'));
      return;
    }
    const failure = failures.shift();
    if (failure) {
      send(failure.status, failure.body, failure.headers);
      return;
    }
    if (req.method === 'POST') {
      const created = createObject(url.pathname, record.body);
      if (created) {
        if (created.object === 'customer') customers.set(created.id, created);
        send(200, created);
        return;
      }
    }
    if (req.method !== 'GET') {
      send(404, errorBody('invalid_request_error', `Unrecognized request URL (${req.method}: ${url.pathname}).`));
      return;
    }
    let m = /^\/v1\/customers\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const found = customers.get(m[1]);
      if (!found) send(404, errorBody('invalid_request_error', `No such customer: '${m[1]}'`, { code: 'resource_missing', doc_url: 'https://stripe.com/docs/error-codes/resource-missing', param: 'id' }));
      else send(200, found);
      return;
    }
    m = /^\/v1\/subscriptions\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const found = subscriptions.get(m[1]);
      if (!found) send(404, errorBody('invalid_request_error', `No such subscription: '${m[1]}'`, { code: 'resource_missing', doc_url: 'https://stripe.com/docs/error-codes/resource-missing', param: 'id' }));
      else send(200, found);
      return;
    }
    if (url.pathname === '/v1/subscriptions') {
      const q = url.searchParams;
      const status = q.get('status');
      const limit = Math.min(Math.max(Number(q.get('limit') ?? 10), 1), 100);
      let all = [...subscriptions.values()]
        .filter((s) => !q.has('customer') || s.customer === q.get('customer'))
        .filter((s) => (status === 'all' ? true : status === null ? !ENDED.has(s.status) : s.status === status))
        .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
      const after = q.get('starting_after');
      if (after !== null) all = all.slice(all.findIndex((s) => s.id === after) + 1);
      send(200, { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: '/v1/subscriptions' });
      return;
    }
    send(404, errorBody('invalid_request_error', `Unrecognized request URL (GET: ${url.pathname}).`));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    port,
    customers,
    subscriptions,
    requests,
    /** The options that point stripe-node here. */
    clientOptions: { host: '127.0.0.1', port, protocol: 'http', telemetry: false },
    /** The next `times` requests get 429: a rate limit (not retried by stripe-node), or a lock timeout with Stripe-Should-Retry: true. */
    rateLimitNext(times = 1, { lockTimeout = false } = {}) {
      for (let i = 0; i < times; i += 1) {
        failures.push(
          lockTimeout
            ? { status: 429, headers: { 'Stripe-Should-Retry': 'true' }, body: errorBody('invalid_request_error', 'This object cannot be accessed right now because another API request or Stripe process is currently accessing it.', { code: 'lock_timeout', doc_url: 'https://stripe.com/docs/error-codes/lock-timeout' }) }
            : { status: 429, body: errorBody('invalid_request_error', 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.', { code: 'rate_limit', doc_url: 'https://stripe.com/docs/error-codes/rate-limit' }) },
        );
      }
    },
    /** Hold every answer until the returned function is called. */
    hold() {
      let release;
      held = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        held = null;
        release();
      };
    },
    /** Resolves with the next request's record once it has arrived. */
    nextRequest() {
      return new Promise((resolve) => arrivals.push(resolve));
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      });
    },
  };
}

module.exports = { startStripeApi };
