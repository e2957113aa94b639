// The operations of the Store interface (API.md §5) as values: one struct per
// operation, owning everything it needs (so that it can cross to a writer
// thread and wait in a queue), and one variant of them, StoreOp.
//
// This is the spine of the native stores: every backend executes a StoreOp
// (src/core/store_backend.h), and the addon decodes a JS call into one and
// converts its result back in one place each (src/addon/store_conversion.h).
// Adding an operation means adding a struct here; the compiler then points at
// every backend and conversion that does not handle it yet.
//
// Each operation names its result type (`Result`). StoreValue holds the result
// of whichever operation ran, at the same index as that operation in StoreOp
// (two operations may share a result type: complete and requeue are bool).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "src/core/store_types.h"

namespace hookwise {

// claim(eventId, meta)
struct ClaimOp {
  using Result = Claim;
  std::string id;
  ClaimMeta meta;
};

// complete(eventId, token): false when the token no longer holds the event.
struct CompleteOp {
  using Result = bool;
  std::string id;
  std::string token;
};

// fail(eventId, token, error, maxAttempts)
struct FailOp {
  using Result = FailOutcome;
  std::string id;
  std::string token;
  std::string error;
  std::int64_t max_attempts = 1;
};

// lastApplied(objectId): the newest `created` marked for the object, if any.
struct LastAppliedOp {
  using Result = std::optional<std::int64_t>;
  std::string object_id;
};

// markApplied(objectId, created, eventId)
struct MarkAppliedOp {
  using Result = std::monostate;
  std::string object_id;
  std::int64_t created = 0;
  std::string event_id;
};

// get(eventId)
struct GetOp {
  using Result = std::optional<EventRecord>;
  std::string id;
};

// list(query)
struct ListOp {
  using Result = std::vector<EventRecord>;
  ListQuery query;
};

// requeue(eventId): false unless the event was failed or dead-lettered.
struct RequeueOp {
  using Result = bool;
  std::string id;
};

// purge(olderThanMs): how many event records were deleted.
struct PurgeOp {
  using Result = std::int64_t;
  std::int64_t older_than_ms = 0;
};

// billingGet(customerId)
struct BillingGetOp {
  using Result = std::optional<BillingDocument>;
  std::string customer_id;
};

// billingFind({ userId }): the newest (updatedAt, then smallest customerId)
// document linked to the user.
struct BillingFindOp {
  using Result = std::optional<BillingDocument>;
  std::string user_id;
};

// billingPut(customerId, { record, userId, updatedAt }, expectedVersion): the
// new version (expected_version + 1), or nullopt when the stored version is not
// expected_version (0: no document yet) and nothing was written.
struct BillingPutOp {
  using Result = std::optional<std::int64_t>;
  std::string customer_id;
  std::optional<std::string> user_id;
  std::string record;
  std::int64_t updated_at_ms = 0;
  std::int64_t expected_version = 0;
};

namespace store_ops_internal {

// One list of operations gives both variants, so their indices cannot drift.
template <typename... Ops>
struct OpSet {
  using Op = std::variant<Ops...>;
  using Value = std::variant<typename Ops::Result...>;

  template <typename T>
  static constexpr std::size_t IndexOf() {
    static_assert((std::is_same_v<T, Ops> || ...), "not a store operation");
    constexpr bool kIsT[] = {std::is_same_v<T, Ops>...};
    std::size_t index = 0;
    while (!kIsT[index]) ++index;
    return index;
  }
};

using Set = OpSet<ClaimOp, CompleteOp, FailOp, LastAppliedOp, MarkAppliedOp, GetOp, ListOp,
                  RequeueOp, PurgeOp, BillingGetOp, BillingFindOp, BillingPutOp>;

}  // namespace store_ops_internal

using StoreOp = store_ops_internal::Set::Op;
using StoreValue = store_ops_internal::Set::Value;

template <typename Op>
inline constexpr std::size_t kStoreOpIndex = store_ops_internal::Set::IndexOf<Op>();

// What executing a StoreOp gives: an error, or the value of the operation's
// Result type at the operation's index.
struct StoreOpResult {
  StoreError error;
  StoreValue value;

  bool ok() const { return error.ok(); }
};

// A backend's typed answer to `Op`, as a StoreOpResult.
template <typename Op>
StoreOpResult ToStoreOpResult(StoreResult<typename Op::Result> result) {
  return StoreOpResult{std::move(result.error),
                       StoreValue(std::in_place_index<kStoreOpIndex<Op>>, std::move(result.value))};
}

inline StoreOpResult FailedStoreOp(StoreError error) {
  return StoreOpResult{std::move(error), StoreValue{}};
}

// Back from a StoreOpResult to `Op`'s typed result.
template <typename Op>
StoreResult<typename Op::Result> ToTypedResult(StoreOpResult result) {
  using R = StoreResult<typename Op::Result>;
  if (!result.ok()) return R::Err(std::move(result.error));
  if (result.value.index() != kStoreOpIndex<Op>) {
    return R::Err(StoreErrorCode::kInternal, "a store answered another operation");
  }
  return R::Ok(std::get<kStoreOpIndex<Op>>(std::move(result.value)));
}

// Reads only (get, list, lastApplied, billingGet, billingFind): a batch of
// them needs no write lock.
inline bool IsReadOnly(const StoreOp& op) {
  return std::holds_alternative<GetOp>(op) || std::holds_alternative<ListOp>(op) ||
         std::holds_alternative<LastAppliedOp>(op) || std::holds_alternative<BillingGetOp>(op) ||
         std::holds_alternative<BillingFindOp>(op);
}

}  // namespace hookwise
