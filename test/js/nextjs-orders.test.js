'use strict';
// examples/nextjs-orders: built with the real `next build`, served by
// `next start` against a real PostgreSQL on 127.0.0.1 (./support/services.js),
// hookwise installed from this checkout's `npm pack`. Paid checkouts are
// delivered over HTTP, signed with stripe-node (the reference), and the shop's
// tables are read back with pg: an order per checkout with its items, an
// outbox row for guests only, nothing twice, nothing half-written.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const Stripe = require('stripe');
const { Client } = require('pg');
const app = require('./support/nextjs-app');
const services = require('./support/services');
const { buildEvent } = require('../../lib/fixtures');

const skip = app.unavailable() ?? services.unavailable('postgres') ?? false;
const SECRET = 'whsec_nextjs_orders_example_0123456789';

describe('examples/nextjs-orders under next start, on PostgreSQL', { skip }, () => {
  let dir;
  let buildOutput = '';
  let pg;
  let server;
  let sql;
  let n = 0;
  const env = () => ({ STRIPE_WEBHOOK_SECRET: SECRET, DATABASE_URL: pg.connectionString });

  before(async () => {
    dir = app.prepare({}, {}, { example: 'nextjs-orders' });
    [buildOutput, pg] = await Promise.all([app.build(dir), services.startPostgres()]);
    server = await app.start(dir, env());
    sql = new Client({ connectionString: pg.connectionString });
    await sql.connect();
  });
  after(async () => {
    if (sql) await sql.end();
    if (server) await server.stop();
    if (pg) await pg.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const withOutput = (fn) => async () => {
    try {
      await fn();
    } catch (err) {
      err.message += `\n--- next build ---\n${buildOutput}\n--- server ---\n${server ? server.output() : '(not started)'}`;
      throw err;
    }
  };

  /** A paid one-off checkout for cart `reference`, as Stripe sends it (lib/fixtures). */
  function checkout(reference, { items, userId, email = 'guest@example.com', paymentStatus = 'paid', type = 'checkout.session.completed' } = {}) {
    n += 1;
    const metadata = { ...(items !== undefined ? { items: JSON.stringify(items) } : {}), ...(userId ? { userId } : {}) };
    const amountTotal = (items ?? []).reduce((sum, i) => sum + i.quantity * i.unitAmount, 0);
    const event = buildEvent('checkout.session.completed', {
      id: `cs_test_orders_${process.pid}_${n}`,
      mode: 'payment',
      clientReferenceId: reference,
      metadata,
      email,
      paymentStatus,
      amountTotal,
      event: { id: `evt_orders_${process.pid}_${n}`, created: 1_767_225_600 + n },
    });
    event.type = type;
    // A guest checkout: the e-mail typed into Checkout, no customer object.
    event.data.object.customer = null;
    event.data.object.customer_email = userId ? null : email;
    return event;
  }

  async function deliver(event) {
    const body = JSON.stringify(event);
    const res = await fetch(`${server.url}/api/webhooks/stripe`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }) },
    });
    return { status: res.status, body: await res.json() };
  }

  /** The order of cart `reference` with its items and outbox rows, from the database; null when there is none. */
  async function orderOf(reference) {
    const { rows } = await sql.query('SELECT id, checkout_session_id, buyer_user_id, email, amount_total, currency FROM orders WHERE reference = $1', [reference]);
    if (rows.length === 0) return null;
    const [order] = rows;
    const items = (await sql.query('SELECT product_id, quantity, unit_amount FROM order_items WHERE order_id = $1 ORDER BY product_id', [order.id])).rows;
    const outbox = (await sql.query('SELECT kind, recipient FROM outbox WHERE order_id = $1', [order.id])).rows;
    return { ...order, id: undefined, items, outbox };
  }

  const CART = [
    { product: 'prod_EbookRecipes', quantity: 1, unitAmount: 1500 },
    { product: 'prod_FontPack', quantity: 2, unitAmount: 900 },
  ];

  it('a guest checkout creates the order, its items and one "send download links" outbox row', withOutput(async () => {
    const event = checkout('cart_guest_1', { items: CART, email: 'ada@example.com' });
    assert.deepEqual(await deliver(event), { status: 200, body: { received: true } });
    assert.deepEqual(await orderOf('cart_guest_1'), {
      id: undefined,
      checkout_session_id: event.data.object.id,
      buyer_user_id: null,
      email: 'ada@example.com',
      amount_total: 3300,
      currency: 'usd',
      items: [
        { product_id: 'prod_EbookRecipes', quantity: 1, unit_amount: 1500 },
        { product_id: 'prod_FontPack', quantity: 2, unit_amount: 900 },
      ],
      outbox: [{ kind: 'send_download_links', recipient: 'ada@example.com' }],
    });
    // The same over the app's own API.
    const { orders, outbox } = await (await fetch(`${server.url}/api/orders`)).json();
    assert.deepEqual(orders.find((o) => o.reference === 'cart_guest_1').items, CART);
    assert.deepEqual(outbox.filter((x) => x.reference === 'cart_guest_1'), [{ kind: 'send_download_links', recipient: 'ada@example.com', reference: 'cart_guest_1' }]);
  }));

  it('a buyer with an account gets the order and no outbox row', withOutput(async () => {
    assert.equal((await deliver(checkout('cart_account_1', { items: CART.slice(0, 1), userId: 'user_42', email: 'grace@example.com' }))).status, 200);
    const order = await orderOf('cart_account_1');
    assert.equal(order.buyer_user_id, 'user_42');
    assert.equal(order.items.length, 1);
    assert.deepEqual(order.outbox, []);
  }));

  it('the same event delivered again, and six times at once, makes one order', withOutput(async () => {
    const again = checkout('cart_guest_2', { items: CART });
    assert.equal((await deliver(again)).status, 200);
    assert.deepEqual((await deliver(again)).body, { received: true, duplicate: true });

    const burst = checkout('cart_guest_3', { items: CART });
    const answers = await Promise.all(Array.from({ length: 6 }, () => deliver(burst)));
    for (const a of answers) assert.ok(a.status === 200 || (a.status === 409 && a.body.error === 'in_progress'), JSON.stringify(a));
    assert.equal(answers.filter((a) => a.status === 200 && !a.body.duplicate).length, 1, JSON.stringify(answers));
    for (const reference of ['cart_guest_2', 'cart_guest_3']) {
      const order = await orderOf(reference);
      assert.equal(order.items.length, 2, reference);
      assert.equal(order.outbox.length, 1, reference);
    }
    const { rows } = await sql.query("SELECT count(*)::int AS n FROM orders WHERE reference IN ('cart_guest_2', 'cart_guest_3')");
    assert.equal(rows[0].n, 2);
  }));

  it('a cart the database refuses half-way fails (500) and leaves no order, no items, no outbox row', withOutput(async () => {
    // One product listed twice: the order row is written, the second item breaks
    // order_items' primary key, and the whole transaction must roll back.
    const twice = { product: 'prod_EbookRecipes', quantity: 1, unitAmount: 1500 };
    const broken = checkout('cart_broken', { items: [twice, twice] });
    const { status, body } = await deliver(broken);
    assert.equal(status, 500);
    assert.deepEqual(body, { error: 'handler_failed' });
    assert.equal(await orderOf('cart_broken'), null);
    const { rows } = await sql.query("SELECT (SELECT count(*) FROM outbox WHERE recipient = 'guest@example.com')::int AS outbox, (SELECT count(*) FROM order_items)::int AS items");
    assert.deepEqual(rows[0], { outbox: 2, items: 7 }, 'only the earlier tests\' rows (cart_guest_2 and _3; 2 + 1 + 2 + 2 items)');
    // A malformed cart is refused before any write.
    const malformed = checkout('cart_malformed', { items: [{ ...twice, quantity: 0 }] });
    assert.equal((await deliver(malformed)).status, 500);
    assert.equal(await orderOf('cart_malformed'), null);
  }));

  it('an unpaid checkout (delayed payment) makes no order until async_payment_succeeded; a checkout without a cart makes none', withOutput(async () => {
    const pending = checkout('cart_delayed', { items: CART, paymentStatus: 'unpaid' });
    assert.equal((await deliver(pending)).status, 200);
    assert.equal(await orderOf('cart_delayed'), null);
    const paid = checkout('cart_delayed', { items: CART, type: 'checkout.session.async_payment_succeeded' });
    paid.data.object.id = pending.data.object.id; // the same session, now paid
    assert.equal((await deliver(paid)).status, 200);
    assert.equal((await orderOf('cart_delayed')).checkout_session_id, pending.data.object.id);

    const noCart = checkout(null, { items: CART });
    assert.equal((await deliver(noCart)).status, 200);
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM orders WHERE checkout_session_id = $1', [noCart.data.object.id]);
    assert.equal(rows[0].n, 0);
  }));

  it('a server killed in the middle of an order leaves nothing behind, and the next delivery makes the order at once', withOutput(async () => {
    // The test holds a lock that stops the handler's first item insert: the
    // order row is written, its transaction open, when the server is SIGKILLed.
    assert.equal((await fetch(`${server.url}/api/orders`)).status, 200); // the tables exist
    const blocker = new Client({ connectionString: pg.connectionString });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE order_items IN SHARE MODE');
      const event = checkout('cart_killed', { items: CART });
      const delivery = deliver(event).catch((err) => err); // the connection dies with the server
      for (;;) {
        const { rows } = await sql.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO order_items%'");
        if (rows[0].n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      process.kill(-server.pid, 'SIGKILL');
      assert.ok((await delivery) instanceof Error, 'no answer from a killed server');
      await server.stop();
      await blocker.query('ROLLBACK');

      server = await app.start(dir, env());
      assert.equal(await orderOf('cart_killed'), null, 'nothing of the killed run committed');
      // Stripe retries: the event is claimable again at once (no lease to wait out).
      assert.deepEqual(await deliver(event), { status: 200, body: { received: true } });
      const order = await orderOf('cart_killed');
      assert.equal(order.items.length, 2);
      assert.equal(order.outbox.length, 1);
    } finally {
      await blocker.end();
    }
  }));
});
