#include "src/core/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using hookwise::ClaimStatus;
using hookwise::Durability;
using hookwise::EventStatus;
using hookwise::ManualStoreClock;
using hookwise::SqliteStore;
using hookwise::SqliteStoreOptions;
using hookwise::StoreErrorCode;
using hookwise::StoreOp;
using hookwise::StoreOpResult;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kStart = 1700000000000;

// A fresh directory under the system temp dir, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "hookwise-sqlite-XXXXXX").string();
    path = mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string File(const char* name) const { return (path / name).string(); }
};

SqliteStoreOptions Options(const std::string& path, std::shared_ptr<ManualStoreClock> clock,
                           bool keep_payloads = false) {
  SqliteStoreOptions options;
  options.path = path;
  options.clock = std::move(clock);
  options.keep_payloads = keep_payloads;
  options.durability = Durability::kNormal;  // the tests do not need fsync
  return options;
}

StoreOp ClaimOp(const std::string& id, std::int64_t lease_ms = 1000) {
  StoreOp op;
  op.kind = StoreOp::Kind::kClaim;
  op.id = id;
  op.meta.type = "invoice.paid";
  op.meta.created = 1700000000;
  op.meta.object_id = "in_1";
  op.meta.lease_ms = lease_ms;
  return op;
}
StoreOp CompleteOp(const std::string& id, const std::string& token) {
  StoreOp op;
  op.kind = StoreOp::Kind::kComplete;
  op.id = id;
  op.token = token;
  return op;
}
StoreOp FailOp(const std::string& id, const std::string& token, std::int64_t max_attempts) {
  StoreOp op;
  op.kind = StoreOp::Kind::kFail;
  op.id = id;
  op.token = token;
  op.error = "handler threw";
  op.number = max_attempts;
  return op;
}
StoreOp MarkAppliedOp(const std::string& object_id, std::int64_t created,
                      const std::string& event_id) {
  StoreOp op;
  op.kind = StoreOp::Kind::kMarkApplied;
  op.id = object_id;
  op.token = event_id;
  op.number = created;
  return op;
}
StoreOp LastAppliedOp(const std::string& object_id) {
  StoreOp op;
  op.kind = StoreOp::Kind::kLastApplied;
  op.id = object_id;
  return op;
}
StoreOp PurgeOp(std::int64_t older_than_ms) {
  StoreOp op;
  op.kind = StoreOp::Kind::kPurge;
  op.number = older_than_ms;
  return op;
}
StoreOp GetOp(const std::string& id) {
  StoreOp op;
  op.kind = StoreOp::Kind::kGet;
  op.id = id;
  return op;
}

}  // namespace

TEST_CASE("SqliteStore: claim, complete, duplicate, survive reopening", "[sqlite_store]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  const std::string path = dir.File("events.db");
  {
    SqliteStore store(Options(path, clock));
    CHECK_FALSE(fs::exists(path));  // no I/O before the first operation
    auto claim = store.Run(ClaimOp("evt_1")).claim;
    CHECK(claim.status == ClaimStatus::kAcquired);
    CHECK(claim.attempt == 1);
    CHECK(store.Run(ClaimOp("evt_1")).claim.status == ClaimStatus::kInProgress);
    CHECK(store.Run(CompleteOp("evt_1", claim.token)).flag);
    CHECK_FALSE(store.Run(CompleteOp("evt_1", claim.token)).flag);
  }
  SqliteStore reopened(Options(path, clock));
  CHECK(reopened.Run(ClaimOp("evt_1")).claim.status == ClaimStatus::kDuplicate);
  auto record = reopened.Run(GetOp("evt_1")).record;
  REQUIRE(record);
  CHECK(record->status == EventStatus::kCompleted);
  CHECK(record->type == "invoice.paid");
  CHECK(record->object_id == std::optional<std::string>("in_1"));
  CHECK(record->received_at_ms == kStart);
  CHECK(record->token.empty());
}

TEST_CASE("SqliteStore: lease takeover, fencing, dead letters, requeue", "[sqlite_store]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  SqliteStore store(Options(dir.File("events.db"), clock));
  auto first = store.Run(ClaimOp("evt_1", 1000)).claim;
  clock->Advance(1000);
  auto second = store.Run(ClaimOp("evt_1", 1000)).claim;
  CHECK(second.status == ClaimStatus::kAcquired);
  CHECK(second.attempt == 2);
  CHECK_FALSE(store.Run(CompleteOp("evt_1", first.token)).flag);
  auto stale = store.Run(FailOp("evt_1", first.token, 2)).fail;
  CHECK(stale.stale);
  auto dead = store.Run(FailOp("evt_1", second.token, 2)).fail;
  CHECK(dead.dead_lettered);
  CHECK(dead.attempt == 2);
  CHECK(store.Run(ClaimOp("evt_1")).claim.status == ClaimStatus::kDeadLettered);
  auto record = store.Run(GetOp("evt_1")).record;
  CHECK(record->status == EventStatus::kDeadLettered);
  CHECK(record->last_error == std::optional<std::string>("handler threw"));

  StoreOp requeue;
  requeue.kind = StoreOp::Kind::kRequeue;
  requeue.id = "evt_1";
  CHECK(store.Run(requeue).flag);
  CHECK(store.Run(ClaimOp("evt_1")).claim.attempt == 1);
}

