// The values the idempotency stores exchange with their callers (API.md §5),
// as plain C++ types shared by every backend.
//
// Errors are values: every store operation returns a StoreResult, whose error
// code the addon maps to a JS error code. Messages never contain payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookwise {

enum class EventStatus : int {
  kProcessing = 0,
  kCompleted = 1,
  kFailed = 2,
  kDeadLettered = 3,
};

std::string_view EventStatusName(EventStatus status);
std::optional<EventStatus> ParseEventStatus(std::string_view name);

// Atomic ordering (docs/stores.md): the object a claim orders on and the
// (created, rank) its completion marks. Events of one object apply in
// (created, rank) order: rank is the lifecycle rank of the object's status
// (lib/lifecycle-rank.js), the tie-break within one `created` second.
struct OrderKey {
  std::string object_id;
  std::int64_t created = 0;
  std::int64_t rank = 0;

  friend bool operator==(const OrderKey&, const OrderKey&) = default;
};

// An object's marker: the newest (created, rank) applied to it.
struct OrderMark {
  std::int64_t created = 0;
  std::int64_t rank = 0;
};

// An object's ordering slot: the event whose lease holds it, until when.
struct OrderSlot {
  std::string event_id;
  std::int64_t expires_at_ms = 0;
};

// One event's bookkeeping. `token` and `lease_expires_at_ms` are internal (the
// fencing token of the current holder and the end of its lease); they are
// never shown to users.
struct EventRecord {
  std::string id;
  std::string type;
  std::int64_t created = 0;
  std::optional<std::string> object_id;
  EventStatus status = EventStatus::kProcessing;
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;
  std::int64_t received_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::optional<std::string> payload;  // raw body bytes, only where the store keeps payloads
  std::string token;                   // empty when no one holds the event
  std::int64_t lease_expires_at_ms = 0;
  std::optional<OrderKey> order;  // the claim's meta.order: its completion marks it

  friend bool operator==(const EventRecord&, const EventRecord&) = default;
};

struct ClaimMeta {
  std::string type;
  std::int64_t created = 0;
  std::optional<std::string> object_id;
  std::int64_t lease_ms = 60000;
  std::optional<std::string> payload;
  std::optional<OrderKey> order;  // atomic ordering: take this object's slot
};

enum class ClaimStatus : int {
  kAcquired = 0,
  kDuplicate = 1,
  kInProgress = 2,
  kDeadLettered = 3,
  kStale = 4,    // ordered: the object has a newer marker; recorded completed
  kBlocked = 5,  // ordered: another event's lease holds the object's slot
};

std::string_view ClaimStatusName(ClaimStatus status);

struct Claim {
  ClaimStatus status = ClaimStatus::kAcquired;
  std::string token;  // only for kAcquired
  std::int64_t attempt = 0;
};

struct FailOutcome {
  bool dead_lettered = false;
  std::int64_t attempt = 0;
  bool stale = false;  // the token did not hold the event: nothing changed
};

// One customer's billing state (the billing-state capability, docs/stores.md):
// the projection's record as JSON text, the user it is linked to, and the
// version compare-and-set writes check. Never purged: it is state, not
// bookkeeping.
struct BillingDocument {
  std::string customer_id;
  std::optional<std::string> user_id;
  std::string record;  // JSON text (lib/billing/projection.js's BillingRecord)
  std::int64_t version = 0;
  std::int64_t updated_at_ms = 0;

  friend bool operator==(const BillingDocument&, const BillingDocument&) = default;
};

struct ListQuery {
  std::optional<EventStatus> status;
  std::optional<std::string> type;
  std::optional<std::int64_t> before_ms;  // exclusive receivedAt cursor
  std::size_t limit = 100;
};

enum class StoreErrorCode : int {
  kNone = 0,
  kInvalidArgument = 1,  // an id, type or option the store cannot hold
  kClosed = 2,           // the store was closed before the operation ran
  kCannotOpen = 3,       // missing directory, permissions, not a file
  kReadOnly = 4,         // the database or its directory cannot be written
  kNotADatabase = 5,     // the file is not SQLite (or is encrypted/corrupt at the header)
  kForeignDatabase = 6,  // a SQLite database that hookwise did not create
  kCorrupt = 7,          // SQLite reports corruption inside the file
  kDiskFull = 8,         // no space left (or the file size limit was hit)
  kBusy = 9,             // another process held the write lock past the busy timeout
  kIo = 10,              // any other I/O error from the OS
  kSchemaTooNew = 11,    // written by a newer hookwise
  kInternal = 12,
};

std::string_view StoreErrorCodeName(StoreErrorCode code);

struct StoreError {
  StoreErrorCode code = StoreErrorCode::kNone;
  std::string message;

  bool ok() const { return code == StoreErrorCode::kNone; }
};

template <typename T>
struct StoreResult {
  StoreError error;
  T value{};

  bool ok() const { return error.ok(); }
  static StoreResult Ok(T v) { return StoreResult{StoreError{}, std::move(v)}; }
  static StoreResult Err(StoreErrorCode code, std::string message) {
    return StoreResult{StoreError{code, std::move(message)}, T{}};
  }
  static StoreResult Err(StoreError error) { return StoreResult{std::move(error), T{}}; }
};

// Limits on what a store accepts, checked by every backend (and by the JS
// layer first). 255 bytes is far above Stripe's ids (`evt_` + 24 characters)
// and object ids, and keeps keys small in every backend, Redis and Postgres
// included.
inline constexpr std::size_t kMaxEventIdBytes = 255;
inline constexpr std::size_t kMaxEventTypeBytes = 255;
inline constexpr std::size_t kMaxObjectIdBytes = 255;
// A handler's error message is kept for diagnosis, cut to this many bytes
// (on a UTF-8 boundary) so one huge message cannot bloat the store.
inline constexpr std::size_t kMaxLastErrorBytes = 2048;
// A billing record is 1-3 KB; the bound keeps one runaway document small
// (lib/stores/billing-args.js has the same number).
inline constexpr std::size_t kMaxBillingRecordBytes = 1024 * 1024;
inline constexpr std::int64_t kDefaultRetentionMs = 30LL * 24 * 60 * 60 * 1000;
inline constexpr std::size_t kDefaultListLimit = 100;

}  // namespace hookwise
