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

#include "test/core/store_calls.h"
#include "test/core/temp_dir.h"

using hookwise::ClaimStatus;
using hookwise::Durability;
using hookwise::EventStatus;
using hookwise::ListQuery;
using hookwise::ManualStoreClock;
using hookwise::RunStoreOp;
using hookwise::SqliteStore;
using hookwise::SqliteStoreOptions;
using hookwise::StoreErrorCode;
using hookwise::StoreOpResult;
namespace fs = std::filesystem;
using hookwise::test::TempDir;

namespace {

constexpr std::int64_t kStart = 1700000000000;

SqliteStoreOptions Options(const std::string& path, std::shared_ptr<ManualStoreClock> clock,
                           bool keep_payloads = false) {
  SqliteStoreOptions options;
  options.path = path;
  options.clock = std::move(clock);
  options.keep_payloads = keep_payloads;
  options.durability = Durability::kNormal;  // the tests do not need fsync
  return options;
}

hookwise::ClaimOp Claim(const std::string& id, std::int64_t lease_ms = 1000) {
  return hookwise::ClaimOp{id, hookwise::test::TestMeta(lease_ms)};
}

}  // namespace

TEST_CASE("SqliteStore: claim, complete, duplicate, survive reopening", "[sqlite_store]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  const std::string path = dir.File("events.db");
  {
    SqliteStore store(Options(path, clock));
    CHECK_FALSE(fs::exists(path));  // no I/O before the first operation
    auto claim = RunStoreOp(store, Claim("evt_1")).value;
    CHECK(claim.status == ClaimStatus::kAcquired);
    CHECK(claim.attempt == 1);
    CHECK(RunStoreOp(store, Claim("evt_1")).value.status == ClaimStatus::kInProgress);
    CHECK(RunStoreOp(store, hookwise::CompleteOp{"evt_1", claim.token}).value);
    CHECK_FALSE(RunStoreOp(store, hookwise::CompleteOp{"evt_1", claim.token}).value);
  }
  SqliteStore reopened(Options(path, clock));
  CHECK(RunStoreOp(reopened, Claim("evt_1")).value.status == ClaimStatus::kDuplicate);
  auto record = RunStoreOp(reopened, hookwise::GetOp{"evt_1"}).value;
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
  auto first = RunStoreOp(store, Claim("evt_1", 1000)).value;
  clock->Advance(1000);
  auto second = RunStoreOp(store, Claim("evt_1", 1000)).value;
  CHECK(second.status == ClaimStatus::kAcquired);
  CHECK(second.attempt == 2);
  CHECK_FALSE(RunStoreOp(store, hookwise::CompleteOp{"evt_1", first.token}).value);
  auto stale = RunStoreOp(store, hookwise::FailOp{"evt_1", first.token, "handler threw", 2}).value;
  CHECK(stale.stale);
  auto dead = RunStoreOp(store, hookwise::FailOp{"evt_1", second.token, "handler threw", 2}).value;
  CHECK(dead.dead_lettered);
  CHECK(dead.attempt == 2);
  CHECK(RunStoreOp(store, Claim("evt_1")).value.status == ClaimStatus::kDeadLettered);
  auto record = RunStoreOp(store, hookwise::GetOp{"evt_1"}).value;
  CHECK(record->status == EventStatus::kDeadLettered);
  CHECK(record->last_error == std::optional<std::string>("handler threw"));

  CHECK(RunStoreOp(store, hookwise::RequeueOp{"evt_1"}).value);
  CHECK(RunStoreOp(store, Claim("evt_1")).value.attempt == 1);
}

