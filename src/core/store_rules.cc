#include "src/core/store_rules.h"

#include <pthread.h>
#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "src/core/saturating_int64.h"

namespace hookwise {
namespace {

StoreError Invalid(std::string message) {
  return StoreError{StoreErrorCode::kInvalidArgument, std::move(message)};
}

StoreError CheckKey(std::string_view value, std::size_t max_bytes, const char* what) {
  if (value.empty()) return Invalid(std::string(what) + " must not be empty");
  if (value.size() > max_bytes) {
    return Invalid(std::string(what) + " is longer than " + std::to_string(max_bytes) + " bytes");
  }
  return {};
}

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

// A new record of event `id` as `meta` describes it, received now (status,
// attempts and lease are the caller's).
EventRecord NewRecord(std::string_view id, const ClaimMeta& meta, std::int64_t now_ms,
                      bool keep_payload) {
  EventRecord fresh;
  fresh.id = std::string(id);
  fresh.type = meta.type;
  fresh.created = meta.created;
  fresh.object_id = meta.object_id;
  fresh.received_at_ms = now_ms;
  fresh.updated_at_ms = now_ms;
  if (keep_payload) fresh.payload = meta.payload;
  return fresh;
}

// The answer to a claim of an event that cannot be taken now (completed,
// dead-lettered, or held by an unexpired lease); nullopt when it can.
std::optional<Claim> Untakeable(const EventRecord& r, std::int64_t now_ms) {
  switch (r.status) {
    case EventStatus::kCompleted:
      return Claim{ClaimStatus::kDuplicate, {}, r.attempts};
    case EventStatus::kDeadLettered:
      return Claim{ClaimStatus::kDeadLettered, {}, r.attempts};
    case EventStatus::kProcessing:
      if (now_ms < r.lease_expires_at_ms) return Claim{ClaimStatus::kInProgress, {}, r.attempts};
      return std::nullopt;  // the holder's lease ran out: take the event over
    case EventStatus::kFailed:
      return std::nullopt;  // a redelivery of a failed event runs it again
  }
  return std::nullopt;
}

}  // namespace

StoreError CheckEventId(std::string_view id) { return CheckKey(id, kMaxEventIdBytes, "event id"); }

StoreError CheckObjectId(std::string_view object_id) {
  return CheckKey(object_id, kMaxObjectIdBytes, "object id");
}

StoreError CheckClaimMeta(const ClaimMeta& meta) {
  if (meta.type.size() > kMaxEventTypeBytes) {
    return Invalid("event type is longer than " + std::to_string(kMaxEventTypeBytes) + " bytes");
  }
  if (meta.object_id) {
    if (StoreError e = CheckObjectId(*meta.object_id); !e.ok()) return e;
  }
  if (meta.lease_ms <= 0) return Invalid("leaseMs must be a positive number of milliseconds");
  if (meta.order) {
    if (StoreError e = CheckObjectId(meta.order->object_id); !e.ok()) return e;
    if (meta.order->rank < 0) return Invalid("meta.order.rank must not be negative");
  }
  return {};
}

StoreError CheckStoreOp(const StoreOp& op) {
  struct Checks {
    StoreError operator()(const ClaimOp& o) const {
      if (StoreError e = CheckEventId(o.id); !e.ok()) return e;
      return CheckClaimMeta(o.meta);
    }
    StoreError operator()(const CompleteOp& o) const { return CheckEventId(o.id); }
    StoreError operator()(const FailOp& o) const { return CheckEventId(o.id); }
    StoreError operator()(const LastAppliedOp& o) const { return CheckObjectId(o.object_id); }
    StoreError operator()(const MarkAppliedOp& o) const {
      if (StoreError e = CheckObjectId(o.object_id); !e.ok()) return e;
      return CheckEventId(o.event_id);
    }
    StoreError operator()(const GetOp& o) const { return CheckEventId(o.id); }
    StoreError operator()(const ListOp&) const { return {}; }
    StoreError operator()(const RequeueOp& o) const { return CheckEventId(o.id); }
    StoreError operator()(const PurgeOp&) const { return {}; }
    StoreError operator()(const BillingGetOp& o) const {
      return CheckKey(o.customer_id, kMaxObjectIdBytes, "customer id");
    }
    StoreError operator()(const BillingFindOp& o) const {
      return CheckKey(o.user_id, kMaxObjectIdBytes, "user id");
    }
    StoreError operator()(const BillingPutOp& o) const {
      if (StoreError e = CheckKey(o.customer_id, kMaxObjectIdBytes, "customer id"); !e.ok()) {
        return e;
      }
      if (o.user_id) {
        if (StoreError e = CheckKey(*o.user_id, kMaxObjectIdBytes, "user id"); !e.ok()) return e;
      }
      if (o.record.size() > kMaxBillingRecordBytes) {
        return Invalid("a billing record is longer than " + std::to_string(kMaxBillingRecordBytes) +
                       " bytes");
      }
      if (o.expected_version < 0) return Invalid("expectedVersion must be >= 0");
      return {};
    }
  };
  return std::visit(Checks{}, op);
}

namespace {

// Fencing tokens are 16 bytes of libsodium's CSPRNG, drawn 32 tokens at a
// time: randombytes_buf is one getrandom() system call per call, which was 7%
// of a MemoryStore claim. The drawn bytes are per thread (no lock). A forked
// child drops what its parent had drawn, so the two never hand out one token.
constexpr std::size_t kFencingTokenBytes = 16;
constexpr std::size_t kTokensPerDraw = 32;

struct DrawnTokenBytes {
  std::array<unsigned char, kFencingTokenBytes * kTokensPerDraw> bytes{};
  std::size_t next = kTokensPerDraw;  // tokens handed out of `bytes`
};
thread_local DrawnTokenBytes drawn_token_bytes;

bool InitialiseTokenSource() {
  // sodium_init() is idempotent and itself thread-safe.
  if (sodium_init() < 0) return false;
  // Only the forking thread goes on in the child: its bytes are the ones to drop.
  pthread_atfork(nullptr, nullptr, [] { drawn_token_bytes.next = kTokensPerDraw; });
  return true;
}

}  // namespace

std::string NewFencingToken() {
  static const bool initialised = InitialiseTokenSource();
  (void)initialised;
  DrawnTokenBytes& drawn = drawn_token_bytes;
  if (drawn.next == kTokensPerDraw) {
    randombytes_buf(drawn.bytes.data(), drawn.bytes.size());
    drawn.next = 0;
  }
  unsigned char* bytes = drawn.bytes.data() + drawn.next * kFencingTokenBytes;
  ++drawn.next;
  std::string hex(kFencingTokenBytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, kFencingTokenBytes);
  sodium_memzero(bytes, kFencingTokenBytes);  // a token once handed out is not kept here
  hex.pop_back();
  return hex;
}

Claim ApplyClaim(std::optional<EventRecord>& record, std::string_view id, const ClaimMeta& meta,
                 std::int64_t now_ms, bool keep_payload) {
  if (!record) {
    EventRecord fresh = NewRecord(id, meta, now_ms, keep_payload);
    fresh.status = EventStatus::kProcessing;
    fresh.attempts = 1;
    fresh.token = NewFencingToken();
    fresh.lease_expires_at_ms = SaturatingAdd(now_ms, meta.lease_ms);
    fresh.order = meta.order;
    record = std::move(fresh);
    return Claim{ClaimStatus::kAcquired, record->token, 1};
  }
  EventRecord& r = *record;
  if (std::optional<Claim> answer = Untakeable(r, now_ms)) return *answer;
  r.status = EventStatus::kProcessing;
  r.attempts += 1;
  r.updated_at_ms = now_ms;
  r.token = NewFencingToken();
  r.lease_expires_at_ms = SaturatingAdd(now_ms, meta.lease_ms);
  r.order = meta.order;
  if (keep_payload && !r.payload && meta.payload) r.payload = meta.payload;
  return Claim{ClaimStatus::kAcquired, r.token, r.attempts};
}

Claim ApplyOrderedClaim(std::optional<EventRecord>& record, const std::optional<OrderMark>& mark,
                        std::optional<OrderSlot>& slot, std::string_view id, const ClaimMeta& meta,
                        std::int64_t now_ms, bool keep_payload) {
  if (!meta.order) return ApplyClaim(record, id, meta, now_ms, keep_payload);
  if (record) {
    if (std::optional<Claim> answer = Untakeable(*record, now_ms)) return *answer;
  }
  if (MarkIsNewer(mark, *meta.order)) {
    // Older than what the object already shows: done without running.
    if (!record) record = NewRecord(id, meta, now_ms, keep_payload);
    EventRecord& r = *record;
    r.status = EventStatus::kCompleted;
    r.attempts += 1;
    r.updated_at_ms = now_ms;
    r.token.clear();
    r.lease_expires_at_ms = 0;
    r.order.reset();
    return Claim{ClaimStatus::kStale, {}, r.attempts};
  }
  if (slot && slot->event_id != id && now_ms < slot->expires_at_ms) {
    return Claim{ClaimStatus::kBlocked, {}, record ? record->attempts : 0};
  }
  Claim claim = ApplyClaim(record, id, meta, now_ms, keep_payload);
  slot = OrderSlot{std::string(id), record->lease_expires_at_ms};
  return claim;
}

bool MarkIsNewer(const std::optional<OrderMark>& mark, const OrderKey& key) {
  if (!mark) return false;
  return mark->created > key.created || (mark->created == key.created && mark->rank > key.rank);
}

OrderMark RaiseMark(const std::optional<OrderMark>& mark, const OrderKey& key) {
  if (MarkIsNewer(mark, key)) return *mark;
  return OrderMark{key.created, key.rank};
}

bool SlotHeldBy(const std::optional<OrderSlot>& slot, std::string_view id) {
  return slot && slot->event_id == id;
}

bool ApplyComplete(EventRecord& record, std::string_view token, std::int64_t now_ms) {
  if (record.status != EventStatus::kProcessing || token.empty() || record.token != token) {
    return false;
  }
  record.status = EventStatus::kCompleted;
  record.token.clear();
  record.lease_expires_at_ms = 0;
  record.updated_at_ms = now_ms;
  return true;
}

FailOutcome ApplyFail(EventRecord& record, std::string_view token, std::string_view error,
                      std::int64_t max_attempts, std::int64_t now_ms) {
  if (record.status != EventStatus::kProcessing || token.empty() || record.token != token) {
    return FailOutcome{false, record.attempts, true};
  }
  record.last_error = TruncateUtf8(error, kMaxLastErrorBytes);
  record.token.clear();
  record.lease_expires_at_ms = 0;
  record.updated_at_ms = now_ms;
  const bool dead = record.attempts >= max_attempts;
  record.status = dead ? EventStatus::kDeadLettered : EventStatus::kFailed;
  return FailOutcome{dead, record.attempts, false};
}

FailOutcome UnknownEventFail() { return FailOutcome{false, 0, true}; }

bool ApplyRequeue(EventRecord& record, std::int64_t now_ms) {
  if (record.status != EventStatus::kFailed && record.status != EventStatus::kDeadLettered) {
    return false;
  }
  record.status = EventStatus::kFailed;
  record.attempts = 0;
  record.token.clear();
  record.lease_expires_at_ms = 0;
  record.updated_at_ms = now_ms;
  return true;
}

bool IsPurgeable(const EventRecord& record, std::int64_t cutoff_ms) {
  return record.status != EventStatus::kProcessing && record.updated_at_ms < cutoff_ms;
}

bool MatchesQuery(const EventRecord& record, const ListQuery& query) {
  if (query.status && record.status != *query.status) return false;
  if (query.type && record.type != *query.type) return false;
  if (query.before_ms && record.received_at_ms >= *query.before_ms) return false;
  return true;
}

bool ListsBefore(const EventRecord& a, const EventRecord& b) {
  if (a.received_at_ms != b.received_at_ms) return a.received_at_ms > b.received_at_ms;
  return a.id < b.id;
}

bool BillingFindsBefore(const BillingDocument& a, const BillingDocument& b) {
  if (a.updated_at_ms != b.updated_at_ms) return a.updated_at_ms > b.updated_at_ms;
  return a.customer_id < b.customer_id;
}

BillingDocument BillingDocumentOf(const BillingPutOp& op, std::int64_t version) {
  return BillingDocument{op.customer_id, op.user_id, op.record, version, op.updated_at_ms};
}

}  // namespace hookwise
