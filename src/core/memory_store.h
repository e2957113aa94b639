// MemoryStore: the idempotency bookkeeping in process memory, for tests and
// single-process apps. A StoreBackend that executes each operation at once,
// under its one mutex, on the calling thread (every operation is a few map
// lookups). Thread-safe, so one store can serve every worker_thread of a
// process: stores opened by name through OpenNamedMemoryStore are shared
// process-wide.
//
// Bounded two ways: records older than retention_ms (by updatedAt, never one
// in progress) are swept, and past max_entries the oldest *completed* records
// are evicted. In-progress, failed and dead-lettered records are never
// evicted for size, so a bound can never let an event run twice or lose a
// dead letter; a store full of those grows past max_entries instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "src/core/store_backend.h"
#include "src/core/store_clock.h"
#include "src/core/store_ops.h"
#include "src/core/store_types.h"

namespace hookwise {

inline constexpr std::size_t kDefaultMemoryStoreMaxEntries = 100000;

class MemoryStore final : public StoreBackend {
 public:
  struct Options {
    std::size_t max_entries = kDefaultMemoryStoreMaxEntries;
    std::int64_t retention_ms = kDefaultRetentionMs;
    std::shared_ptr<StoreClock> clock;  // null: the system clock
  };

  explicit MemoryStore(Options options);
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  // Runs `op` under the lock and returns its result.
  StoreOpResult Execute(const StoreOp& op);

  // StoreBackend: Submit executes at once and reports before returning.
  void Submit(StoreOp op, Done done) override { done(Execute(op)); }
  bool ReportsInline() const override { return true; }
  // Later operations report kClosed. A named store is shared, so the addon
  // never closes one: a handle's close() only lets go of it.
  void Close() override;
  StoreClock& Clock() const override { return *options_.clock; }
  bool KeepsPayloads() const override { return false; }

  std::size_t Size() const;
  const Options& options() const { return options_; }

 private:
  struct Applied {
    std::int64_t created = 0;
    std::int64_t rank = 0;
    std::string event_id;
    std::int64_t updated_at_ms = 0;
  };
  using AgeKey = std::pair<std::int64_t, std::string>;  // (updatedAt, id) of a completed record

  // One per operation; each runs with mu_ held, on checked arguments.
  StoreResult<Claim> Apply(const ClaimOp& op, std::int64_t now);
  StoreResult<bool> Apply(const CompleteOp& op, std::int64_t now);
  StoreResult<FailOutcome> Apply(const FailOp& op, std::int64_t now);
  StoreResult<std::optional<std::int64_t>> Apply(const LastAppliedOp& op, std::int64_t now);
  StoreResult<std::monostate> Apply(const MarkAppliedOp& op, std::int64_t now);
  StoreResult<std::optional<EventRecord>> Apply(const GetOp& op, std::int64_t now);
  StoreResult<std::vector<EventRecord>> Apply(const ListOp& op, std::int64_t now);
  StoreResult<bool> Apply(const RequeueOp& op, std::int64_t now);
  StoreResult<std::int64_t> Apply(const PurgeOp& op, std::int64_t now);
  StoreResult<std::optional<BillingDocument>> Apply(const BillingGetOp& op, std::int64_t now);
  StoreResult<std::optional<BillingDocument>> Apply(const BillingFindOp& op, std::int64_t now);
  StoreResult<std::optional<std::int64_t>> Apply(const BillingPutOp& op, std::int64_t now);

  std::int64_t Now() const { return options_.clock->NowMs(); }
  // All three run with mu_ held.
  void SweepIfDue(std::int64_t now_ms);
  std::size_t EraseWhere(std::int64_t cutoff_ms);
  void EvictCompletedOverLimit();
  // Atomic ordering: the marker of `key`'s object moves forward, renewed.
  void RaiseMarker(const OrderKey& key, const std::string& event_id, std::int64_t now_ms);
  // Frees the ordering slot the record's order holds, if its event holds it.
  void ReleaseSlot(const EventRecord& record);

  const Options options_;
  mutable std::mutex mu_;
  bool closed_ = false;
  std::unordered_map<std::string, EventRecord> records_;
  std::set<AgeKey> completed_by_age_;
  std::unordered_map<std::string, Applied> applied_;
  std::unordered_map<std::string, OrderSlot> slots_;  // object id -> ordering slot
  // Billing state: documents by customer id, and the customers linked to each
  // user id. Neither retention nor maxEntries touches them (state, not bookkeeping).
  std::unordered_map<std::string, BillingDocument> billing_;
  std::unordered_map<std::string, std::set<std::string>> billing_by_user_;
  std::int64_t next_sweep_ms_ = 0;
};

// The process-wide store called `name`, created with `options` on first use;
// later calls return the same store (and ignore their options). A named store
// lives until the process exits, so a worker that exits and a worker that
// starts later still see the same records.
std::shared_ptr<MemoryStore> OpenNamedMemoryStore(const std::string& name,
                                                  const MemoryStore::Options& options);

}  // namespace hookwise
