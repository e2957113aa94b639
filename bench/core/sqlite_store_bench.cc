// SqliteStore's cost per event without Node, next to the least SQLite work the
// same records need: how much of the store's cost is SQLite's own.
//
//   BM_SqliteStore/<in flight>/<full>: claim + complete of new ids through
//       hookwise::SqliteStore (its writer thread, its group commit), with that
//       many events in flight; each callback submits the next operation, as
//       the addon's JS does with each answer.
//   BM_SqliteFloor/<events per transaction>/<full>: the same schema, file
//       settings and row values straight through sqlite3 on one thread: one
//       transaction of N inserts, then one of N updates to 'completed'. No read
//       before a write, no thread, no callback: the least any store keeping
//       these records in SQLite does per event.
//
// Both report process CPU per event (`cpu_per_event`: every thread, the writer
// included) and wall time per event (`wall_us_per_event`). Ids are random, as Stripe's are, so each
// new id lands on a random leaf of the id index. Files live in $TMPDIR (/tmp).
//
//   build-core-release/sqlite_store_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "src/core/sqlite_schema.h"
#include "src/core/sqlite_statement.h"
#include "src/core/sqlite_store.h"
#include "src/core/store_ops.h"

namespace {

using hookwise::Durability;

// Every event of one benchmark: events per iteration (enough for several
// transactions at 64 in flight).
constexpr int kEventsPerIteration = 2048;

// A new file in its own directory, removed with the object.
class TempDatabase {
 public:
  TempDatabase() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/hookwise-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
  }
  ~TempDatabase() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path() const { return dir_ + "/events.db"; }

 private:
  std::string dir_;
};

// Stripe-shaped ids: a prefix and 24 random base62 characters.
class IdMaker {
 public:
  std::string Next(const char* prefix) {
    static constexpr char kAlphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string id(prefix);
    for (int i = 0; i < 24; ++i) id.push_back(kAlphabet[rng_() % 62]);
    return id;
  }

 private:
  // Seeded afresh each time: every loop and every file gets ids of its own.
  std::mt19937_64 rng_{std::random_device{}()};
};

hookwise::ClaimMeta Meta() {
  hookwise::ClaimMeta meta;
  meta.type = "invoice.paid";
  meta.created = 1760000000;
  meta.object_id = "in_1NG8Du2eZvKYlo2CUI79vXWy";
  meta.lease_ms = 60000;
  return meta;
}

// Process CPU per event comes from the benchmark's own (process) CPU time;
// wall time per event from the clock around the timed loop.
void ReportPerEvent(benchmark::State& state, std::chrono::steady_clock::duration wall) {
  const double events = static_cast<double>(state.iterations()) * kEventsPerIteration;
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.counters["cpu_per_event"] =
      benchmark::Counter(events, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["wall_us_per_event"] =
      std::chrono::duration<double, std::micro>(wall).count() / events;
}

// Keeps `in_flight` events going through claim then complete until `total`
// have finished; every callback runs on the store's writer thread.
class ClaimCompleteLoop {
 public:
  ClaimCompleteLoop(hookwise::SqliteStore& store, int total) : store_(store), total_(total) {}

  void Run(int in_flight) {
    for (int i = 0; i < in_flight; ++i) StartNext();
    std::unique_lock lock(mu_);
    finished_cv_.wait(lock, [&] { return finished_ == total_ || failed_; });
    if (failed_) {
      std::fprintf(stderr, "sqlite_store_bench: %s\n", failure_.c_str());
      std::abort();
    }
  }

 private:
  void StartNext() {
    std::string id;
    {
      std::lock_guard lock(mu_);
      if (started_ == total_) return;
      ++started_;
      id = ids_.Next("evt_");
    }
    store_.Submit(hookwise::ClaimOp{id, Meta()}, [this, id](hookwise::StoreOpResult&& r) {
      auto claim = hookwise::ToTypedResult<hookwise::ClaimOp>(std::move(r));
      if (!claim.ok() || claim.value.status != hookwise::ClaimStatus::kAcquired) {
        return Fail("claim " + id + ": " + claim.error.message);
      }
      store_.Submit(
          hookwise::CompleteOp{id, claim.value.token}, [this, id](hookwise::StoreOpResult&& done) {
            auto completed = hookwise::ToTypedResult<hookwise::CompleteOp>(std::move(done));
            if (!completed.ok() || !completed.value) {
              return Fail("complete " + id + ": " + completed.error.message);
            }
            Finish();
          });
    });
  }

  void Finish() {
    {
      std::lock_guard lock(mu_);
      if (++finished_ == total_) finished_cv_.notify_one();
    }
    StartNext();
  }

  void Fail(std::string why) {
    std::lock_guard lock(mu_);
    failed_ = true;
    failure_ = std::move(why);
    finished_cv_.notify_one();
  }

  hookwise::SqliteStore& store_;
  const int total_;
  std::mutex mu_;
  std::condition_variable finished_cv_;
  IdMaker ids_;
  int started_ = 0;
  int finished_ = 0;
  bool failed_ = false;
  std::string failure_;
};

void BM_SqliteStore(benchmark::State& state) {
  const int in_flight = static_cast<int>(state.range(0));
  TempDatabase file;
  hookwise::SqliteStoreOptions options;
  options.path = file.path();
  options.durability = state.range(1) != 0 ? Durability::kFull : Durability::kNormal;
  hookwise::SqliteStore store(options);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    ClaimCompleteLoop loop(store, kEventsPerIteration);
    loop.Run(in_flight);
  }
  const auto wall = std::chrono::steady_clock::now() - start;
  store.Close();
  ReportPerEvent(state, wall);
}
BENCHMARK(BM_SqliteStore)
    ->ArgsProduct({{1, 4, 16, 64}, {0, 1}})
    ->ArgNames({"in_flight", "full"})
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

void Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_store_bench: %s: %s\n", sql, sqlite3_errmsg(db));
    std::abort();
  }
}

void Step(hookwise::SqliteStatement& s, sqlite3* db) {
  if (s.Step() != SQLITE_DONE) {
    std::fprintf(stderr, "sqlite_store_bench: %s\n", sqlite3_errmsg(db));
    std::abort();
  }
  s.Reset();
}

void BM_SqliteFloor(benchmark::State& state) {
  const int per_transaction = static_cast<int>(state.range(0));
  TempDatabase file;
  hookwise::SqliteOpenOptions open;
  open.path = file.path();
  // A batch of claims commits without an fsync under either durability, as
  // SqliteStore's do; the completions' commit is where `full` syncs (so only
  // `full` switches the setting between the two, as SqliteStore does).
  const bool full = state.range(1) != 0;
  open.durability = full ? Durability::kFull : Durability::kNormal;
  sqlite3* db = nullptr;
  if (!hookwise::OpenSqliteDatabase(open, &db).ok()) std::abort();
  hookwise::SqliteStatement insert, complete;
  if (insert.Prepare(db,
                     "INSERT INTO events (id, type, created, object_id, status, attempts, "
                     "received_at, updated_at, token, lease_expires_at) "
                     "VALUES (?1, ?2, ?3, ?4, 'processing', 1, ?5, ?5, ?6, ?5 + 60000)") !=
          SQLITE_OK ||
      complete.Prepare(db,
                       "UPDATE events SET status = 'completed', token = NULL, "
                       "lease_expires_at = 0, updated_at = ?2 WHERE id = ?1") != SQLITE_OK) {
    std::abort();
  }
  IdMaker ids;
  const hookwise::ClaimMeta meta = Meta();
  std::vector<std::string> batch(static_cast<std::size_t>(per_transaction));
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (int done = 0; done < kEventsPerIteration; done += per_transaction) {
      // The wall clock, as SqliteStore's: new rows sort after every older
      // one in the indexes by received time, as they do in the store.
      const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
      if (full) Exec(db, "PRAGMA synchronous = NORMAL");
      Exec(db, "BEGIN IMMEDIATE");
      for (auto& id : batch) {
        id = ids.Next("evt_");
        insert.Bind(1, std::string_view(id));
        insert.Bind(2, std::string_view(meta.type));
        insert.Bind(3, meta.created);
        insert.Bind(4, meta.object_id);
        insert.Bind(5, now);
        insert.Bind(6, std::string_view("0123456789abcdef0123456789abcdef"));
        Step(insert, db);
      }
      Exec(db, "COMMIT");
      if (full) Exec(db, "PRAGMA synchronous = FULL");
      Exec(db, "BEGIN IMMEDIATE");
      for (const auto& id : batch) {
        complete.Bind(1, std::string_view(id));
        complete.Bind(2, now + 1);
        Step(complete, db);
      }
      Exec(db, "COMMIT");
    }
  }
  const auto wall = std::chrono::steady_clock::now() - start;
  insert.Finalize();
  complete.Finalize();
  sqlite3_close_v2(db);
  ReportPerEvent(state, wall);
}
BENCHMARK(BM_SqliteFloor)
    ->ArgsProduct({{1, 4, 16, 64}, {0, 1}})
    ->ArgNames({"per_txn", "full"})
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
