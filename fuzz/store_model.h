// The reference model the store fuzzer checks MemoryStore and SqliteStore
// against: API.md §5 written as directly as possible, with no code shared
// with src/core/store_rules (a model that reused the rules would only check
// that the rules agree with themselves).
//
// Tokens are random in the real stores, so the model does not invent them: a
// claim the model says must be acquired adopts the token the store returned
// (after checking its form and that it was never issued before).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/core/saturating_int64.h"
#include "src/core/store_types.h"

namespace hookwise::fuzz {

struct ModelApplied {
  std::int64_t created = 0;
  std::int64_t rank = 0;
  std::int64_t updated_at_ms = 0;
};

// Atomic ordering: the event holding an object's slot, until when.
struct ModelSlot {
  std::string event_id;
  std::int64_t until_ms = 0;
};

class StoreModel {
 public:
  // max_entries: MemoryStore's bound (SIZE_MAX for none); keep_payloads:
  // whether claims keep the body (SqliteStore's keepPayloads).
  StoreModel(std::size_t max_entries, bool keep_payloads)
      : max_entries_(max_entries), keep_payloads_(keep_payloads) {}

  static bool ValidKey(std::string_view key) { return !key.empty() && key.size() <= 255; }
  static bool ValidMeta(const ClaimMeta& meta) {
    return meta.type.size() <= 255 && (!meta.object_id || ValidKey(*meta.object_id)) &&
           meta.lease_ms > 0 &&
           (!meta.order || (ValidKey(meta.order->object_id) && meta.order->rank >= 0));
  }

  // What claim() must answer; `acquired_token` is the token the store handed
  // out (only read when the answer is kAcquired).
  Claim ClaimEvent(const std::string& id, const ClaimMeta& meta, std::int64_t now,
                   const std::string& acquired_token) {
    auto it = records_.find(id);
    if (it != records_.end()) {
      const EventRecord& r = it->second;
      if (r.status == EventStatus::kCompleted) {
        return Claim{ClaimStatus::kDuplicate, {}, r.attempts};
      }
      if (r.status == EventStatus::kDeadLettered) {
        return Claim{ClaimStatus::kDeadLettered, {}, r.attempts};
      }
      if (r.status == EventStatus::kProcessing && now < r.lease_expires_at_ms) {
        return Claim{ClaimStatus::kInProgress, {}, r.attempts};
      }
    }
    if (meta.order) {
      // Atomic ordering: older than the object's marker is done without
      // running; another event's live lease on the object's slot blocks.
      const OrderKey& key = *meta.order;
      auto marker = applied_.find(key.object_id);
      if (marker != applied_.end() && std::make_pair(marker->second.created, marker->second.rank) >
                                          std::make_pair(key.created, key.rank)) {
        marker->second.updated_at_ms = now;
        if (it == records_.end()) {
          records_.emplace(id, FirstRecord(id, meta, now, EventStatus::kCompleted));
          EvictOverLimit();
          return Claim{ClaimStatus::kStale, {}, 1};
        }
        EventRecord& r = it->second;
        r.status = EventStatus::kCompleted;
        r.attempts += 1;
        r.updated_at_ms = now;
        r.token.clear();
        r.lease_expires_at_ms = 0;
        r.order.reset();
        return Claim{ClaimStatus::kStale, {}, r.attempts};
      }
      auto slot = slots_.find(key.object_id);
      if (slot != slots_.end() && slot->second.event_id != id && now < slot->second.until_ms) {
        return Claim{ClaimStatus::kBlocked, {}, it == records_.end() ? 0 : it->second.attempts};
      }
      slots_[key.object_id] = ModelSlot{id, SaturatingAdd(now, meta.lease_ms)};
    }
    if (it == records_.end()) {
      EventRecord r = FirstRecord(id, meta, now, EventStatus::kProcessing);
      r.token = acquired_token;
      r.lease_expires_at_ms = SaturatingAdd(now, meta.lease_ms);
      r.order = meta.order;
      records_.emplace(id, r);
      EvictOverLimit();
      return Claim{ClaimStatus::kAcquired, acquired_token, 1};
    }
    EventRecord& r = it->second;
    // failed, or processing with its lease over: a new holder runs it again.
    r.status = EventStatus::kProcessing;
    r.attempts += 1;
    r.updated_at_ms = now;
    r.token = acquired_token;
    r.lease_expires_at_ms = SaturatingAdd(now, meta.lease_ms);
    r.order = meta.order;
    // The first body seen is kept; a redelivery carries the same event.
    if (keep_payloads_ && !r.payload) r.payload = meta.payload;
    return Claim{ClaimStatus::kAcquired, acquired_token, r.attempts};
  }

  bool Complete(const std::string& id, const std::string& token, std::int64_t now) {
    EventRecord* r = Holding(id, token);
    if (r == nullptr) return false;
    r->status = EventStatus::kCompleted;
    r->token.clear();
    r->lease_expires_at_ms = 0;
    r->updated_at_ms = now;
    if (r->order) {
      // The marker moves to the event's (created, rank) unless it is newer.
      const OrderKey key = *r->order;
      auto [marker, inserted] = applied_.try_emplace(key.object_id);
      if (inserted || !(std::make_pair(marker->second.created, marker->second.rank) >
                        std::make_pair(key.created, key.rank))) {
        marker->second.created = key.created;
        marker->second.rank = key.rank;
      }
      marker->second.updated_at_ms = now;
      ReleaseSlot(key.object_id, id);
    }
    EvictOverLimit();
    return true;
  }

