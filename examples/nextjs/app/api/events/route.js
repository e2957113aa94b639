// GET /api/events: what the webhook routes did — hookwise's event log (the
// store) and the events your handlers ran for. Remove or protect this route in
// a real app: it lists your events to anyone who asks.
import { SqliteStore } from 'hookwise';
import { listReceived } from '../../../lib/received';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const store = new SqliteStore();

export async function GET() {
  const events = await store.list({ limit: 100 });
  return Response.json({
    events: events.map(({ id, type, status, attempts }) => ({ id, type, status, attempts })),
    received: listReceived(),
  });
}
