#include "src/core/memory_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "test/core/store_calls.h"

using hookwise::ClaimMeta;
using hookwise::ClaimStatus;
using hookwise::EventStatus;
using hookwise::ListQuery;
using hookwise::ManualStoreClock;
using hookwise::MemoryStore;
using hookwise::StoreErrorCode;
using hookwise::test::StoreCalls;

namespace {

constexpr std::int64_t kStart = 1700000000000;

struct Fixture {
  std::shared_ptr<ManualStoreClock> clock = std::make_shared<ManualStoreClock>(kStart);
  MemoryStore memory;
  StoreCalls store{memory};
  explicit Fixture(std::size_t max_entries = 1000, std::int64_t retention_ms = 1000000)
      : memory(MemoryStore::Options{max_entries, retention_ms, clock}) {}
};

ClaimMeta Meta(std::int64_t lease_ms = 1000, std::string type = "invoice.paid") {
  return hookwise::test::TestMeta(lease_ms, std::move(type));
}

}  // namespace

TEST_CASE("MemoryStore: claim, duplicate, in progress", "[memory_store]") {
  Fixture f;
  auto first = f.store.ClaimEvent("evt_1", Meta());
  REQUIRE(first.ok());
  CHECK(first.value.status == ClaimStatus::kAcquired);
  CHECK(first.value.attempt == 1);
  CHECK(first.value.token.size() == 32);

  auto second = f.store.ClaimEvent("evt_1", Meta());
  CHECK(second.value.status == ClaimStatus::kInProgress);
  CHECK(second.value.token.empty());

  REQUIRE(f.store.CompleteEvent("evt_1", first.value.token).value);
  CHECK(f.store.ClaimEvent("evt_1", Meta()).value.status == ClaimStatus::kDuplicate);
  // Completing twice, or with a wrong token, is refused.
  CHECK_FALSE(f.store.CompleteEvent("evt_1", first.value.token).value);
  CHECK_FALSE(f.store.CompleteEvent("evt_unknown", first.value.token).value);

  auto record = f.store.GetEvent("evt_1").value;
  REQUIRE(record);
  CHECK(record->status == EventStatus::kCompleted);
  CHECK(record->attempts == 1);
  CHECK(record->type == "invoice.paid");
  CHECK(record->object_id == std::optional<std::string>("in_1"));
  CHECK(record->received_at_ms == kStart);
}

TEST_CASE("MemoryStore: an expired lease is taken over and fences the old token",
          "[memory_store]") {
  Fixture f;
  auto first = f.store.ClaimEvent("evt_1", Meta(1000)).value;
  f.clock->Advance(999);
  CHECK(f.store.ClaimEvent("evt_1", Meta(1000)).value.status == ClaimStatus::kInProgress);
  f.clock->Advance(1);
  auto second = f.store.ClaimEvent("evt_1", Meta(1000)).value;
  CHECK(second.status == ClaimStatus::kAcquired);
  CHECK(second.attempt == 2);
  CHECK(second.token != first.token);

  CHECK_FALSE(f.store.CompleteEvent("evt_1", first.token).value);
  auto stale = f.store.FailEvent("evt_1", first.token, "boom", 5).value;
  CHECK(stale.stale);
  CHECK_FALSE(stale.dead_lettered);
  CHECK(stale.attempt == 2);
  CHECK(f.store.GetEvent("evt_1").value->status == EventStatus::kProcessing);
  CHECK_FALSE(f.store.GetEvent("evt_1").value->last_error);
  CHECK(f.store.CompleteEvent("evt_1", second.token).value);
}

TEST_CASE("MemoryStore: a lapsed lease still completes while nobody took it over",
          "[memory_store]") {
  Fixture f;
  auto claim = f.store.ClaimEvent("evt_1", Meta(10)).value;
  f.clock->Advance(50);
  CHECK(f.store.CompleteEvent("evt_1", claim.token).value);
}

