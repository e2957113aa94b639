// GET /api/orders: the latest orders with their items, and the outbox, as JSON
// (what the shop's admin page shows; protect it in a real app).
import { db, ensureSchema } from '../../../lib/db';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET() {
  await ensureSchema();
  const { rows: orders } = await db().query(
    `SELECT o.reference, o.checkout_session_id AS "checkoutSessionId", o.buyer_user_id AS "buyerUserId", o.email,
            o.amount_total AS "amountTotal", o.currency,
            COALESCE(json_agg(json_build_object('product', i.product_id, 'quantity', i.quantity, 'unitAmount', i.unit_amount)
                     ORDER BY i.product_id) FILTER (WHERE i.order_id IS NOT NULL), '[]') AS items
       FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
      GROUP BY o.id ORDER BY o.id DESC LIMIT 100`,
  );
  const { rows: outbox } = await db().query(
    `SELECT x.kind, x.recipient, o.reference FROM outbox x JOIN orders o ON o.id = x.order_id ORDER BY x.id DESC LIMIT 100`,
  );
  return Response.json({ orders, outbox });
}