TEST_CASE("SqliteStore: lastApplied, list, purge", "[sqlite_store]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  SqliteStore store(Options(dir.File("events.db"), clock));
  RunStoreOp(store, hookwise::MarkAppliedOp{"sub_1", 200, "evt_b"});
  RunStoreOp(store, hookwise::MarkAppliedOp{"sub_1", 100, "evt_a"});
  CHECK(RunStoreOp(store, hookwise::LastAppliedOp{"sub_1"}).value ==
        std::optional<std::int64_t>(200));
  CHECK_FALSE(RunStoreOp(store, hookwise::LastAppliedOp{"sub_2"}).value);

  for (const char* id : {"evt_c", "evt_a", "evt_b"}) RunStoreOp(store, Claim(id, 100000));
  clock->Advance(10);
  auto d = RunStoreOp(store, Claim("evt_d")).value;
  RunStoreOp(store, hookwise::CompleteOp{"evt_d", d.token});
  hookwise::ListOp list;
  auto all = RunStoreOp(store, list).value;
  REQUIRE(all.size() == 4);
  CHECK(all[0].id == "evt_d");
  CHECK(all[1].id == "evt_a");
  CHECK(all[3].id == "evt_c");
  list.query.status = EventStatus::kProcessing;
  list.query.limit = 2;
  auto page = RunStoreOp(store, list).value;
  REQUIRE(page.size() == 2);
  CHECK(page[1].id == "evt_b");
  list.query = {};
  list.query.before_ms = kStart + 10;
  CHECK(RunStoreOp(store, list).value.size() == 3);

  clock->Advance(1000);
  CHECK(RunStoreOp(store, hookwise::PurgeOp{500}).value == 1);
  CHECK_FALSE(RunStoreOp(store, hookwise::GetOp{"evt_d"}).value);
  CHECK(RunStoreOp(store, hookwise::GetOp{"evt_a"}).value);
}