  FailOutcome Fail(const std::string& id, const std::string& token, std::string_view error,
                   std::int64_t max_attempts, std::int64_t now) {
    auto it = records_.find(id);
    if (it == records_.end()) return FailOutcome{false, 0, true};
    EventRecord* r = Holding(id, token);
    if (r == nullptr) return FailOutcome{false, it->second.attempts, true};
    r->last_error = Utf8Prefix(error, kMaxLastErrorBytes);
    r->token.clear();
    r->lease_expires_at_ms = 0;
    r->updated_at_ms = now;
    const bool dead = r->attempts >= max_attempts;
    r->status = dead ? EventStatus::kDeadLettered : EventStatus::kFailed;
    if (r->order) ReleaseSlot(r->order->object_id, id);
    return FailOutcome{dead, r->attempts, false};
  }

  bool Requeue(const std::string& id, std::int64_t now) {
    auto it = records_.find(id);
    if (it == records_.end()) return false;
    EventRecord& r = it->second;
    if (r.status != EventStatus::kFailed && r.status != EventStatus::kDeadLettered) return false;
    r.status = EventStatus::kFailed;
    r.attempts = 0;
    r.updated_at_ms = now;
    return true;
  }

  std::optional<EventRecord> Get(const std::string& id) const {
    auto it = records_.find(id);
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }

  std::vector<EventRecord> List(const ListQuery& query) const {
    // The reference order, spelled out: every record sorted by
    // (receivedAt descending, id ascending), then filtered, then cut.
    std::vector<EventRecord> all;
    for (const auto& [id, r] : records_) all.push_back(r);
    std::sort(all.begin(), all.end(), [](const EventRecord& a, const EventRecord& b) {
      if (a.received_at_ms != b.received_at_ms) return a.received_at_ms > b.received_at_ms;
      return a.id < b.id;
    });
    std::vector<EventRecord> out;
    for (const EventRecord& r : all) {
      if (out.size() >= query.limit) break;
      if (query.status && r.status != *query.status) continue;
      if (query.type && r.type != *query.type) continue;
      if (query.before_ms && !(r.received_at_ms < *query.before_ms)) continue;
      out.push_back(r);
    }
    return out;
  }

  std::size_t Purge(std::int64_t older_than_ms, std::int64_t now) {
    const std::int64_t cutoff = SaturatingSub(now, older_than_ms);
    std::size_t n = 0;
    for (auto it = records_.begin(); it != records_.end();) {
      const EventRecord& r = it->second;
      if (r.status != EventStatus::kProcessing && r.updated_at_ms < cutoff) {
        it = records_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    std::erase_if(applied_, [&](const auto& e) { return e.second.updated_at_ms < cutoff; });
    return n;
  }

  // The marker keeps the newest `created`; every mark (an older one too)
  // refreshes its age, because events for the object are still arriving.
  void MarkApplied(const std::string& object_id, std::int64_t created, std::int64_t now) {
    auto [it, inserted] = applied_.try_emplace(object_id);
    if (inserted || created > it->second.created) {
      it->second.created = created;
      it->second.rank = 0;
    }
    it->second.updated_at_ms = now;
  }

  std::optional<std::int64_t> LastApplied(const std::string& object_id) const {
    auto it = applied_.find(object_id);
    if (it == applied_.end()) return std::nullopt;
    return it->second.created;
  }

 private:
  // The record of an event's first claim (attempt 1), in `status`.
  EventRecord FirstRecord(const std::string& id, const ClaimMeta& meta, std::int64_t now,
                          EventStatus status) const {
    EventRecord r;
    r.id = id;
    r.type = meta.type;
    r.created = meta.created;
    r.object_id = meta.object_id;
    r.status = status;
    r.attempts = 1;
    r.received_at_ms = now;
    r.updated_at_ms = now;
    if (keep_payloads_) r.payload = meta.payload;
    return r;
  }

  void ReleaseSlot(const std::string& object_id, const std::string& id) {
    auto slot = slots_.find(object_id);
    if (slot != slots_.end() && slot->second.event_id == id) slots_.erase(slot);
  }

  EventRecord* Holding(const std::string& id, const std::string& token) {
    auto it = records_.find(id);
    if (it == records_.end()) return nullptr;
    EventRecord& r = it->second;
    if (r.status != EventStatus::kProcessing || token.empty() || token != r.token) return nullptr;
    return &r;
  }

  // The longest prefix of at most `max` bytes that does not end inside a
  // UTF-8 sequence (a cut never leaves a continuation byte's lead behind).
  static std::string Utf8Prefix(std::string_view text, std::size_t max) {
    if (text.size() <= max) return std::string(text);
    std::size_t n = max;
    auto continuation = [&](std::size_t i) {
      return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    };
    while (n > 0 && continuation(n)) --n;
    return std::string(text.substr(0, n));
  }

  // MemoryStore's size bound: the oldest completed records (by updatedAt,
  // then id) go first; nothing else is ever evicted.
  void EvictOverLimit() {
    while (records_.size() > max_entries_) {
      const EventRecord* oldest = nullptr;
      for (const auto& [id, r] : records_) {
        if (r.status != EventStatus::kCompleted) continue;
        if (oldest == nullptr || std::make_pair(r.updated_at_ms, r.id) <
                                     std::make_pair(oldest->updated_at_ms, oldest->id)) {
          oldest = &r;
        }
      }
      if (oldest == nullptr) return;
      const std::string id = oldest->id;  // erase(key) must not read a key it is freeing
      records_.erase(id);
    }
  }

  std::size_t max_entries_;
  bool keep_payloads_;
  std::map<std::string, EventRecord> records_;  // every field as the store must report it
  std::map<std::string, ModelApplied> applied_;
  std::map<std::string, ModelSlot> slots_;
};

}  // namespace hookwise::fuzz