TEST_CASE("SqliteStore: lastApplied, list, purge", "[sqlite_store]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  SqliteStore store(Options(dir.File("events.db"), clock));
  store.Run(MarkAppliedOp("sub_1", 200, "evt_b"));
  store.Run(MarkAppliedOp("sub_1", 100, "evt_a"));
  CHECK(store.Run(LastAppliedOp("sub_1")).number == std::optional<std::int64_t>(200));
  CHECK_FALSE(store.Run(LastAppliedOp("sub_2")).number);

  for (const char* id : {"evt_c", "evt_a", "evt_b"}) store.Run(ClaimOp(id, 100000));
  clock->Advance(10);
  auto d = store.Run(ClaimOp("evt_d")).claim;
  store.Run(CompleteOp("evt_d", d.token));
  StoreOp list;
  list.kind = StoreOp::Kind::kList;
  auto all = store.Run(list).records;
  REQUIRE(all.size() == 4);
  CHECK(all[0].id == "evt_d");
  CHECK(all[1].id == "evt_a");
  CHECK(all[3].id == "evt_c");
  list.query.status = EventStatus::kProcessing;
  list.query.limit = 2;
  auto page = store.Run(list).records;
  REQUIRE(page.size() == 2);
  CHECK(page[1].id == "evt_b");
  list.query = {};
  list.query.before_ms = kStart + 10;
  CHECK(store.Run(list).records.size() == 3);

  clock->Advance(1000);
  CHECK(store.Run(PurgeOp(500)).number == std::optional<std::int64_t>(1));
  CHECK_FALSE(store.Run(GetOp("evt_d")).record);
  CHECK(store.Run(GetOp("evt_a")).record);
}

TEST_CASE("SqliteStore: keepPayloads stores the raw body", "[sqlite_store]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  const std::string body("{\"id\":\"evt_1\"}\0\xff", 16);
  {
    SqliteStore store(Options(dir.File("kept.db"), clock, /*keep_payloads=*/true));
    auto op = ClaimOp("evt_1");
    op.meta.payload = body;
    store.Run(op);
    CHECK(store.Run(GetOp("evt_1")).record->payload == std::optional<std::string>(body));
  }
  SqliteStore store(Options(dir.File("dropped.db"), clock));
  auto op = ClaimOp("evt_1");
  op.meta.payload = body;
  store.Run(op);
  CHECK_FALSE(store.Run(GetOp("evt_1")).record->payload);
}

TEST_CASE("SqliteStore: many threads and two connections claim the same ids once",
          "[sqlite_store][threads]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  const std::string path = dir.File("events.db");
  // Two stores on one file behave like two processes: separate connections,
  // separate writer threads, SQLite's locking between them.
  SqliteStore a(Options(path, clock));
  SqliteStore b(Options(path, clock));
  constexpr int kThreads = 6;
  constexpr int kIds = 300;
  std::vector<std::atomic<int>> per_id(kIds);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SqliteStore& store = t % 2 == 0 ? a : b;
      std::vector<std::future<void>> waits;
      for (int i = 0; i < kIds; ++i) {
        const int n = (i * 7 + t * 31) % kIds;
        const std::string id = "evt_" + std::to_string(n);
        auto promise = std::make_shared<std::promise<void>>();
        waits.push_back(promise->get_future());
        store.Submit(ClaimOp(id, 1000000), [&per_id, n, promise](StoreOpResult&& result) {
          if (result.error.ok() && result.claim.status == ClaimStatus::kAcquired) {
            per_id[n].fetch_add(1);
          }
          promise->set_value();
        });
      }
      for (auto& w : waits) w.wait();
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kIds; ++i) REQUIRE(per_id[i].load() == 1);
}

TEST_CASE("SqliteStore: close runs what was submitted, then refuses", "[sqlite_store]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  const std::string path = dir.File("events.db");
  std::atomic<int> acquired{0};
  {
    SqliteStore store(Options(path, clock));
    for (int i = 0; i < 200; ++i) {
      store.Submit(ClaimOp("evt_" + std::to_string(i)), [&](StoreOpResult&& r) {
        if (r.error.ok() && r.claim.status == ClaimStatus::kAcquired) acquired.fetch_add(1);
      });
    }
    store.Close();
    CHECK(acquired.load() == 200);
    auto late = store.Run(ClaimOp("evt_late"));
    CHECK(late.error.code == StoreErrorCode::kClosed);
    store.Close();
  }
  SqliteStore reopened(Options(path, clock));
  StoreOp list;
  list.kind = StoreOp::Kind::kList;
  list.query.limit = 1000;
  CHECK(reopened.Run(list).records.size() == 200);
  CHECK_FALSE(reopened.Run(GetOp("evt_late")).record);
}

