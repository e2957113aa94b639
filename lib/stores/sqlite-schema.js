'use strict';
// The SqliteStore file format, for the portable SqliteStore: the same
// application id, schema version and migrations as the native core's
// src/core/sqlite_schema.cc, so a native and a portable process can share one
// file. The C++ build keeps its own copy of the text (it has no way to read a
// JS file); test/js/portable-sqlite-store.test.js holds the two to the same
// schema on real files (sqlite_schema of a file created by each, the pragmas)
// and to the same migration text, so neither can change alone.
//
// Append only: a released migration is never edited. MIGRATIONS[v - 1] brings
// a database from version v - 1 to v.

// 'hkws': marks a database as hookwise's (PRAGMA application_id).
const APPLICATION_ID = 0x686b7773;

const MIGRATIONS = Object.freeze([
  // 1: events and the per-object "last applied created".
  `
CREATE TABLE events (
  id               TEXT PRIMARY KEY NOT NULL,
  type             TEXT NOT NULL,
  created          INTEGER NOT NULL,
  object_id        TEXT,
  status           TEXT NOT NULL
                   CHECK (status IN ('processing', 'completed', 'failed', 'dead_lettered')),
  attempts         INTEGER NOT NULL,
  last_error       TEXT,
  received_at      INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  token            TEXT,
  lease_expires_at INTEGER NOT NULL DEFAULT 0,
  payload          BLOB
);
-- list(): newest first, optionally by status or type; purge/retention: by age.
CREATE INDEX events_by_received ON events (received_at DESC, id);
CREATE INDEX events_by_status ON events (status, received_at DESC, id);
CREATE INDEX events_by_type ON events (type, received_at DESC, id);
CREATE INDEX events_by_updated ON events (updated_at);
CREATE TABLE applied (
  object_id  TEXT PRIMARY KEY NOT NULL,
  created    INTEGER NOT NULL,
  event_id   TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  // 2: atomic ordering: a claim's order, the marker's rank, the per-object slot.
  `
ALTER TABLE events ADD COLUMN order_object_id TEXT;
ALTER TABLE events ADD COLUMN order_created INTEGER;
ALTER TABLE events ADD COLUMN order_rank INTEGER;
ALTER TABLE applied ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
CREATE TABLE ordering_slots (
  object_id  TEXT PRIMARY KEY NOT NULL,
  event_id   TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`,
  // 3: billing state, one document per Stripe customer (never purged).
  `
CREATE TABLE billing (
  customer_id TEXT PRIMARY KEY NOT NULL,
  user_id     TEXT,
  record      TEXT NOT NULL,
  version     INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
-- billingFind(): the user's newest document.
CREATE INDEX billing_by_user ON billing (user_id, updated_at DESC, customer_id);
`,
  // 4: one index fewer to write per event (about 5% of SqliteStore's CPU per
  // event; docs/BENCHMARKS.md).
  `
-- Purge and retention find old rows through events_by_received instead
-- (received_at <= updated_at: both come from the store's clock, so were it
-- to step back a row would be purged later, never earlier); this index cost
-- every claim and every completion one more b-tree write.
DROP INDEX events_by_updated;
`,
  // 5: the status index holds only events not completed (about 15% less of
  // SQLite's work per event; docs/BENCHMARKS.md).
  `
-- A completion removes the event's entry instead of moving it, and the index
-- stays as small as the events in flight, failed or dead-lettered. list() by
-- status 'completed' reads events_by_received (or events_by_type) instead,
-- where completed events are most rows.
DROP INDEX events_by_status;
CREATE INDEX events_by_status ON events (status, received_at DESC, id)
  WHERE status <> 'completed';
`,
]);

// The schema version this build writes.
const SCHEMA_VERSION = MIGRATIONS.length;

module.exports = { APPLICATION_ID, SCHEMA_VERSION, MIGRATIONS };
