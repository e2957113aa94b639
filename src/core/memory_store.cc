#include "src/core/memory_store.h"

#include <algorithm>
#include <map>

#include "src/core/saturating_int64.h"
#include "src/core/store_rules.h"

namespace hookwise {
namespace {

// Retention is checked at most this often: a sweep walks every record.
constexpr std::int64_t kSweepIntervalMs = 60 * 1000;

}  // namespace

MemoryStore::MemoryStore(Options options)
    : options_([&] {
        if (!options.clock) options.clock = std::make_shared<SystemStoreClock>();
        return std::move(options);
      }()) {}

StoreOpResult MemoryStore::Execute(const StoreOp& op) {
  if (StoreError e = CheckStoreOp(op); !e.ok()) return FailedStoreOp(std::move(e));
  std::lock_guard lock(mu_);
  if (closed_) return FailedStoreOp(StoreError{StoreErrorCode::kClosed, "the store is closed"});
  const std::int64_t now = Now();
  return std::visit(
      [&](const auto& o) { return ToStoreOpResult<std::decay_t<decltype(o)>>(Apply(o, now)); }, op);
}

void MemoryStore::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
}

StoreResult<Claim> MemoryStore::Apply(const ClaimOp& op, std::int64_t now) {
  SweepIfDue(now);
  // One lookup for both cases: a new id gets its slot now (a claim of a new
  // id is the common case, and find-then-emplace hashed and probed it twice).
  auto [it, is_new] = records_.try_emplace(op.id);
  std::optional<EventRecord> record;
  if (!is_new) record = std::move(it->second);
  std::optional<OrderMark> mark;
  std::optional<OrderSlot> slot;
  if (op.meta.order) {
    const std::string& object_id = op.meta.order->object_id;
    if (auto a = applied_.find(object_id); a != applied_.end()) {
      mark = OrderMark{a->second.created, a->second.rank};
    }
    if (auto s = slots_.find(object_id); s != slots_.end()) slot = s->second;
  }
  Claim claim = ApplyOrderedClaim(record, mark, slot, op.id, op.meta, now, /*keep_payload=*/false);
  if (claim.status == ClaimStatus::kBlocked && is_new) {
    records_.erase(it);
    return StoreResult<Claim>::Ok(std::move(claim));  // nothing recorded
  }
  if (claim.status == ClaimStatus::kAcquired && op.meta.order) {
    slots_.insert_or_assign(op.meta.order->object_id, std::move(*slot));
  }
  if (claim.status == ClaimStatus::kStale) {
    applied_[op.meta.order->object_id].updated_at_ms = now;  // a stale event renews the marker
  }
  // A stale claim completes its record: it joins the eviction order.
  if (claim.status == ClaimStatus::kStale) completed_by_age_.emplace(now, op.id);
  it->second = std::move(*record);
  if (is_new) EvictCompletedOverLimit();
  return StoreResult<Claim>::Ok(std::move(claim));
}

StoreResult<bool> MemoryStore::Apply(const CompleteOp& op, std::int64_t now) {
  auto it = records_.find(op.id);
  if (it == records_.end() || !ApplyComplete(it->second, op.token, now)) {
    return StoreResult<bool>::Ok(false);
  }
  if (it->second.order) {
    // Atomic ordering: the completion marks the object and frees its slot, under this lock.
    RaiseMarker(*it->second.order, op.id, now);
    ReleaseSlot(it->second);
  }
  completed_by_age_.emplace(it->second.updated_at_ms, it->first);
  EvictCompletedOverLimit();
  return StoreResult<bool>::Ok(true);
}

StoreResult<FailOutcome> MemoryStore::Apply(const FailOp& op, std::int64_t now) {
  auto it = records_.find(op.id);
  if (it == records_.end()) return StoreResult<FailOutcome>::Ok(UnknownEventFail());
  const FailOutcome outcome = ApplyFail(it->second, op.token, op.error, op.max_attempts, now);
  if (!outcome.stale) ReleaseSlot(it->second);
  return StoreResult<FailOutcome>::Ok(outcome);
}

StoreResult<std::optional<std::int64_t>> MemoryStore::Apply(const LastAppliedOp& op, std::int64_t) {
  using R = StoreResult<std::optional<std::int64_t>>;
  auto it = applied_.find(op.object_id);
  if (it == applied_.end()) return R::Ok(std::nullopt);
  return R::Ok(it->second.created);
}

StoreResult<std::monostate> MemoryStore::Apply(const MarkAppliedOp& op, std::int64_t now) {
  RaiseMarker(OrderKey{op.object_id, op.created, 0}, op.event_id, now);
  return StoreResult<std::monostate>::Ok({});
}