TEST_CASE("SqliteStore: bad paths and files give specific errors", "[sqlite_store][faults]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);

  SECTION("a missing directory two levels deep") {
    SqliteStore store(Options(dir.File("missing/deeper/events.db"), clock));
    auto r = store.Run(ClaimOp("evt_1"));
    CHECK(r.error.code == StoreErrorCode::kCannotOpen);
    CHECK_THAT(r.error.message, Catch::Contains("does not exist"));
  }
  SECTION("one missing directory level is created") {
    SqliteStore store(Options(dir.File("new/events.db"), clock));
    CHECK(store.Run(ClaimOp("evt_1")).error.ok());
    CHECK(fs::exists(dir.File("new/events.db")));
  }
  SECTION("a file that is not a database") {
    std::ofstream(dir.File("junk.db")) << std::string(8192, 'x');
    SqliteStore store(Options(dir.File("junk.db"), clock));
    auto r = store.Run(ClaimOp("evt_1"));
    CHECK(r.error.code == StoreErrorCode::kNotADatabase);
    CHECK_THAT(r.error.message, Catch::Contains("not a database"));
    // The file is left as it was.
    CHECK(fs::file_size(dir.File("junk.db")) == 8192);
  }
  SECTION("a SQLite database hookwise did not create") {
    sqlite3* db = nullptr;
    sqlite3_open(dir.File("other.db").c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE users (id INTEGER)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    SqliteStore store(Options(dir.File("other.db"), clock));
    auto r = store.Run(ClaimOp("evt_1"));
    CHECK(r.error.code == StoreErrorCode::kForeignDatabase);
  }
  SECTION("a database from a newer schema") {
    {
      SqliteStore store(Options(dir.File("newer.db"), clock));
      store.Run(ClaimOp("evt_1"));
    }
    sqlite3* db = nullptr;
    sqlite3_open(dir.File("newer.db").c_str(), &db);
    sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    SqliteStore store(Options(dir.File("newer.db"), clock));
    CHECK(store.Run(ClaimOp("evt_2")).error.code == StoreErrorCode::kSchemaTooNew);
  }
  SECTION("bad ids fail alone, not the batch") {
    SqliteStore store(Options(dir.File("events.db"), clock));
    std::atomic<int> ok{0};
    std::atomic<int> invalid{0};
    for (const std::string& id : {std::string("evt_1"), std::string(), std::string(256, 'e')}) {
      store.Submit(ClaimOp(id), [&](StoreOpResult&& r) {
        (r.error.ok() ? ok : invalid).fetch_add(1);
        if (!r.error.ok()) CHECK(r.error.code == StoreErrorCode::kInvalidArgument);
      });
    }
    store.Close();
    CHECK(ok.load() == 1);
    CHECK(invalid.load() == 2);
  }
}

// Regressions from the store fuzzer (fuzz/store_ops_fuzzer.cc).
TEST_CASE("SqliteStore: int64-limit leases and purge ages saturate", "[sqlite_store][fuzz]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  SqliteStore store(Options(dir.File("events.db"), clock));
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  auto claim = store.Run(ClaimOp("evt_forever", max)).claim;
  CHECK(claim.status == ClaimStatus::kAcquired);
  CHECK(store.Run(GetOp("evt_forever")).record->lease_expires_at_ms == max);
  clock->Advance(1000000000);
  CHECK(store.Run(ClaimOp("evt_forever")).claim.status == ClaimStatus::kInProgress);
  CHECK(store.Run(CompleteOp("evt_forever", claim.token)).flag);
  CHECK(store.Run(PurgeOp(max)).number == std::optional<std::int64_t>(0));  // nothing is that old
  // A cutoff past every record.
  CHECK(store.Run(PurgeOp(std::numeric_limits<std::int64_t>::min())).number ==
        std::optional<std::int64_t>(1));
}

// SqliteStore renewed the marker only when `created` moved forward, while
// MemoryStore renewed it on every mark: purge then disagreed.
TEST_CASE("SqliteStore: an older markApplied renews the marker's age", "[sqlite_store][fuzz]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  SqliteStore store(Options(dir.File("events.db"), clock));
  store.Run(MarkAppliedOp("sub_1", 200, "evt_b"));
  clock->Advance(1000);
  store.Run(MarkAppliedOp("sub_1", 100, "evt_a"));
  store.Run(PurgeOp(500));
  CHECK(store.Run(LastAppliedOp("sub_1")).number == std::optional<std::int64_t>(200));
}