TEST_CASE("MemoryStore: fail counts attempts and dead-letters at maxAttempts", "[memory_store]") {
  Fixture f;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto claim = f.store.ClaimEvent("evt_1", Meta()).value;
    REQUIRE(claim.status == ClaimStatus::kAcquired);
    CHECK(claim.attempt == attempt);
    auto outcome = f.store.FailEvent("evt_1", claim.token, "handler threw", 3).value;
    CHECK_FALSE(outcome.stale);
    CHECK(outcome.attempt == attempt);
    CHECK(outcome.dead_lettered == (attempt == 3));
  }
  auto record = f.store.GetEvent("evt_1").value;
  CHECK(record->status == EventStatus::kDeadLettered);
  CHECK(record->last_error == std::optional<std::string>("handler threw"));
  auto claim = f.store.ClaimEvent("evt_1", Meta()).value;
  CHECK(claim.status == ClaimStatus::kDeadLettered);
  CHECK(claim.attempt == 3);

  REQUIRE(f.store.RequeueEvent("evt_1").value);
  auto again = f.store.ClaimEvent("evt_1", Meta()).value;
  CHECK(again.status == ClaimStatus::kAcquired);
  CHECK(again.attempt == 1);
  CHECK_FALSE(f.store.RequeueEvent("evt_1").value);  // processing
  REQUIRE(f.store.CompleteEvent("evt_1", again.token).value);
  CHECK_FALSE(f.store.RequeueEvent("evt_1").value);  // completed
  CHECK_FALSE(f.store.RequeueEvent("evt_unknown").value);
  CHECK(f.store.FailEvent("evt_unknown", "x", "e", 3).value.stale);
}

TEST_CASE("MemoryStore: lastApplied keeps the newest created per object", "[memory_store]") {
  Fixture f;
  CHECK_FALSE(f.store.LastApplied("sub_1").value);
  f.store.MarkApplied("sub_1", 200, "evt_b");
  f.store.MarkApplied("sub_1", 100, "evt_a");
  CHECK(f.store.LastApplied("sub_1").value == std::optional<std::int64_t>(200));
  f.store.MarkApplied("sub_1", 300, "evt_c");
  CHECK(f.store.LastApplied("sub_1").value == std::optional<std::int64_t>(300));
  CHECK_FALSE(f.store.LastApplied("sub_2").value);
}

TEST_CASE("MemoryStore: list filters, orders and pages", "[memory_store]") {
  Fixture f;
  for (const char* id : {"evt_c", "evt_a", "evt_b"}) f.store.ClaimEvent(id, Meta());
  f.clock->Advance(10);
  auto d = f.store.ClaimEvent("evt_d", Meta(1000, "customer.created")).value;
  f.store.CompleteEvent("evt_d", d.token);

  auto all = f.store.ListEvents(ListQuery{}).value;
  REQUIRE(all.size() == 4);
  CHECK(all[0].id == "evt_d");
  CHECK(all[1].id == "evt_a");
  CHECK(all[2].id == "evt_b");
  CHECK(all[3].id == "evt_c");

  ListQuery completed;
  completed.status = EventStatus::kCompleted;
  auto done = f.store.ListEvents(completed).value;
  REQUIRE(done.size() == 1);
  CHECK(done[0].id == "evt_d");

  ListQuery typed;
  typed.type = "invoice.paid";
  typed.limit = 2;
  auto page = f.store.ListEvents(typed).value;
  REQUIRE(page.size() == 2);
  CHECK(page[0].id == "evt_a");

  ListQuery older;
  older.before_ms = all[0].received_at_ms;
  CHECK(f.store.ListEvents(older).value.size() == 3);
}

TEST_CASE("MemoryStore: purge and retention skip events in progress", "[memory_store]") {
  Fixture f(1000, 5000);
  auto a = f.store.ClaimEvent("evt_a", Meta(100000)).value;
  auto b = f.store.ClaimEvent("evt_b", Meta(100000)).value;
  f.store.CompleteEvent("evt_b", b.token);
  f.clock->Advance(1000);
  CHECK(f.store.Purge(500).value == 1);
  CHECK(f.store.GetEvent("evt_a").value);
  CHECK_FALSE(f.store.GetEvent("evt_b").value);

  f.store.FailEvent("evt_a", a.token, "x", 5);
  f.clock->Advance(6000);  // past retention: the next operation that sweeps drops it
  f.store.ClaimEvent("evt_new", Meta());
  CHECK_FALSE(f.store.GetEvent("evt_a").value);
  CHECK(f.store.GetEvent("evt_new").value);
}

TEST_CASE("MemoryStore: maxEntries evicts completed records oldest first, never in progress",
          "[memory_store]") {
  Fixture f(3);
  for (const char* id : {"evt_1", "evt_2"}) {
    auto claim = f.store.ClaimEvent(id, Meta()).value;
    f.clock->Advance(1);
    f.store.CompleteEvent(id, claim.token);
  }
  f.store.ClaimEvent("evt_3", Meta());
  f.store.ClaimEvent("evt_4", Meta());  // over the limit: evt_1 (oldest completed) goes
  CHECK(f.memory.Size() == 3);
  CHECK_FALSE(f.store.GetEvent("evt_1").value);
  CHECK(f.store.GetEvent("evt_2").value);
  f.store.ClaimEvent("evt_5", Meta());
  f.store.ClaimEvent("evt_6", Meta());  // nothing completed left: grows past the limit
  CHECK(f.memory.Size() == 4);
  for (const char* id : {"evt_3", "evt_4", "evt_5", "evt_6"}) {
    CHECK(f.store.GetEvent(id).value->status == EventStatus::kProcessing);
  }
}

