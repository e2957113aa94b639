// The Store operations as calls on any StoreBackend, for the Catch2 suites.
// Each call submits one StoreOp and waits for its typed result, which is how
// the addon drives both native stores (src/core/store_backend.h): the suites
// test the stores through the same spine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/core/store_backend.h"
#include "src/core/store_ops.h"

namespace hookwise::test {

class StoreCalls {
 public:
  explicit StoreCalls(StoreBackend& store) : store_(store) {}

  StoreResult<Claim> ClaimEvent(std::string id, ClaimMeta meta) {
    return RunStoreOp(store_, ClaimOp{std::move(id), std::move(meta)});
  }
  StoreResult<bool> CompleteEvent(std::string id, std::string token) {
    return RunStoreOp(store_, CompleteOp{std::move(id), std::move(token)});
  }
  StoreResult<FailOutcome> FailEvent(std::string id, std::string token, std::string error,
                                     std::int64_t max_attempts) {
    return RunStoreOp(store_,
                      FailOp{std::move(id), std::move(token), std::move(error), max_attempts});
  }
  StoreResult<std::optional<std::int64_t>> LastApplied(std::string object_id) {
    return RunStoreOp(store_, LastAppliedOp{std::move(object_id)});
  }
  StoreResult<std::monostate> MarkApplied(std::string object_id, std::int64_t created,
                                          std::string event_id) {
    return RunStoreOp(store_, MarkAppliedOp{std::move(object_id), created, std::move(event_id)});
  }
  StoreResult<std::optional<EventRecord>> GetEvent(std::string id) {
    return RunStoreOp(store_, GetOp{std::move(id)});
  }
  StoreResult<std::vector<EventRecord>> ListEvents(ListQuery query) {
    return RunStoreOp(store_, ListOp{std::move(query)});
  }
  StoreResult<bool> RequeueEvent(std::string id) {
    return RunStoreOp(store_, RequeueOp{std::move(id)});
  }
  StoreResult<std::int64_t> Purge(std::int64_t older_than_ms) {
    return RunStoreOp(store_, PurgeOp{older_than_ms});
  }
  StoreResult<std::optional<BillingDocument>> BillingGet(std::string customer_id) {
    return RunStoreOp(store_, BillingGetOp{std::move(customer_id)});
  }
  StoreResult<std::optional<BillingDocument>> BillingFind(std::string user_id) {
    return RunStoreOp(store_, BillingFindOp{std::move(user_id)});
  }
  StoreResult<std::optional<std::int64_t>> BillingPut(std::string customer_id,
                                                      std::optional<std::string> user_id,
                                                      std::string record, std::int64_t updated_at,
                                                      std::int64_t expected_version) {
    return RunStoreOp(store_, BillingPutOp{std::move(customer_id), std::move(user_id),
                                           std::move(record), updated_at, expected_version});
  }

 private:
  StoreBackend& store_;
};

// The claim meta most tests use.
inline ClaimMeta TestMeta(std::int64_t lease_ms = 1000, std::string type = "invoice.paid") {
  ClaimMeta meta;
  meta.type = std::move(type);
  meta.created = 1700000000;
  meta.object_id = "in_1";
  meta.lease_ms = lease_ms;
  return meta;
}

}  // namespace hookwise::test
