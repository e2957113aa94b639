#include "src/core/memory_store.h"

#include <algorithm>
#include <map>

#include "src/core/saturating_int64.h"
#include "src/core/store_rules.h"

namespace hookwise {
namespace {

// Retention is checked at most this often: a sweep walks every record.
constexpr std::int64_t kSweepIntervalMs = 60 * 1000;

template <typename T>
StoreResult<T> Rejected(const StoreError& error) {
  return StoreResult<T>::Err(error);
}

}  // namespace

MemoryStore::MemoryStore(Options options)
    : options_([&] {
        if (!options.clock) options.clock = std::make_shared<SystemStoreClock>();
        return std::move(options);
      }()) {}

StoreResult<Claim> MemoryStore::ClaimEvent(std::string_view id, const ClaimMeta& meta) {
  if (StoreError e = CheckEventId(id); !e.ok()) return Rejected<Claim>(e);
  if (StoreError e = CheckClaimMeta(meta); !e.ok()) return Rejected<Claim>(e);
  std::lock_guard lock(mu_);
  const std::int64_t now = Now();
  SweepIfDue(now);
  std::optional<EventRecord> record;
  auto it = records_.find(std::string(id));
  if (it != records_.end()) record = std::move(it->second);
  Claim claim = ApplyClaim(record, id, meta, now, /*keep_payload=*/false);
  if (it != records_.end()) {
    it->second = std::move(*record);
  } else {
    records_.emplace(std::string(id), std::move(*record));
    EvictCompletedOverLimit();
  }
  return StoreResult<Claim>::Ok(std::move(claim));
}

StoreResult<bool> MemoryStore::CompleteEvent(std::string_view id, std::string_view token) {
  if (StoreError e = CheckEventId(id); !e.ok()) return Rejected<bool>(e);
  std::lock_guard lock(mu_);
  auto it = records_.find(std::string(id));
  if (it == records_.end()) return StoreResult<bool>::Ok(false);
  if (!ApplyComplete(it->second, token, Now())) return StoreResult<bool>::Ok(false);
  completed_by_age_.emplace(it->second.updated_at_ms, it->first);
  EvictCompletedOverLimit();
  return StoreResult<bool>::Ok(true);
}

StoreResult<FailOutcome> MemoryStore::FailEvent(std::string_view id, std::string_view token,
                                                std::string_view error, std::int64_t max_attempts) {
  if (StoreError e = CheckEventId(id); !e.ok()) return Rejected<FailOutcome>(e);
  std::lock_guard lock(mu_);
  auto it = records_.find(std::string(id));
  if (it == records_.end()) return StoreResult<FailOutcome>::Ok(UnknownEventFail());
  return StoreResult<FailOutcome>::Ok(ApplyFail(it->second, token, error, max_attempts, Now()));
}

StoreResult<std::optional<std::int64_t>> MemoryStore::LastApplied(std::string_view object_id) {
  using R = StoreResult<std::optional<std::int64_t>>;
  if (StoreError e = CheckObjectId(object_id); !e.ok()) return R::Err(e);
  std::lock_guard lock(mu_);
  auto it = applied_.find(std::string(object_id));
  if (it == applied_.end()) return R::Ok(std::nullopt);
  return R::Ok(it->second.created);
}

StoreResult<bool> MemoryStore::MarkApplied(std::string_view object_id, std::int64_t created,
                                           std::string_view event_id) {
  if (StoreError e = CheckObjectId(object_id); !e.ok()) return Rejected<bool>(e);
  if (StoreError e = CheckEventId(event_id); !e.ok()) return Rejected<bool>(e);
  std::lock_guard lock(mu_);
  const std::int64_t now = Now();
  auto [it, inserted] = applied_.try_emplace(std::string(object_id));
  // Keep the newest: marking an older event after a newer one changes nothing.
  if (inserted || created >= it->second.created) {
    it->second.created = created;
    it->second.event_id = std::string(event_id);
  }
  it->second.updated_at_ms = now;
  return StoreResult<bool>::Ok(true);
}

StoreResult<std::optional<EventRecord>> MemoryStore::GetEvent(std::string_view id) {
  using R = StoreResult<std::optional<EventRecord>>;
  if (StoreError e = CheckEventId(id); !e.ok()) return R::Err(e);
  std::lock_guard lock(mu_);
  auto it = records_.find(std::string(id));
  if (it == records_.end()) return R::Ok(std::nullopt);
  return R::Ok(it->second);
}

StoreResult<std::vector<EventRecord>> MemoryStore::ListEvents(const ListQuery& query) {
  std::vector<const EventRecord*> matches;
  std::vector<EventRecord> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, record] : records_) {
    if (MatchesQuery(record, query)) matches.push_back(&record);
  }
  const std::size_t n = std::min(query.limit, matches.size());
  auto before = [](const EventRecord* a, const EventRecord* b) { return ListsBefore(*a, *b); };
  std::partial_sort(matches.begin(), matches.begin() + n, matches.end(), before);
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(*matches[i]);
  return StoreResult<std::vector<EventRecord>>::Ok(std::move(out));
}

StoreResult<bool> MemoryStore::RequeueEvent(std::string_view id) {
  if (StoreError e = CheckEventId(id); !e.ok()) return Rejected<bool>(e);
  std::lock_guard lock(mu_);
  auto it = records_.find(std::string(id));
  if (it == records_.end()) return StoreResult<bool>::Ok(false);
  return StoreResult<bool>::Ok(ApplyRequeue(it->second, Now()));
}

StoreResult<std::size_t> MemoryStore::Purge(std::int64_t older_than_ms) {
  std::lock_guard lock(mu_);
  return StoreResult<std::size_t>::Ok(EraseWhere(SaturatingSub(Now(), older_than_ms)));
}

std::size_t MemoryStore::Size() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

void MemoryStore::SweepIfDue(std::int64_t now_ms) {
  if (now_ms < next_sweep_ms_) return;
  next_sweep_ms_ =
      now_ms + std::min(kSweepIntervalMs, std::max<std::int64_t>(options_.retention_ms, 1));
  EraseWhere(SaturatingSub(now_ms, options_.retention_ms));
}

std::size_t MemoryStore::EraseWhere(std::int64_t cutoff_ms) {
  std::size_t erased = 0;
  for (auto it = records_.begin(); it != records_.end();) {
    if (IsPurgeable(it->second, cutoff_ms)) {
      if (it->second.status == EventStatus::kCompleted) {
        completed_by_age_.erase(AgeKey{it->second.updated_at_ms, it->first});
      }
      it = records_.erase(it);
      ++erased;
    } else {
      ++it;
    }
  }
  std::erase_if(applied_,
                [&](const auto& entry) { return entry.second.updated_at_ms < cutoff_ms; });
  return erased;
}

void MemoryStore::EvictCompletedOverLimit() {
  while (records_.size() > options_.max_entries && !completed_by_age_.empty()) {
    auto oldest = completed_by_age_.begin();
    records_.erase(oldest->second);
    completed_by_age_.erase(oldest);
  }
}

std::shared_ptr<MemoryStore> OpenNamedMemoryStore(const std::string& name,
                                                  const MemoryStore::Options& options) {
  // Leaked on purpose: named stores must outlive every thread that may still
  // use them during process exit, whatever order static destructors run in.
  static auto* mu = new std::mutex;
  static auto* stores = new std::map<std::string, std::shared_ptr<MemoryStore>>;
  std::lock_guard lock(*mu);
  auto [it, inserted] = stores->try_emplace(name);
  if (inserted) it->second = std::make_shared<MemoryStore>(options);
  return it->second;
}

}  // namespace hookwise
