// The app's own database: a SQLite file in DATA_DIR (default .data/), opened on
// first use (`next build` evaluates modules and must not create files).
// One table the app owns, users; Stripe's side of a user lives in hookwise's
// store (lib/webhooks.js), not here.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export const dataDir = process.env.DATA_DIR || path.join(process.cwd(), '.data');

let db = null;
export function database() {
  if (db) return db;
  fs.mkdirSync(dataDir, { recursive: true });
  db = new Database(path.join(dataDir, 'app.db'));
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,            -- your auth provider's user id (Clerk's user_...)
    email TEXT,
    name TEXT,
    stripe_customer_id TEXT UNIQUE, -- set when the user's first checkout completes
    deleted_at INTEGER,             -- soft delete: keeps the Stripe link for the log
    synced_at INTEGER               -- the auth provider's time of the last event applied (ms)
  )`);
  return db;
}

export function getUser(id) {
  return database().prepare('SELECT * FROM users WHERE id = ? AND deleted_at IS NULL').get(id) ?? null;
}

export function upsertUser({ id, email, name }) {
  database()
    .prepare(`INSERT INTO users (id, email, name) VALUES (@id, @email, @name)
      ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, deleted_at = NULL`)
    .run({ id, email: email ?? null, name: name ?? null });
}

/**
 * The auth provider's view of a user as of `at` (ms): applied only if no later
 * event was, so a late or repeated delivery changes nothing, and a late
 * user.updated does not bring back a deleted user.
 */
export function syncUser({ id, email, name, deleted, at }) {
  database()
    .prepare(`INSERT INTO users (id, email, name, deleted_at, synced_at) VALUES (@id, @email, @name, @deletedAt, @at)
      ON CONFLICT (id) DO UPDATE SET
        email = coalesce(excluded.email, users.email), name = coalesce(excluded.name, users.name),
        deleted_at = coalesce(users.deleted_at, excluded.deleted_at), synced_at = excluded.synced_at
      WHERE users.synced_at IS NULL OR users.synced_at < excluded.synced_at`)
    .run({ id, email: email ?? null, name: name ?? null, deletedAt: deleted ? at : null, at });
}

/** Links a Stripe customer to a user; throws when the user is unknown, so the event is retried. */
export function linkCustomer(userId, customerId) {
  const { changes } = database()
    .prepare('UPDATE users SET stripe_customer_id = ? WHERE id = ? AND deleted_at IS NULL')
    .run(customerId, userId);
  if (changes === 0) throw new Error(`no user ${userId} in the users table (yet)`);
}
