// What a paid checkout becomes: an order, its items, and for a guest an outbox
// row asking for the download links to be e-mailed. `sql` is a pg client
// inside a transaction: all of it commits together or not at all.

/**
 * The cart's line items, as the storefront put them in the session's metadata
 * when it created the Checkout Session: metadata.items = JSON
 * [{ "product": "prod_...", "quantity": 1, "unitAmount": 1500 }, ...].
 * Throws on anything else: the event fails (and is retried, then dead-lettered)
 * instead of making an order without its items.
 */
export function lineItems(session) {
  const items = JSON.parse(session.metadata?.items ?? 'null');
  const valid = (i) => typeof i?.product === 'string' && Number.isInteger(i.quantity) && i.quantity > 0 && Number.isInteger(i.unitAmount);
  if (!Array.isArray(items) || items.length === 0 || !items.every(valid)) {
    throw new Error(`checkout session ${session.id}: metadata.items is not a list of { product, quantity, unitAmount }`);
  }
  return items;
}

export async function recordOrder(sql, session) {
  const items = lineItems(session);
  const buyer = session.metadata?.userId ?? null;
  const email = session.customer_details?.email ?? session.customer_email ?? null;
  const {
    rows: [order],
  } = await sql.query(
    `INSERT INTO orders (reference, checkout_session_id, buyer_user_id, email, amount_total, currency)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [session.client_reference_id, session.id, buyer, email, session.amount_total, session.currency],
  );
  for (const item of items) {
    await sql.query('INSERT INTO order_items (order_id, product_id, quantity, unit_amount) VALUES ($1, $2, $3, $4)', [
      order.id,
      item.product,
      item.quantity,
      item.unitAmount,
    ]);
  }
  // A buyer with an account finds the downloads on their orders page; a guest
  // has only the e-mail address they gave Checkout.
  if (buyer === null && email !== null) {
    await sql.query("INSERT INTO outbox (kind, order_id, recipient) VALUES ('send_download_links', $1, $2)", [order.id, email]);
  }
  return order.id;
}
