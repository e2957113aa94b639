// The app every runtime test runs: a Stripe webhook route made with
// createWebhookHandler and a MemoryStore, plus GET /state (which
// implementation the import got, which events the handler saw). `hookwise` is
// the module the runtime resolved; makeApp is called at module scope by each
// entry, so creating the handler and its store there must not make random ids
// or start timers (workerd refuses both at global scope).
export const SECRET = 'whsec_runtime_test_secret';

export function makeApp(hookwise) {
  const handled = [];
  const webhooks = hookwise
    .createWebhookHandler({ secret: SECRET, store: new hookwise.MemoryStore() })
    .on('invoice.paid', async (event, ctx) => {
      handled.push({ id: event.id, attempt: ctx.attempt, amount: event.data.object.amount_paid });
    });
  // What `new SqliteStore()` does here: constructs without touching a file
  // (its SQLite binding named), or throws naming the stores that work here.
  const sqliteStore = () => {
    try {
      const store = new hookwise.SqliteStore({ path: 'hookwise-probe.db' });
      return `constructed: ${store.driver ?? 'native'}`;
    } catch (err) {
      return `${err.code}: ${['MemoryStore', 'RedisStore', 'PostgresStore', 'ConvexStore'].every((s) => err.message.includes(s))}`;
    }
  };
  return async function fetch(request) {
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/state') {
      const body = JSON.stringify({ implementation: hookwise.implementation, handled, sqliteStore: sqliteStore() });
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    }
    return webhooks.fetch(request);
  };
}