TEST_CASE("MemoryStore: bad ids are rejected with a clear error", "[memory_store]") {
  Fixture f;
  auto empty = f.store.ClaimEvent("", Meta());
  CHECK(empty.error.code == StoreErrorCode::kInvalidArgument);
  CHECK(empty.error.message == "event id must not be empty");
  auto long_id = f.store.ClaimEvent(std::string(256, 'e'), Meta());
  CHECK(long_id.error.code == StoreErrorCode::kInvalidArgument);
  CHECK(f.store.ClaimEvent(std::string(255, 'e'), Meta()).ok());
  CHECK(f.store.ClaimEvent("evt_x", Meta(0)).error.code == StoreErrorCode::kInvalidArgument);
  CHECK(f.memory.Size() == 1);
}

TEST_CASE("MemoryStore: many threads claiming the same ids acquire each once",
          "[memory_store][threads]") {
  Fixture f(1000000);
  constexpr int kThreads = 8;
  constexpr int kIds = 2000;
  std::atomic<int> acquired{0};
  std::vector<std::atomic<int>> per_id(kIds);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIds; ++i) {
        const int n = (i + t * 97) % kIds;  // different orders, same ids
        const std::string id = "evt_" + std::to_string(n);
        auto claim = f.store.ClaimEvent(id, Meta(1000000)).value;
        if (claim.status == ClaimStatus::kAcquired) {
          acquired.fetch_add(1);
          per_id[n].fetch_add(1);
          if (n % 2 == 0) f.store.CompleteEvent(id, claim.token);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(acquired.load() == kIds);
  for (int i = 0; i < kIds; ++i) REQUIRE(per_id[i].load() == 1);
}

TEST_CASE("MemoryStore: named stores are shared, unnamed ones are private", "[memory_store]") {
  auto a = hookwise::OpenNamedMemoryStore("test-shared", {});
  auto b = hookwise::OpenNamedMemoryStore("test-shared", {});
  auto other = hookwise::OpenNamedMemoryStore("test-other", {});
  CHECK(a.get() == b.get());
  CHECK(a.get() != other.get());
  auto claim = StoreCalls(*a).ClaimEvent("evt_1", Meta()).value;
  CHECK(StoreCalls(*b).ClaimEvent("evt_1", Meta()).value.status == ClaimStatus::kInProgress);
  CHECK(StoreCalls(*other).ClaimEvent("evt_1", Meta()).value.status == ClaimStatus::kAcquired);
  CHECK(StoreCalls(*b).CompleteEvent("evt_1", claim.token).value);
}

TEST_CASE("MemoryStore: reports inline, and refuses operations once closed", "[memory_store]") {
  Fixture f;
  CHECK(f.memory.ReportsInline());
  bool reported = false;
  f.memory.Submit(hookwise::GetOp{"evt_1"}, [&](hookwise::StoreOpResult&& r) {
    reported = true;
    CHECK(r.ok());
  });
  CHECK(reported);  // before Submit returned
  f.memory.Close();
  CHECK(f.store.GetEvent("evt_1").error.code == StoreErrorCode::kClosed);
}

// Regressions from the store fuzzer (fuzz/store_ops_fuzzer.cc): time sums with
// values at the int64 limits overflowed (undefined behaviour).
TEST_CASE("MemoryStore: int64-limit leases and purge ages saturate", "[memory_store][fuzz]") {
  Fixture f;
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  const std::int64_t min = std::numeric_limits<std::int64_t>::min();
  auto claim = f.store.ClaimEvent("evt_forever", Meta(max)).value;
  CHECK(claim.status == ClaimStatus::kAcquired);
  CHECK(f.store.GetEvent("evt_forever").value->lease_expires_at_ms == max);
  f.clock->Advance(1000000000);
  CHECK(f.store.ClaimEvent("evt_forever", Meta()).value.status == ClaimStatus::kInProgress);
  f.store.CompleteEvent("evt_forever", claim.token);
  CHECK(f.store.Purge(max).value == 0);  // nothing is that old
  CHECK(f.store.Purge(min).value == 1);  // a cutoff past every record
}

TEST_CASE("MemoryStore: an older markApplied renews the marker's age", "[memory_store][fuzz]") {
  Fixture f;
  f.store.MarkApplied("sub_1", 200, "evt_b");
  f.clock->Advance(1000);
  f.store.MarkApplied("sub_1", 100, "evt_a");
  f.store.Purge(500);
  CHECK(f.store.LastApplied("sub_1").value == std::optional<std::int64_t>(200));
}
