#include "src/core/sqlite_schema.h"

#include <sys/stat.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <thread>

#include "src/core/sqlite_statement.h"

namespace hookwise {
namespace {

// migrations[v - 1] brings a database from version v - 1 to v. Append only:
// a released migration is never edited.
constexpr std::string_view kMigrations[] = {
    // 1: events and the per-object "last applied created".
    R"sql(
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
)sql",
    // 2: atomic ordering: a claim's order, the marker's rank, the per-object slot.
    R"sql(
ALTER TABLE events ADD COLUMN order_object_id TEXT;
ALTER TABLE events ADD COLUMN order_created INTEGER;
ALTER TABLE events ADD COLUMN order_rank INTEGER;
ALTER TABLE applied ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
CREATE TABLE ordering_slots (
  object_id  TEXT PRIMARY KEY NOT NULL,
  event_id   TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
)sql",
    // 3: billing state, one document per Stripe customer (never purged).
    R"sql(
CREATE TABLE billing (
  customer_id TEXT PRIMARY KEY NOT NULL,
  user_id     TEXT,
  record      TEXT NOT NULL,
  version     INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
-- billingFind(): the user's newest document.
CREATE INDEX billing_by_user ON billing (user_id, updated_at DESC, customer_id);
)sql",
    // 4: one index fewer to write per event (about 5% of SqliteStore's CPU
    // per event; docs/BENCHMARKS.md).
    R"sql(
-- Purge and retention find old rows through events_by_received instead
-- (received_at <= updated_at: both come from the store's clock, so were it
-- to step back a row would be purged later, never earlier); this index cost
-- every claim and every completion one more b-tree write.
DROP INDEX events_by_updated;
)sql",
    // 5: the status index holds only events not completed (about 15% less of
    // SQLite's work per event; docs/BENCHMARKS.md).
    R"sql(
-- A completion removes the event's entry instead of moving it, and the index
-- stays as small as the events in flight, failed or dead-lettered. list() by
-- status 'completed' reads events_by_received (or events_by_type) instead,
-- where completed events are most rows.
DROP INDEX events_by_status;
CREATE INDEX events_by_status ON events (status, received_at DESC, id)
  WHERE status <> 'completed';
)sql",
};
static_assert(std::size(kMigrations) == kSqliteSchemaVersion);

StoreError Exec(sqlite3* db, const char* sql, const std::string& what, const std::string& path) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db, rc, what, path);
  return {};
}

// One integer from a one-row query; rc is the SQLite result.
int QueryInt(sqlite3* db, const char* sql, std::int64_t& out) {
  SqliteStatement stmt;
  int rc = stmt.Prepare(db, sql);
  if (rc != SQLITE_OK) return rc;
  rc = stmt.Step();
  if (rc == SQLITE_ROW) {
    out = stmt.Int(0);
    return SQLITE_OK;
  }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

struct Identity {
  std::int64_t app_id = 0;
  std::int64_t version = 0;
  std::int64_t tables = 0;
  bool empty() const { return app_id == 0 && version == 0 && tables == 0; }
};

StoreError ReadIdentity(sqlite3* db, const std::string& path, Identity& id) {
  int rc = QueryInt(db, "PRAGMA application_id", id.app_id);
  if (rc == SQLITE_OK) rc = QueryInt(db, "PRAGMA user_version", id.version);
  if (rc == SQLITE_OK) {
    rc = QueryInt(db, "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
                  id.tables);
  }
  if (rc != SQLITE_OK) return SqliteError(db, rc, "cannot read the database", path);
  return {};
}

// A new (empty) file or one of ours passes; anything else is refused.
StoreError CheckIdentity(const Identity& id, const std::string& path) {
  if (!id.empty() && id.app_id != kSqliteApplicationId) {
    return StoreError{StoreErrorCode::kForeignDatabase,
                      path +
                          " is a SQLite database that hookwise did not create; "
                          "give SqliteStore a path of its own"};
  }
  return {};
}

// Outside any transaction: the three values must come from one snapshot, or
// a process creating the schema at that moment could be seen half-way (tables
// already there, application id not yet) and taken for a foreign database.
StoreError CheckIdentity(sqlite3* db, const std::string& path) {
  if (StoreError e = Exec(db, "BEGIN", "cannot read the database", path); !e.ok()) return e;
  Identity id;
  StoreError e = ReadIdentity(db, path, id);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  if (!e.ok()) return e;
  return CheckIdentity(id, path);
}

// Inside the schema transaction (another process may have created the schema
// since the first look): what is in the file decides what to do.
StoreError Migrate(sqlite3* db, const std::string& path) {
  Identity id;
  if (StoreError e = ReadIdentity(db, path, id); !e.ok()) return e;
  if (StoreError e = CheckIdentity(id, path); !e.ok()) return e;
  const std::int64_t version = id.version;
  if (id.empty()) {
    // A new (or empty) file: claim it.
    char sql[64];
    std::snprintf(sql, sizeof sql, "PRAGMA application_id = %d", kSqliteApplicationId);
    if (StoreError e = Exec(db, sql, "cannot initialise the database", path); !e.ok()) return e;
  }
  if (version > kSqliteSchemaVersion) {
    return StoreError{StoreErrorCode::kSchemaTooNew,
                      path + " was written by a newer hookwise (schema version " +
                          std::to_string(version) + ", this one knows up to " +
                          std::to_string(kSqliteSchemaVersion) + ")"};
  }
  for (std::int64_t v = version + 1; v <= kSqliteSchemaVersion; ++v) {
    const std::string sql =
        std::string(kMigrations[v - 1]) + "PRAGMA user_version = " + std::to_string(v) + ";";
    if (StoreError e = Exec(db, sql.c_str(), "cannot create the schema", path); !e.ok()) return e;
  }
  return {};
}

}  // namespace

