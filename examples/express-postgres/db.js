// The app's tables. `accounts` holds what a customer bought; `activities` is
// the log of every change the webhooks made to an account, one row per change,
// keyed by the Stripe event that made it.
export const schema = `
CREATE TABLE IF NOT EXISTS accounts (
  user_id             text PRIMARY KEY,
  stripe_customer_id  text UNIQUE,
  tier                text NOT NULL DEFAULT 'free',
  subscription_id     text,
  subscription_status text,
  tier_as_of          bigint,  -- "created" of the Stripe event the tier comes from
  credits             integer NOT NULL DEFAULT 0 CHECK (credits >= 0)
);
CREATE TABLE IF NOT EXISTS activities (
  id              bigserial PRIMARY KEY,
  user_id         text NOT NULL REFERENCES accounts (user_id),
  kind            text NOT NULL,  -- 'tier_changed' | 'credits_added'
  detail          jsonb NOT NULL,
  stripe_event_id text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stripe_event_id, kind)
);`;

/** Creates the tables; several processes may start at once, so under a lock. */
export async function migrate(pool) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(20260117)');
    await client.query(schema);
    await client.query('COMMIT');
    client.release();
  } catch (err) {
    client.release(err); // a connection left inside a failed transaction is closed, not reused
    throw err;
  }
}
