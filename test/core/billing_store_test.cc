// The billing-state operations (billingGet, billingFind, billingPut) of both
// native backends, through the same StoreOps the addon submits: compare-and-set
// on version, the user index moving with the document, billingFind's order,
// argument checks, and for SqliteStore the group-commit batch (two puts at one
// version in one transaction) and persistence across reopening.
#include <catch2/catch.hpp>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "src/core/memory_store.h"
#include "src/core/sqlite_store.h"
#include "test/core/store_calls.h"
#include "test/core/temp_dir.h"

using hookwise::BillingDocument;
using hookwise::BillingPutOp;
using hookwise::Durability;
using hookwise::MemoryStore;
using hookwise::SqliteStore;
using hookwise::SqliteStoreOptions;
using hookwise::StoreBackend;
using hookwise::StoreErrorCode;
using hookwise::StoreOpResult;
using hookwise::ToTypedResult;
using hookwise::test::StoreCalls;
using hookwise::test::TempDir;

namespace {

SqliteStoreOptions SqliteOptions(const std::string& path) {
  SqliteStoreOptions options;
  options.path = path;
  options.durability = Durability::kNormal;
  return options;
}

// The same checks on any backend.
void CheckBillingSemantics(StoreBackend& backend) {
  StoreCalls s(backend);
  CHECK_FALSE(s.BillingGet("cus_1").value.has_value());
  CHECK_FALSE(s.BillingFind("user_1").value.has_value());

  // First put at version 0; a second one at 0, or one at a version that is not stored, loses.
  CHECK(s.BillingPut("cus_1", "user_1", R"({"v":1,"n":1})", 100, 0).value == 1);
  CHECK_FALSE(s.BillingPut("cus_1", "user_1", R"({"v":1,"n":2})", 101, 0).value.has_value());
  CHECK_FALSE(s.BillingPut("cus_1", "user_1", R"({"v":1,"n":2})", 101, 2).value.has_value());
  CHECK_FALSE(s.BillingPut("cus_new", std::nullopt, "{}", 101, 1).value.has_value());
  auto doc = s.BillingGet("cus_1").value;
  REQUIRE(doc.has_value());
  CHECK(*doc == BillingDocument{"cus_1", "user_1", R"({"v":1,"n":1})", 1, 100});
  CHECK(s.BillingPut("cus_1", "user_1", R"({"v":1,"n":3})", 102, 1).value == 2);
  CHECK(s.BillingGet("cus_1").value->record == R"({"v":1,"n":3})");

  // billingFind: newest updatedAt, ties to the smallest customer id.
  CHECK(s.BillingPut("cus_3", "user_1", "{}", 102, 0).value == 1);
  CHECK(s.BillingFind("user_1").value->customer_id == "cus_1");
  CHECK(s.BillingPut("cus_0", "user_1", "{}", 90, 0).value == 1);
  CHECK(s.BillingFind("user_1").value->customer_id == "cus_1");
  CHECK(s.BillingPut("cus_3", "user_1", "{}", 200, 1).value == 2);
  CHECK(s.BillingFind("user_1").value->customer_id == "cus_3");

  // Relinking moves the customer out of the old user's index; a lost put moves nothing.
  CHECK(s.BillingPut("cus_3", "user_2", "{}", 201, 2).value == 3);
  CHECK(s.BillingFind("user_2").value->customer_id == "cus_3");
  CHECK(s.BillingFind("user_1").value->customer_id == "cus_1");
  CHECK_FALSE(s.BillingPut("cus_3", "user_9", "{}", 300, 1).value.has_value());
  CHECK_FALSE(s.BillingFind("user_9").value.has_value());
  CHECK(s.BillingPut("cus_3", std::nullopt, "{}", 202, 3).value == 4);
  CHECK_FALSE(s.BillingFind("user_2").value.has_value());
  CHECK_FALSE(s.BillingGet("cus_3").value->user_id.has_value());

  // Documents are state: purge and retention leave them.
  CHECK(s.Purge(0).ok());
  CHECK(s.BillingGet("cus_1").value->version == 2);

  // Invalid arguments fail only their own operation.
  CHECK(s.BillingGet("").error.code == StoreErrorCode::kInvalidArgument);
  CHECK(s.BillingFind(std::string(256, 'u')).error.code == StoreErrorCode::kInvalidArgument);
  CHECK(s.BillingPut("cus_1", "", "{}", 1, 2).error.code == StoreErrorCode::kInvalidArgument);
  CHECK(s.BillingPut("cus_1", std::nullopt, std::string(hookwise::kMaxBillingRecordBytes + 1, 'x'),
                     1, 2)
            .error.code == StoreErrorCode::kInvalidArgument);
  CHECK(s.BillingPut("cus_1", std::nullopt, "{}", 1, -1).error.code ==
        StoreErrorCode::kInvalidArgument);
  CHECK(s.BillingGet("cus_1").value->version == 2);
}

}  // namespace

TEST_CASE("MemoryStore: billing documents with compare-and-set and a user index", "[billing]") {
  MemoryStore store(MemoryStore::Options{});
  CheckBillingSemantics(store);
}

TEST_CASE("SqliteStore: billing documents with compare-and-set and a user index", "[billing]") {
  TempDir dir;
  SqliteStore store(SqliteOptions(dir.File("events.db")));
  CheckBillingSemantics(store);
}

TEST_CASE("SqliteStore: two puts at one version in one batch: the first wins, both committed",
          "[billing]") {
  TempDir dir;
  const std::string path = dir.File("events.db");
  {
    SqliteStore store(SqliteOptions(path));
    std::vector<std::future<StoreOpResult>> results;
    for (int i = 0; i < 2; ++i) {
      auto promise = std::make_shared<std::promise<StoreOpResult>>();
      results.push_back(promise->get_future());
      store.Submit(BillingPutOp{"cus_1", "user_1", "{\"i\":" + std::to_string(i) + "}", 100, 0},
                   [promise](StoreOpResult&& r) { promise->set_value(std::move(r)); });
    }
    auto first = ToTypedResult<BillingPutOp>(results[0].get());
    auto second = ToTypedResult<BillingPutOp>(results[1].get());
    CHECK(first.value == 1);
    CHECK_FALSE(second.value.has_value());
  }
  // Reopened: the winner is on disk, with its user index.
  SqliteStore reopened(SqliteOptions(path));
  StoreCalls s(reopened);
  CHECK(s.BillingGet("cus_1").value->record == "{\"i\":0}");
  CHECK(s.BillingFind("user_1").value->version == 1);
}
