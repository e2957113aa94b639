// The idempotency semantics (API.md §5), written once and applied by every
// native backend to the record it holds: MemoryStore under its lock,
// SqliteStore inside its write transaction. Each function reads and updates
// one record in place; the backend only loads and saves it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/core/store_ops.h"
#include "src/core/store_types.h"

namespace hookwise {

// Checks what every operation receives; an empty error when acceptable.
StoreError CheckEventId(std::string_view id);
StoreError CheckObjectId(std::string_view object_id);
StoreError CheckClaimMeta(const ClaimMeta& meta);  // meta.order too
// Every id and field `op` carries, as the checks above; backends run it before
// touching any record, so an invalid argument fails only its own operation.
StoreError CheckStoreOp(const StoreOp& op);

// A new fencing token: 128 random bits as 32 lowercase hex characters, so a
// token cannot be guessed or reused by another holder, in any process.
std::string NewFencingToken();

// `record` is nullopt for an unknown event; on kAcquired it holds the record
// to save (new or taken over). `keep_payload` says whether meta.payload is kept.
Claim ApplyClaim(std::optional<EventRecord>& record, std::string_view id, const ClaimMeta& meta,
                 std::int64_t now_ms, bool keep_payload);

// Atomic ordering: ApplyClaim with meta.order, against the object's marker
// and slot, in the same step. Without meta.order it is ApplyClaim. A record
// that cannot be claimed answers as in ApplyClaim; then a marker newer than
// the order makes the event kStale (the record, new or not, becomes completed
// with one more attempt; `mark` is unchanged); a slot held by another event's
// unexpired lease makes it kBlocked (nothing changes); otherwise the claim
// takes the slot (`slot` is set) and acquires, the record keeping the order.
Claim ApplyOrderedClaim(std::optional<EventRecord>& record, const std::optional<OrderMark>& mark,
                        std::optional<OrderSlot>& slot, std::string_view id, const ClaimMeta& meta,
                        std::int64_t now_ms, bool keep_payload);

// True when `mark` is strictly newer than `key`: a greater created, or the
// same created and a greater rank. An equal key is not newer.
bool MarkIsNewer(const std::optional<OrderMark>& mark, const OrderKey& key);

// The marker after applying `key`: only ever moves forward.
OrderMark RaiseMark(const std::optional<OrderMark>& mark, const OrderKey& key);

// True when `slot` is held by event `id` (a completion or failure of it frees it).
bool SlotHeldBy(const std::optional<OrderSlot>& slot, std::string_view id);

// True when `token` holds the event (status processing, same token): the
// record becomes completed. A token whose lease ran out still completes as
// long as no other claim has taken the event over, because its handler did
// run to completion and nobody else has started it.
bool ApplyComplete(EventRecord& record, std::string_view token, std::int64_t now_ms);

// A stale token (not the holder) changes nothing: {stale: true} with the
// record's attempt count. Otherwise the attempt is recorded as failed, and
// dead-lettered once attempts reach max_attempts.
FailOutcome ApplyFail(EventRecord& record, std::string_view token, std::string_view error,
                      std::int64_t max_attempts, std::int64_t now_ms);

// The outcome of fail() for an event the store does not know.
FailOutcome UnknownEventFail();

// A failed or dead-lettered event becomes claimable again, attempts reset to 0
// (the next claim is attempt 1). False for any other status.
bool ApplyRequeue(EventRecord& record, std::int64_t now_ms);

// purge() and retention delete records that are not in progress and were last
// updated before `cutoff_ms`.
bool IsPurgeable(const EventRecord& record, std::int64_t cutoff_ms);

// list(): the record passes the query's filters.
bool MatchesQuery(const EventRecord& record, const ListQuery& query);

// list() order: newest receivedAt first, ties by id ascending.
bool ListsBefore(const EventRecord& a, const EventRecord& b);

// billingFind() answers the document that finds before the others: newest
// updatedAt first, ties by customer id ascending.
bool BillingFindsBefore(const BillingDocument& a, const BillingDocument& b);

// A BillingPutOp's document at `version`.
BillingDocument BillingDocumentOf(const BillingPutOp& op, std::int64_t version);

}  // namespace hookwise
