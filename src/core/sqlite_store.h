// SqliteStore: the idempotency bookkeeping in a SQLite file (WAL), safe for
// several processes on one machine.
//
// A StoreBackend whose operations run on a writer thread: one per store, which
// owns the connection. Callers submit operations from any thread; the writer
// takes everything queued, runs it in ONE
// transaction (group commit) and only after COMMIT reports each result
// through its callback. With durability kFull (synchronous=FULL) a batch of
// 64 concurrent completions therefore costs one fsync, not 64, and no
// completion is reported before it is durable; a batch of claims only does not
// wait for the disk at all (a claim is a lease; see NeedsSync). If anything in a batch fails at the
// SQLite level (disk full, I/O error, lock timeout) the whole transaction is rolled back and every
// operation in it reports that error: never a half-written record.
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
#include "src/core/store_backend.h"
#include "src/core/store_clock.h"
#include "src/core/store_ops.h"
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

// The SELECT that list() runs for `query`'s filters (bound: ?1 status, ?2
// type, ?3 received before, ?4 limit). A status other than 'completed' also
// states the status index's own condition: SQLite uses a partial index only
// where the query's terms include it, and does not infer it from `status =
// ?1`. Tests check each form's query plan.
std::string SqliteListSql(const ListQuery& query);

class SqliteStore final : public StoreBackend {
 public:
  explicit SqliteStore(SqliteStoreOptions options);
  ~SqliteStore() override;  // Close()
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // StoreBackend. Submit queues `op` for the writer thread, which calls
  // `done` after the batch holding it has committed (or rolled back).
  void Submit(StoreOp op, Done done) override;
  bool ReportsInline() const override { return false; }
  // Runs every operation already submitted, then closes the database and
  // joins the writer thread.
  void Close() override;
  StoreClock& Clock() const override { return *options_.clock; }
  bool KeepsPayloads() const override { return options_.keep_payloads; }

  const SqliteStoreOptions& options() const { return options_; }

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

  // Runs inside the batch's transaction. A non-ok result with a code other
  // than kInvalidArgument aborts the batch.
  StoreOpResult Execute(const StoreOp& op);
  // One per operation, on checked arguments.
  StoreResult<Claim> Apply(const ClaimOp& op);
  StoreResult<bool> Apply(const CompleteOp& op);
  StoreResult<FailOutcome> Apply(const FailOp& op);
  StoreResult<std::optional<std::int64_t>> Apply(const LastAppliedOp& op);
  StoreResult<std::monostate> Apply(const MarkAppliedOp& op);
  StoreResult<std::optional<EventRecord>> Apply(const GetOp& op);
  StoreResult<std::vector<EventRecord>> Apply(const ListOp& op);
  StoreResult<bool> Apply(const RequeueOp& op);
  StoreResult<std::int64_t> Apply(const PurgeOp& op);
  StoreResult<std::optional<BillingDocument>> Apply(const BillingGetOp& op);
  StoreResult<std::optional<BillingDocument>> Apply(const BillingFindOp& op);
  StoreResult<std::optional<std::int64_t>> Apply(const BillingPutOp& op);
  // Runs a statement selecting kBillingColumns that yields at most one row.
  StoreResult<std::optional<BillingDocument>> LoadBilling(SqliteStatement& s);

  // Loads event `id` and hands it to `rule`, which changes it and returns
  // {result, changed}; a changed record is saved. `if_unknown` answers for an
  // event the store does not hold, `what` names a failed save.
  template <typename T, typename Rule>
  StoreResult<T> Modify(const std::string& id, T if_unknown, const char* what, Rule rule);
  // Loads a record (nullopt when absent); returns a SQLite result code.
  int Load(std::string_view id, std::optional<EventRecord>& out);
  int Insert(const EventRecord& record);
  int Update(const EventRecord& record);
  // Atomic ordering, inside the batch's transaction: the object's marker and
  // slot; taking and freeing the slot; raising (or renewing) the marker.
  int LoadOrder(const std::string& object_id, std::optional<OrderMark>& mark,
                std::optional<OrderSlot>& slot);
  int SaveSlot(const std::string& object_id, const OrderSlot& slot);
  int ReleaseSlot(const EventRecord& record);
  int RaiseMarker(const OrderKey& key, const std::string& event_id);
  int TouchMarker(const std::string& object_id);
  SqliteStatement* ListStatement(const ListQuery& query, int& rc);
  StoreError Error(int rc, const std::string& what);
  // Under durability kFull: whether the next COMMIT waits for the disk.
  void SyncCommits(bool sync);

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
      purge_events_, purge_applied_, select_billing_, find_billing_, insert_billing_,
      update_billing_;
  SqliteStatement select_mark_, touch_mark_, select_slot_, upsert_slot_, delete_slot_, purge_slots_;
  std::map<std::string, SqliteStatement> list_statements_;  // by their SQL (SqliteListSql)
  std::int64_t next_sweep_ms_ = 0;
  bool synced_commits_ = true;  // the connection's synchronous is FULL (kFull only)
};

}  // namespace hookwise