TEST_CASE("SqliteStore: keepPayloads stores the raw body", "[sqlite_store]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  const std::string body("{\"id\":\"evt_1\"}\0\xff", 16);
  {
    SqliteStore store(Options(dir.File("kept.db"), clock, /*keep_payloads=*/true));
    auto op = Claim("evt_1");
    op.meta.payload = body;
    RunStoreOp(store, op);
    CHECK(RunStoreOp(store, hookwise::GetOp{"evt_1"}).value->payload ==
          std::optional<std::string>(body));
  }
  SqliteStore store(Options(dir.File("dropped.db"), clock));
  auto op = Claim("evt_1");
  op.meta.payload = body;
  RunStoreOp(store, op);
  CHECK_FALSE(RunStoreOp(store, hookwise::GetOp{"evt_1"}).value->payload);
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
        store.Submit(Claim(id, 1000000), [&per_id, n, promise](StoreOpResult&& result) {
          auto claim = hookwise::ToTypedResult<hookwise::ClaimOp>(std::move(result));
          if (claim.ok() && claim.value.status == ClaimStatus::kAcquired) {
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
      store.Submit(Claim("evt_" + std::to_string(i)), [&](StoreOpResult&& r) {
        auto claim = hookwise::ToTypedResult<hookwise::ClaimOp>(std::move(r));
        if (claim.ok() && claim.value.status == ClaimStatus::kAcquired) acquired.fetch_add(1);
      });
    }
    store.Close();
    CHECK(acquired.load() == 200);
    auto late = RunStoreOp(store, Claim("evt_late"));
    CHECK(late.error.code == StoreErrorCode::kClosed);
    store.Close();
  }
  SqliteStore reopened(Options(path, clock));
  hookwise::ListOp list;
  list.query.limit = 1000;
  CHECK(RunStoreOp(reopened, list).value.size() == 200);
  CHECK_FALSE(RunStoreOp(reopened, hookwise::GetOp{"evt_late"}).value);
}

TEST_CASE("SqliteStore: bad paths and files give specific errors", "[sqlite_store][faults]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);

  SECTION("a missing directory two levels deep") {
    SqliteStore store(Options(dir.File("missing/deeper/events.db"), clock));
    auto r = RunStoreOp(store, Claim("evt_1"));
    CHECK(r.error.code == StoreErrorCode::kCannotOpen);
    CHECK_THAT(r.error.message, Catch::Contains("does not exist"));
  }
  SECTION("one missing directory level is created") {
    SqliteStore store(Options(dir.File("new/events.db"), clock));
    CHECK(RunStoreOp(store, Claim("evt_1")).error.ok());
    CHECK(fs::exists(dir.File("new/events.db")));
  }
  SECTION("a file that is not a database") {
    std::ofstream(dir.File("junk.db")) << std::string(8192, 'x');
    SqliteStore store(Options(dir.File("junk.db"), clock));
    auto r = RunStoreOp(store, Claim("evt_1"));
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
    auto r = RunStoreOp(store, Claim("evt_1"));
    CHECK(r.error.code == StoreErrorCode::kForeignDatabase);
  }
  SECTION("a database from a newer schema") {
    {
      SqliteStore store(Options(dir.File("newer.db"), clock));
      RunStoreOp(store, Claim("evt_1"));
    }
    sqlite3* db = nullptr;
    sqlite3_open(dir.File("newer.db").c_str(), &db);
    sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    SqliteStore store(Options(dir.File("newer.db"), clock));
    CHECK(RunStoreOp(store, Claim("evt_2")).error.code == StoreErrorCode::kSchemaTooNew);
  }
  SECTION("bad ids fail alone, not the batch") {
    SqliteStore store(Options(dir.File("events.db"), clock));
    std::atomic<int> ok{0};
    std::atomic<int> invalid{0};
    for (const std::string& id : {std::string("evt_1"), std::string(), std::string(256, 'e')}) {
      store.Submit(Claim(id), [&](StoreOpResult&& r) {
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
  auto claim = RunStoreOp(store, Claim("evt_forever", max)).value;
  CHECK(claim.status == ClaimStatus::kAcquired);
  CHECK(RunStoreOp(store, hookwise::GetOp{"evt_forever"}).value->lease_expires_at_ms == max);
  clock->Advance(1000000000);
  CHECK(RunStoreOp(store, Claim("evt_forever")).value.status == ClaimStatus::kInProgress);
  CHECK(RunStoreOp(store, hookwise::CompleteOp{"evt_forever", claim.token}).value);
  CHECK(RunStoreOp(store, hookwise::PurgeOp{max}).value == 0);  // nothing is that old
  // A cutoff past every record.
  CHECK(RunStoreOp(store, hookwise::PurgeOp{std::numeric_limits<std::int64_t>::min()}).value == 1);
}

// SqliteStore renewed the marker only when `created` moved forward, while
// MemoryStore renewed it on every mark: purge then disagreed.
TEST_CASE("SqliteStore: an older markApplied renews the marker's age", "[sqlite_store][fuzz]") {
  TempDir dir;
  auto clock = std::make_shared<ManualStoreClock>(kStart);
  SqliteStore store(Options(dir.File("events.db"), clock));
  RunStoreOp(store, hookwise::MarkAppliedOp{"sub_1", 200, "evt_b"});
  clock->Advance(1000);
  RunStoreOp(store, hookwise::MarkAppliedOp{"sub_1", 100, "evt_a"});
  RunStoreOp(store, hookwise::PurgeOp{500});
  CHECK(RunStoreOp(store, hookwise::LastAppliedOp{"sub_1"}).value ==
        std::optional<std::int64_t>(200));
}

TEST_CASE("SqliteStore: every list form reads newest first through an index", "[sqlite_store]") {
  TempDir dir;
  {
    SqliteStore store(Options(dir.File("events.db"), std::make_shared<ManualStoreClock>(kStart)));
    RunStoreOp(store, Claim("evt_1"));
  }
  sqlite3* db = nullptr;
  REQUIRE(hookwise::OpenSqliteDatabase({dir.File("events.db")}, &db).ok());
  // The plan's lines for one form of the list query.
  auto plan = [&](const hookwise::ListQuery& query) {
    hookwise::SqliteStatement s;
    REQUIRE(s.Prepare(db, "EXPLAIN QUERY PLAN " + hookwise::SqliteListSql(query)) == SQLITE_OK);
    std::string lines;
    while (s.Step() == SQLITE_ROW) lines += s.Text(3) + "\n";
    return lines;
  };
  for (std::optional<EventStatus> status :
       {std::optional<EventStatus>(), std::optional(EventStatus::kProcessing),
        std::optional(EventStatus::kCompleted), std::optional(EventStatus::kFailed),
        std::optional(EventStatus::kDeadLettered)}) {
    for (bool by_type : {false, true}) {
      for (bool before : {false, true}) {
        hookwise::ListQuery query;
        query.status = status;
        if (by_type) query.type = "invoice.paid";
        if (before) query.before_ms = kStart;
        const std::string lines = plan(query);
        INFO(hookwise::SqliteListSql(query) << "\n" << lines);
        // Newest first straight from an index: no scan of the table, no sort.
        CHECK(lines.find("USING INDEX") != std::string::npos);
        CHECK(lines.find("TEMP B-TREE") == std::string::npos);
        // The partial status index serves every status it holds.
        if (status && *status != EventStatus::kCompleted && !by_type) {
          CHECK(lines.find("events_by_status") != std::string::npos);
        }
        if (status == EventStatus::kCompleted) {
          CHECK(lines.find("events_by_status") == std::string::npos);
        }
      }
    }
  }
  sqlite3_close_v2(db);
}