void MemoryStore::RaiseMarker(const OrderKey& key, const std::string& event_id,
                              std::int64_t now_ms) {
  auto [it, inserted] = applied_.try_emplace(key.object_id);
  // Keep the newest: marking an older event after a newer one changes nothing.
  std::optional<OrderMark> mark;
  if (!inserted) mark = OrderMark{it->second.created, it->second.rank};
  if (!MarkIsNewer(mark, key)) {
    it->second.created = key.created;
    it->second.rank = key.rank;
    it->second.event_id = event_id;
  }
  it->second.updated_at_ms = now_ms;
}

void MemoryStore::ReleaseSlot(const EventRecord& record) {
  if (!record.order) return;
  auto it = slots_.find(record.order->object_id);
  if (it != slots_.end() && it->second.event_id == record.id) slots_.erase(it);
}

StoreResult<std::optional<EventRecord>> MemoryStore::Apply(const GetOp& op, std::int64_t) {
  using R = StoreResult<std::optional<EventRecord>>;
  auto it = records_.find(op.id);
  if (it == records_.end()) return R::Ok(std::nullopt);
  return R::Ok(it->second);
}

StoreResult<std::vector<EventRecord>> MemoryStore::Apply(const ListOp& op, std::int64_t) {
  std::vector<const EventRecord*> matches;
  for (const auto& [id, record] : records_) {
    if (MatchesQuery(record, op.query)) matches.push_back(&record);
  }
  const std::size_t n = std::min(op.query.limit, matches.size());
  auto before = [](const EventRecord* a, const EventRecord* b) { return ListsBefore(*a, *b); };
  std::partial_sort(matches.begin(), matches.begin() + n, matches.end(), before);
  std::vector<EventRecord> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(*matches[i]);
  return StoreResult<std::vector<EventRecord>>::Ok(std::move(out));
}

StoreResult<bool> MemoryStore::Apply(const RequeueOp& op, std::int64_t now) {
  auto it = records_.find(op.id);
  if (it == records_.end()) return StoreResult<bool>::Ok(false);
  return StoreResult<bool>::Ok(ApplyRequeue(it->second, now));
}

StoreResult<std::int64_t> MemoryStore::Apply(const PurgeOp& op, std::int64_t now) {
  const std::size_t erased = EraseWhere(SaturatingSub(now, op.older_than_ms));
  return StoreResult<std::int64_t>::Ok(static_cast<std::int64_t>(erased));
}

StoreResult<std::optional<BillingDocument>> MemoryStore::Apply(const BillingGetOp& op,
                                                               std::int64_t) {
  using R = StoreResult<std::optional<BillingDocument>>;
  auto it = billing_.find(op.customer_id);
  if (it == billing_.end()) return R::Ok(std::nullopt);
  return R::Ok(it->second);
}

StoreResult<std::optional<BillingDocument>> MemoryStore::Apply(const BillingFindOp& op,
                                                               std::int64_t) {
  using R = StoreResult<std::optional<BillingDocument>>;
  auto users = billing_by_user_.find(op.user_id);
  if (users == billing_by_user_.end()) return R::Ok(std::nullopt);
  const BillingDocument* best = nullptr;
  for (const std::string& customer_id : users->second) {
    const BillingDocument& doc = billing_.at(customer_id);
    if (best == nullptr || BillingFindsBefore(doc, *best)) best = &doc;
  }
  return R::Ok(*best);
}

StoreResult<std::optional<std::int64_t>> MemoryStore::Apply(const BillingPutOp& op, std::int64_t) {
  using R = StoreResult<std::optional<std::int64_t>>;
  auto it = billing_.find(op.customer_id);
  const std::int64_t current = it == billing_.end() ? 0 : it->second.version;
  if (current != op.expected_version) return R::Ok(std::nullopt);
  if (it != billing_.end() && it->second.user_id && it->second.user_id != op.user_id) {
    auto users = billing_by_user_.find(*it->second.user_id);
    users->second.erase(op.customer_id);
    if (users->second.empty()) billing_by_user_.erase(users);
  }
  if (op.user_id) billing_by_user_[*op.user_id].insert(op.customer_id);
  const std::int64_t version = op.expected_version + 1;
  billing_.insert_or_assign(op.customer_id, BillingDocumentOf(op, version));
  return R::Ok(version);
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
  const std::int64_t now = Now();
  std::erase_if(slots_, [&](const auto& entry) { return entry.second.expires_at_ms <= now; });
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
