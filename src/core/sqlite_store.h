// SqliteStore: the idempotency bookkeeping in a SQLite file (WAL), safe for
// several processes on one machine.
//
// One writer thread per store owns the connection. Callers submit operations
// from any thread; the writer takes everything queued, runs it in ONE
// transaction (group commit) and only after COMMIT reports each result
// through its callback. With durability kFull (synchronous=FULL) a batch of
// 64 concurrent claims therefore costs one fsync, not 64, and no result is
// reported before it is durable. If anything in a batch fails at the SQLite
// level (disk full, I/O error, lock timeout) the whole transaction is rolled
// back and every operation in it reports that error: never a half-written
// record.
//
// Nothing happens at construction: the thread starts and the file is opened
// on the first operation (and opening is retried by later operations if it
// failed, e.g. because a directory was missing).
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "src/core/sqlite_schema.h"
#include "src/core/sqlite_statement.h"
#include "src/core/store_clock.h"
#include "src/core/store_types.h"

namespace hookwise {

struct SqliteStoreOptions {
  std::string path = ".hookwise/events.db";
  std::int64_t retention_ms = kDefaultRetentionMs;
  Durability durability = Durability::kFull;
  bool keep_payloads = false;
  int busy_timeout_ms = 10000;
  std::shared_ptr<StoreClock> clock;  // null: the system clock
};

// One operation of the Store interface, with everything it needs owned.
struct StoreOp {
  enum class Kind {
    kClaim,
    kComplete,
    kFail,
    kLastApplied,
    kMarkApplied,
    kGet,
    kList,
    kRequeue,
    kPurge,
  };
  Kind kind = Kind::kGet;
  std::string id;           // event id (object id for kLastApplied / kMarkApplied)
  std::string token;        // kComplete / kFail; the event id for kMarkApplied
  std::string error;        // kFail
  std::int64_t number = 0;  // kFail: maxAttempts; kMarkApplied: created; kPurge: olderThanMs
  ClaimMeta meta;           // kClaim
  ListQuery query;          // kList

  bool IsRead() const {
    return kind == Kind::kGet || kind == Kind::kList || kind == Kind::kLastApplied;
  }
};

struct StoreOpResult {
  StoreError error;
  Claim claim;                         // kClaim
  bool flag = false;                   // kComplete, kRequeue
  FailOutcome fail;                    // kFail
  std::optional<std::int64_t> number;  // kLastApplied; kPurge: the count
  std::optional<EventRecord> record;   // kGet
  std::vector<EventRecord> records;    // kList
};

class SqliteStore {
 public:
  // Called once per operation, on the writer thread (or on the submitting
  // thread when the store is already closed). Must not block for long.
  using Done = std::function<void(StoreOpResult&&)>;

  explicit SqliteStore(SqliteStoreOptions options);
  ~SqliteStore();  // Close()
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Thread-safe. After Close() the callback gets kClosed at once.
  void Submit(StoreOp op, Done done);

  // Runs every operation already submitted, then closes the database and
  // joins the writer thread. Idempotent; blocks until done.
  void Close();

  const SqliteStoreOptions& options() const { return options_; }

  // Synchronous convenience (tests, tools): submits and waits.
  StoreOpResult Run(StoreOp op);

 private:
  struct Pending {
    StoreOp op;
    Done done;
  };

  void WriterLoop();
  void RunBatch(std::vector<Pending>& batch);
  StoreError EnsureOpen();
  void CloseDatabase();
  StoreError PrepareStatements();
  void SweepIfDue();
  std::int64_t Now() const { return options_.clock->NowMs(); }

  // Each runs inside the batch's transaction. A non-ok result.error with a
  // code other than kInvalidArgument aborts the batch.
  StoreOpResult Apply(const StoreOp& op);
  StoreOpResult ApplyClaimOp(const StoreOp& op);
  StoreOpResult ApplyCompleteOp(const StoreOp& op);
  StoreOpResult ApplyFailOp(const StoreOp& op);
  StoreOpResult ApplyRequeueOp(const StoreOp& op);
  StoreOpResult ApplyLastAppliedOp(const StoreOp& op);
  StoreOpResult ApplyMarkAppliedOp(const StoreOp& op);
  StoreOpResult ApplyGetOp(const StoreOp& op);
  StoreOpResult ApplyListOp(const StoreOp& op);
  StoreOpResult ApplyPurgeOp(const StoreOp& op);

  // Loads a record (nullopt when absent); returns a SQLite result code.
  int Load(std::string_view id, std::optional<EventRecord>& out);
  int Insert(const EventRecord& record);
  int Update(const EventRecord& record);
  SqliteStatement* ListStatement(const ListQuery& query, int& rc);
  StoreError Error(int rc, const std::string& what);

  const SqliteStoreOptions options_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool closing_ = false;
  bool closed_ = false;
  std::thread writer_;
  std::mutex close_mu_;  // serialises Close() callers

  // Writer thread only.
  sqlite3* db_ = nullptr;
  SqliteStatement select_event_, insert_event_, update_event_, select_applied_, upsert_applied_,
      purge_events_, purge_applied_;
  std::map<int, SqliteStatement> list_statements_;  // by which filters are present
  std::int64_t next_sweep_ms_ = 0;
};

}  // namespace hookwise
