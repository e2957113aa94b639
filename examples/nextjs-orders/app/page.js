// The shop's order list, straight from the tables the webhook writes.
import { GET } from './api/orders/route';

export const dynamic = 'force-dynamic';

export default async function Orders() {
  const { orders, outbox } = await (await GET()).json();
  return (
    <main>
      <h1>Orders</h1>
      <ul>
        {orders.map((o) => (
          <li key={o.reference}>
            {o.reference}: {o.items.map((i) => `${i.quantity} × ${i.product}`).join(', ')} — {(o.amountTotal / 100).toFixed(2)}{' '}
            {o.currency.toUpperCase()} {o.buyerUserId ? `(user ${o.buyerUserId})` : `(guest ${o.email})`}
          </li>
        ))}
      </ul>
      <h2>Outbox</h2>
      <ul>
        {outbox.map((x, i) => (
          <li key={i}>
            {x.kind} to {x.recipient} for {x.reference}
          </li>
        ))}
      </ul>
    </main>
  );
}
