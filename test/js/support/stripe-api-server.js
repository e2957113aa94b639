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
//   GET /v2/core/events/:id        a v2 event (thin events' ctx.fetchEvent()), from `v2Events`
//   POST /v1/customers             a new customer (examples/convex-membership), kept for the GETs
//   POST /v1/checkout/sessions     a Checkout Session with its hosted `url` (examples/nextjs-membership)
//   POST /v1/billing_portal/sessions  a Customer Portal session for a known customer
//   POST /v1/subscriptions/:id     updates a known subscription (cancel_at_period_end)
// A POST's form-encoded parameters are recorded flat, as stripe-node encodes
// them (`line_items[0][price]`), in the request's `params`; every request's
// Idempotency-Key in its `idempotencyKey`.
const http = require('node:http');
const { randomBytes } = require('node:crypto');

const DEFAULT_VERSION = '2026-10-28.endive';
const ENDED = new Set(['canceled', 'incomplete_expired']);

function errorBody(type, message, extra = {}) {
  return { error: { ...extra, message, request_log_url: 'https://dashboard.stripe.com/test/logs/req_local', type } };
}

const missing = (what, id, param = 'id') =>
  ({ status: 404, body: errorBody('invalid_request_error', `No such ${what}: '${id}'`, { code: 'resource_missing', doc_url: 'https://stripe.com/docs/error-codes/resource-missing', param }) });
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The answer to a POST: { status, body }. */
function postAnswer(pathname, params, { customers, subscriptions }) {
  if (pathname === '/v1/customers') {
    const metadata = Object.fromEntries(Object.entries(params).filter(([k]) => /^metadata\[[^\]]+\]$/.test(k)).map(([k, value]) => [k.slice(9, -1), value]));
    const customer = { id: `cus_${randomBytes(12).toString('hex')}`, object: 'customer', created: nowSeconds(), email: params.email ?? null, name: params.name ?? null, metadata, livemode: false };
    customers.set(customer.id, customer);
    return { status: 200, body: customer };
  }
  if (pathname === '/v1/checkout/sessions') {
    const id = `cs_test_${randomBytes(12).toString('hex')}`;
    return {
      status: 200,
      body: {
        id,
        object: 'checkout.session',
        client_reference_id: params.client_reference_id ?? null,
        customer: params.customer ?? null,
        customer_email: params.customer_email ?? null,
        mode: params.mode ?? null,
        status: 'open',
        success_url: params.success_url ?? null,
        cancel_url: params.cancel_url ?? null,
        url: `https://checkout.stripe.com/c/pay/${id}`,
        created: nowSeconds(),
      },
    };
  }
  if (pathname === '/v1/billing_portal/sessions') {
    if (!customers.has(params.customer)) return missing('customer', params.customer, 'customer');
    const id = `bps_${randomBytes(12).toString('hex')}`;
    return {
      status: 200,
      body: { id, object: 'billing_portal.session', customer: params.customer, return_url: params.return_url ?? null, url: `https://billing.stripe.com/p/session/test_${id}`, created: nowSeconds() },
    };
  }
  const m = /^\/v1\/subscriptions\/([^/]+)$/.exec(pathname);
  if (m) {
    const sub = subscriptions.get(m[1]);
    if (!sub) return missing('subscription', m[1]);
    if (params.cancel_at_period_end !== undefined) {
      sub.cancel_at_period_end = params.cancel_at_period_end === 'true';
      const periodEnd = sub.items?.data?.[0]?.current_period_end ?? sub.current_period_end ?? null;
      sub.cancel_at = sub.cancel_at_period_end ? periodEnd : null;
    }
    return { status: 200, body: sub };
  }
  return { status: 404, body: errorBody('invalid_request_error', `Unrecognized request URL (POST: ${pathname}).`) };
}

async function startStripeApi() {
  const customers = new Map();
  const subscriptions = new Map();
  const v2Events = new Map();
  const requests = [];
  const failures = []; // queued answers for the next requests: { status, body, headers }
  let held = null; // while set, answers wait for this promise
  const arrivals = [];

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const record = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), stripeVersion: req.headers['stripe-version'] ?? null, authorization: req.headers.authorization ?? null, idempotencyKey: req.headers['idempotency-key'] ?? null, stripeContext: req.headers['stripe-context'] ?? null, requestTrigger: req.headers['stripe-request-trigger'] ?? null };
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
      let text = '';
      for await (const chunk of req.setEncoding('utf8')) text += chunk;
      record.params = Object.fromEntries(new URLSearchParams(text));
      const answer = postAnswer(url.pathname, record.params, { customers, subscriptions });
      send(answer.status, answer.body);
      return;
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
    m = /^\/v2\/core\/events\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const id = decodeURIComponent(m[1]);
      const found = v2Events.get(id);
      if (!found) send(404, errorBody('invalid_request_error', `No such event: '${id}'`, { code: 'resource_missing' }));
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
    v2Events,
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
