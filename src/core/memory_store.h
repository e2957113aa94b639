// MemoryStore: the idempotency bookkeeping in process memory, for tests and
// single-process apps. Thread-safe (one mutex; every operation is a few map
// lookups), so one store can serve every worker_thread of a process: stores
// opened by name through OpenNamedMemoryStore are shared process-wide.
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

#include "src/core/store_clock.h"
#include "src/core/store_types.h"

namespace hookwise {

inline constexpr std::size_t kDefaultMemoryStoreMaxEntries = 100000;

class MemoryStore {
 public:
  struct Options {
    std::size_t max_entries = kDefaultMemoryStoreMaxEntries;
    std::int64_t retention_ms = kDefaultRetentionMs;
    std::shared_ptr<StoreClock> clock;  // null: the system clock
  };

  explicit MemoryStore(Options options);
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  StoreResult<Claim> ClaimEvent(std::string_view id, const ClaimMeta& meta);
  StoreResult<bool> CompleteEvent(std::string_view id, std::string_view token);
  StoreResult<FailOutcome> FailEvent(std::string_view id, std::string_view token,
                                     std::string_view error, std::int64_t max_attempts);
  StoreResult<std::optional<std::int64_t>> LastApplied(std::string_view object_id);
  StoreResult<bool> MarkApplied(std::string_view object_id, std::int64_t created,
                                std::string_view event_id);
  StoreResult<std::optional<EventRecord>> GetEvent(std::string_view id);
  StoreResult<std::vector<EventRecord>> ListEvents(const ListQuery& query);
  StoreResult<bool> RequeueEvent(std::string_view id);
  StoreResult<std::size_t> Purge(std::int64_t older_than_ms);

  std::size_t Size() const;
  const Options& options() const { return options_; }

 private:
  struct Applied {
    std::int64_t created = 0;
    std::string event_id;
    std::int64_t updated_at_ms = 0;
  };
  using AgeKey = std::pair<std::int64_t, std::string>;  // (updatedAt, id) of a completed record

  std::int64_t Now() const { return options_.clock->NowMs(); }
  // Both run with mu_ held.
  void SweepIfDue(std::int64_t now_ms);
  std::size_t EraseWhere(std::int64_t cutoff_ms);
  void EvictCompletedOverLimit();

  const Options options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, EventRecord> records_;
  std::set<AgeKey> completed_by_age_;
  std::unordered_map<std::string, Applied> applied_;
  std::int64_t next_sweep_ms_ = 0;
};

// The process-wide store called `name`, created with `options` on first use;
// later calls return the same store (and ignore their options). A named store
// lives until the process exits, so a worker that exits and a worker that
// starts later still see the same records.
std::shared_ptr<MemoryStore> OpenNamedMemoryStore(const std::string& name,
                                                  const MemoryStore::Options& options);

}  // namespace hookwise
