// Atomic ordering (docs/stores.md, "Atomic ordering") in both native backends,
// through the one spine: a claim with meta.order checks the object's marker
// and takes its slot in one step, the completion marks the object and frees
// the slot, a failure or the lease's end frees it, the marker only moves
// forward, and same-second events are ordered by rank. Each case runs on
// MemoryStore and on SqliteStore (with a manual clock for leases).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "src/core/memory_store.h"
#include "src/core/sqlite_store.h"
#include "src/core/store_rules.h"
#include "test/core/store_calls.h"

using hookwise::ClaimMeta;
using hookwise::ClaimStatus;
using hookwise::EventStatus;
using hookwise::ManualStoreClock;
using hookwise::OrderKey;
using hookwise::OrderMark;
using hookwise::StoreBackend;
using hookwise::test::StoreCalls;

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kStart = 1700000000000;
constexpr std::int64_t kCreated = 1700000000;

// One backend with a manual clock; SQLite in a temporary directory.
struct Backend {
  std::shared_ptr<ManualStoreClock> clock = std::make_shared<ManualStoreClock>(kStart);
  fs::path dir;
  std::unique_ptr<StoreBackend> store;

  explicit Backend(bool sqlite) {
    if (!sqlite) {
      store = std::make_unique<hookwise::MemoryStore>(
          hookwise::MemoryStore::Options{1000, 1000000000, clock});
      return;
    }
    std::string templ = (fs::temp_directory_path() / "hookwise-ordering-XXXXXX").string();
    dir = mkdtemp(templ.data());
    hookwise::SqliteStoreOptions options;
    options.path = (dir / "events.db").string();
    options.clock = clock;
    options.durability = hookwise::Durability::kNormal;
    store = std::make_unique<hookwise::SqliteStore>(options);
  }
  ~Backend() {
    store->Close();
    store.reset();
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

ClaimMeta Ordered(const std::string& object_id, std::int64_t created, std::int64_t rank = 0,
                  std::int64_t lease_ms = 1000) {
  ClaimMeta meta = hookwise::test::TestMeta(lease_ms, "customer.subscription.updated");
  meta.object_id = object_id;
  meta.created = created;
  meta.order = OrderKey{object_id, created, rank};
  return meta;
}

}  // namespace

TEST_CASE("atomic ordering: the rules", "[store_ordering]") {
  const OrderKey key{"sub_1", 100, 2};
  CHECK_FALSE(hookwise::MarkIsNewer(std::nullopt, key));
  CHECK(hookwise::MarkIsNewer(OrderMark{101, 0}, key));
  CHECK(hookwise::MarkIsNewer(OrderMark{100, 3}, key));
  CHECK_FALSE(hookwise::MarkIsNewer(OrderMark{100, 2}, key));  // equal is not newer
  CHECK_FALSE(hookwise::MarkIsNewer(OrderMark{99, 9}, key));
  CHECK(hookwise::RaiseMark(OrderMark{101, 0}, key).created == 101);
  CHECK(hookwise::RaiseMark(OrderMark{100, 1}, key).rank == 2);
  CHECK(hookwise::RaiseMark(std::nullopt, key).created == 100);
}

TEST_CASE("atomic ordering in both native stores", "[store_ordering]") {
  for (const bool sqlite : {false, true}) {
    DYNAMIC_SECTION((sqlite ? "SqliteStore" : "MemoryStore")) {
      Backend backend(sqlite);
      StoreCalls store(*backend.store);

      SECTION("newer first: the older is stale, recorded completed, then a duplicate") {
        auto newer = store.ClaimEvent("evt_new", Ordered("sub_1", kCreated + 200)).value;
        REQUIRE(newer.status == ClaimStatus::kAcquired);
        CHECK(store.LastApplied("sub_1").value == std::nullopt);
        CHECK(store.CompleteEvent("evt_new", newer.token).value);
        CHECK(store.LastApplied("sub_1").value == kCreated + 200);
        auto older = store.ClaimEvent("evt_old", Ordered("sub_1", kCreated + 100)).value;
        CHECK(older.status == ClaimStatus::kStale);
        CHECK(older.attempt == 1);
        CHECK(older.token.empty());
        auto record = store.GetEvent("evt_old").value;
        REQUIRE(record);
        CHECK(record->status == EventStatus::kCompleted);
        CHECK(store.ClaimEvent("evt_old", Ordered("sub_1", kCreated + 100)).value.status ==
              ClaimStatus::kDuplicate);
      }

      SECTION("older first: the newer is blocked until the older completes") {
        auto older = store.ClaimEvent("evt_old", Ordered("sub_1", kCreated + 100)).value;
        REQUIRE(older.status == ClaimStatus::kAcquired);
        auto blocked = store.ClaimEvent("evt_new", Ordered("sub_1", kCreated + 200)).value;
        CHECK(blocked.status == ClaimStatus::kBlocked);
        CHECK(blocked.attempt == 0);
        CHECK_FALSE(store.GetEvent("evt_new").value.has_value());  // nothing recorded
        CHECK(store.CompleteEvent("evt_old", older.token).value);
        auto newer = store.ClaimEvent("evt_new", Ordered("sub_1", kCreated + 200)).value;
        CHECK(newer.status == ClaimStatus::kAcquired);
      }

      SECTION("fail frees the slot; the lease's end frees it too") {
        auto a = store.ClaimEvent("evt_a", Ordered("sub_1", kCreated + 100)).value;
        CHECK(store.FailEvent("evt_a", a.token, "boom", 5).value.attempt == 1);
        auto b = store.ClaimEvent("evt_b", Ordered("sub_1", kCreated + 200)).value;
        REQUIRE(b.status == ClaimStatus::kAcquired);
        CHECK(store.ClaimEvent("evt_a", Ordered("sub_1", kCreated + 100)).value.status ==
              ClaimStatus::kBlocked);
        backend.clock->Advance(1001);  // b's lease (1000 ms) ends
        auto retry = store.ClaimEvent("evt_a", Ordered("sub_1", kCreated + 100)).value;
        CHECK(retry.status == ClaimStatus::kAcquired);
        CHECK(retry.attempt == 2);
        // b ran past its lease but nobody took b over: it completes, and marks.
        CHECK(store.CompleteEvent("evt_b", b.token).value);
        CHECK(store.CompleteEvent("evt_a", retry.token).value);
        CHECK(store.LastApplied("sub_1").value == kCreated + 200);  // only forward
      }

      SECTION("same second: rank breaks the tie; equal ranks both apply") {
        auto past_due = store.ClaimEvent("evt_pd", Ordered("sub_1", kCreated, 4)).value;
        CHECK(store.CompleteEvent("evt_pd", past_due.token).value);
        CHECK(store.ClaimEvent("evt_active", Ordered("sub_1", kCreated, 3)).value.status ==
              ClaimStatus::kStale);
        auto same = store.ClaimEvent("evt_same", Ordered("sub_1", kCreated, 4)).value;
        CHECK(same.status == ClaimStatus::kAcquired);
        CHECK(store.CompleteEvent("evt_same", same.token).value);
        auto canceled = store.ClaimEvent("evt_canceled", Ordered("sub_1", kCreated, 6)).value;
        CHECK(canceled.status == ClaimStatus::kAcquired);
      }

      SECTION("markApplied and ordered completions share one forward-only marker") {
        CHECK(store.MarkApplied("sub_1", kCreated + 200, "evt_x").ok());
        CHECK(store.ClaimEvent("evt_old", Ordered("sub_1", kCreated + 100)).value.status ==
              ClaimStatus::kStale);
        auto c = store.ClaimEvent("evt_c", Ordered("sub_1", kCreated + 300, 2)).value;
        CHECK(store.CompleteEvent("evt_c", c.token).value);
        CHECK(store.MarkApplied("sub_1", kCreated + 250, "evt_y").ok());
        CHECK(store.LastApplied("sub_1").value == kCreated + 300);
        CHECK(store.ClaimEvent("evt_low", Ordered("sub_1", kCreated + 300, 1)).value.status ==
              ClaimStatus::kStale);
      }

      SECTION("objects are independent; an unordered claim ignores slots") {
        CHECK(store.ClaimEvent("evt_1", Ordered("sub_1", kCreated)).value.status ==
              ClaimStatus::kAcquired);
        CHECK(store.ClaimEvent("evt_2", Ordered("sub_2", kCreated)).value.status ==
              ClaimStatus::kAcquired);
        ClaimMeta plain = hookwise::test::TestMeta();
        plain.object_id = "sub_1";
        CHECK(store.ClaimEvent("evt_3", plain).value.status == ClaimStatus::kAcquired);
      }

      SECTION("a negative rank or an empty order object id is an invalid argument") {
        ClaimMeta bad = Ordered("sub_1", kCreated, -1);
        CHECK(store.ClaimEvent("evt_1", bad).error.code ==
              hookwise::StoreErrorCode::kInvalidArgument);
        bad = Ordered("sub_1", kCreated);
        bad.order->object_id.clear();
        CHECK(store.ClaimEvent("evt_1", bad).error.code ==
              hookwise::StoreErrorCode::kInvalidArgument);
      }
    }
  }
}