StoreError SqliteError(sqlite3* db, int rc, const std::string& what, const std::string& path) {
  const std::string detail = db != nullptr && sqlite3_errcode(db) == rc
                                 ? std::string(sqlite3_errmsg(db))
                                 : std::string(sqlite3_errstr(rc));
  StoreErrorCode code = StoreErrorCode::kInternal;
  std::string hint;
  switch (rc & 0xff) {
    case SQLITE_FULL:
      code = StoreErrorCode::kDiskFull;
      hint = " (no space left on the device)";
      break;
    case SQLITE_READONLY:
      code = StoreErrorCode::kReadOnly;
      hint = " (the file or its directory is read-only)";
      break;
    case SQLITE_CANTOPEN:
      code = StoreErrorCode::kCannotOpen;
      break;
    case SQLITE_NOTADB:
      code = StoreErrorCode::kNotADatabase;
      hint = " (the file exists but is not a SQLite database)";
      break;
    case SQLITE_CORRUPT:
      code = StoreErrorCode::kCorrupt;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = StoreErrorCode::kBusy;
      hint = " (another connection held the lock past the busy timeout)";
      break;
    case SQLITE_IOERR:
      code = StoreErrorCode::kIo;
      break;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      code = StoreErrorCode::kReadOnly;
      break;
    default:
      break;
  }
  return StoreError{code, what + ": " + detail + hint + ": " + path};
}

StoreError PrepareDirectory(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) return {};
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (fs::exists(dir, ec)) {
    return StoreError{StoreErrorCode::kCannotOpen, dir.string() + " is not a directory"};
  }
  const fs::path grandparent = dir.parent_path();
  if (!grandparent.empty() && !fs::is_directory(grandparent, ec)) {
    return StoreError{StoreErrorCode::kCannotOpen, "the directory " + dir.string() +
                                                       " does not exist (nor does " +
                                                       grandparent.string() + ")"};
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    const int err = errno;
    const StoreErrorCode code = (err == EROFS || err == EACCES || err == EPERM)
                                    ? StoreErrorCode::kReadOnly
                                : err == ENOSPC ? StoreErrorCode::kDiskFull
                                                : StoreErrorCode::kCannotOpen;
    return StoreError{code,
                      "cannot create the directory " + dir.string() + ": " + std::strerror(err)};
  }
  return {};
}

namespace {

StoreError OpenSqliteDatabaseOnce(const SqliteOpenOptions& options, sqlite3** out) {
  *out = nullptr;
  const std::string& path = options.path;
  if (StoreError e = PrepareDirectory(path); !e.ok()) return e;

  // SQLite's memory statistics take a global mutex on every allocation and
  // free (~6% of a busy writer's samples in `perf`, docs/BENCHMARKS.md);
  // nothing reads them. Only possible before SQLite initializes, which the
  // first open does; if something else initialized it first, the call fails
  // and the statistics stay on, which changes nothing but speed.
  static const bool memory_statistics_off = [] {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  }();
  (void)memory_statistics_off;

  sqlite3* db = nullptr;
  // One connection per store, used only by its writer thread: no SQLite mutex.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    StoreError e = SqliteError(db, rc, "cannot open the database", path);
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);

  auto fail = [&](StoreError e) {
    sqlite3_close_v2(db);
    return e;
  };
  // Identify the file before changing anything in it: a foreign database or
  // a file that is not SQLite at all must be left exactly as it was.
  if (StoreError e = CheckIdentity(db, path); !e.ok()) return fail(e);

  // WAL: readers never block the writer, and a commit is one append + fsync.
  // Changing the mode takes a lock; the busy timeout covers a concurrent opener.
  {
    SqliteStatement stmt;
    rc = stmt.Prepare(db, "PRAGMA journal_mode = WAL");
    if (rc == SQLITE_OK) rc = stmt.Step();
    if (rc != SQLITE_ROW) return fail(SqliteError(db, rc, "cannot open the database", path));
    if (stmt.Text(0) != "wal") {
      return fail(StoreError{StoreErrorCode::kCannotOpen,
                             "cannot switch the database to WAL mode: " + path});
    }
  }
  const char* sync = options.durability == Durability::kFull ? "PRAGMA synchronous = FULL"
                                                             : "PRAGMA synchronous = NORMAL";
  if (StoreError e = Exec(db, sync, "cannot configure the database", path); !e.ok()) return fail(e);

  // The schema check and migration run under the write lock, so several
  // processes opening a new file at once create it exactly once.
  if (StoreError e = Exec(db, "BEGIN IMMEDIATE", "cannot open the database", path); !e.ok()) {
    return fail(e);
  }
  if (StoreError e = Migrate(db, path); !e.ok()) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return fail(e);
  }
  if (StoreError e = Exec(db, "COMMIT", "cannot create the schema", path); !e.ok()) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return fail(e);
  }
  *out = db;
  return {};
}

}  // namespace

// Several processes opening a new file at the same moment can get SQLITE_BUSY
// from steps where SQLite does not call the busy handler (switching a fresh
// file to WAL while another connection is doing the same; seen in the
// two-process test about once in twenty runs). The whole open is idempotent,
// so it is retried until the busy timeout has passed.
StoreError OpenSqliteDatabase(const SqliteOpenOptions& options, sqlite3** out) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
  auto pause = std::chrono::milliseconds(2);
  for (;;) {
    StoreError e = OpenSqliteDatabaseOnce(options, out);
    if (e.code != StoreErrorCode::kBusy || std::chrono::steady_clock::now() >= deadline) return e;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace hookwise
