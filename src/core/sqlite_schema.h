// Opening a SqliteStore database: the file's directory, the connection's
// settings (WAL, synchronous, busy timeout) and the schema, identified by
// PRAGMA application_id and versioned by PRAGMA user_version with one
// migration per version. A file that is not SQLite, or a SQLite database some
// other program created, is refused with its own error rather than modified.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "src/core/store_types.h"

namespace hookwise {

// 'hkws': marks a database as hookwise's (PRAGMA application_id).
inline constexpr std::int32_t kSqliteApplicationId = 0x686b7773;
// The schema version this build writes; migrations bring older files here.
inline constexpr std::int32_t kSqliteSchemaVersion = 5;

enum class Durability { kFull, kNormal };

struct SqliteOpenOptions {
  std::string path;
  Durability durability = Durability::kFull;
  int busy_timeout_ms = 10000;
};

// Creates the parent directory when it is the only missing level (so the
// default `.hookwise/events.db` works out of the box, while a typo in a deeper
// path is reported instead of silently creating a tree).
StoreError PrepareDirectory(const std::string& path);

// Opens (creating if needed) and migrates the database. On success *db is the
// open connection; on failure it is null and the error says why.
StoreError OpenSqliteDatabase(const SqliteOpenOptions& options, sqlite3** db);

// Maps a SQLite result code to a store error, naming what was being done.
StoreError SqliteError(sqlite3* db, int rc, const std::string& what, const std::string& path);

}  // namespace hookwise
