// /admin/webhooks: what hookwise's store recorded — recent events with their
// status, attempts and last error, and the dead letters with a replay button.
// (Protect /admin in a real app; it lists your events to anyone who asks.)
import { store } from '../../../lib/webhooks';
import { replayEvent } from './actions';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const time = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const cell = { border: '1px solid #ccc', padding: '0.25rem 0.5rem', textAlign: 'left' };

function Events({ events, id, replayable }) {
  if (events.length === 0) return <p id={id}>None.</p>;
  return (
    <table id={id} style={{ borderCollapse: 'collapse' }}>
      <thead>
        <tr>
          {['event', 'type', 'status', 'attempts', 'last error', 'received', ...(replayable ? [''] : [])].map((h) => (
            <th key={h} style={cell}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id} data-event-id={e.id} data-status={e.status}>
            <td style={cell}><code>{e.id}</code></td>
            <td style={cell}>{e.type}</td>
            <td style={cell}>{e.status}</td>
            <td style={cell}>{e.attempts}</td>
            <td style={cell}>{e.status === 'completed' ? '' : e.lastError ?? ''}</td>
            <td style={cell}>{time(e.receivedAt)}</td>
            {replayable && (
              <td style={cell}>
                <form action={replayEvent}>
                  <input type="hidden" name="eventId" value={e.id} />
                  <button type="submit">Replay</button>
                </form>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function WebhookLog() {
  const [recent, dead] = await Promise.all([store.list({ limit: 50 }), store.list({ status: 'dead_lettered', limit: 50 })]);
  return (
    <main>
      <h1>Webhook log</h1>
      <h2>Dead letters</h2>
      <Events events={dead} id="dead-letters" replayable />
      <h2>Recent events</h2>
      <Events events={recent} id="recent" />
    </main>
  );
}
