// The shop's PostgreSQL database (DATABASE_URL): one pg Pool for the app and
// hookwise's store, and the app's tables, created on first use (in a real app:
// your migrations).
import pg from 'pg';

let pool = null;
export function db() {
  if (pool) return pool;
  pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  pool.on('error', (err) => console.error('pg pool:', err.message)); // an idle client's connection died
  return pool;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  id BIGSERIAL PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,            -- client_reference_id: the cart the buyer checked out
  checkout_session_id TEXT NOT NULL UNIQUE,
  buyer_user_id TEXT,                        -- null: a guest (no account)
  email TEXT,
  amount_total INTEGER NOT NULL,
  currency TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS order_items (
  order_id BIGINT NOT NULL REFERENCES orders (id),
  product_id TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  unit_amount INTEGER NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
-- Work to do after the order commits (an e-mail sender reads it), so a retried
-- webhook never sends twice: the row commits exactly once, with the order.
CREATE TABLE IF NOT EXISTS outbox (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  order_id BIGINT NOT NULL REFERENCES orders (id),
  recipient TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  sent_at TIMESTAMPTZ
);`;

let ready = null;
/** Creates the tables once per process (under a lock: several processes may start together). */
export function ensureSchema() {
  ready ??= (async () => {
    const client = await db().connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('nextjs-orders schema'))");
      await client.query(SCHEMA);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      ready = null;
      throw err;
    } finally {
      client.release();
    }
  })();
  return ready;
}
