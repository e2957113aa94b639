// Model-based fuzzing of the idempotency stores: the input is decoded into a
// sequence of Store operations (claims, completions, failures, requeues,
// reads, lists, purges, ordering markers, clock moves, batches), run against
// a MemoryStore and a SqliteStore, and every answer — and, at the end, the
// whole state — must equal what the reference model (store_model.h) says.
//
// Inputs reach the edges the JS layer normally keeps away (empty and
// over-long keys, keys with NUL or non-UTF-8 bytes, int64 extremes for
// leases, timestamps and purge ages) because the core must stay defined and
// correct for every value it accepts.
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "fuzz/store_model.h"
#include "src/core/memory_store.h"
#include "src/core/sqlite_store.h"

namespace hookwise::fuzz {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kStartMs = 1700000000000;
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();

[[noreturn]] void Mismatch(const char* backend, std::size_t step, const char* what) {
  std::fprintf(stderr, "store model mismatch: %s, operation %zu: %s\n", backend, step, what);
  std::abort();
}

#define EXPECT(cond)                               \
  do {                                             \
    if (!(cond)) Mismatch(backend_, step_, #cond); \
  } while (0)

// Keys chosen from small pools so operations keep meeting the same records,
// with the awkward values among them.
std::string PickEventId(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 11)) {
    case 0:
    case 1:
    case 2:
      return "evt_a";
    case 3:
    case 4:
      return "evt_b";
    case 5:
      return "evt_c";
    case 6:
      return "evt_d";
    case 7:
      return std::string("evt_\0nul", 8);  // embedded NUL: a JS string may hold one
    case 8:
      return "\xff\xfe";  // not UTF-8: the core treats ids as bytes
    case 9:
      return std::string(255, 'y');  // the longest accepted
    case 10:
      return std::string(256, 'x');  // one byte too long
    default:
      return "";
  }
}

std::string PickType(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
    case 1:
      return "invoice.paid";
    case 2:
      return "customer.subscription.updated";
    case 3:
      return "";
    default:
      return std::string(256, 't');
  }
}

std::optional<std::string> PickObjectId(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0:
    case 1:
      return std::nullopt;
    case 2:
      return "sub_1";
    case 3:
      return "sub_2";
    case 4:
      return "";
    default:
      return std::string(256, 'o');
  }
}

std::int64_t PickInt(FuzzedDataProvider& in, std::int64_t lo, std::int64_t hi) {
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0:
      return kI64Max;
    case 1:
      return kI64Min;
    case 2:
      return -1;
    case 3:
      return 0;
    default:
      return in.ConsumeIntegralInRange<std::int64_t>(lo, hi);
  }
}

std::string PickError(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return in.ConsumeRandomLengthString(64);
  // Past the 2048-byte cut, with multi-byte characters straddling it.
  std::string text(in.ConsumeIntegralInRange<std::size_t>(2040, 2050), 'e');
  for (std::size_t i = in.ConsumeIntegralInRange<std::size_t>(0, 3); i + 1 < text.size(); i += 3) {
    text[i] = '\xe2';
    text[i + 1] = '\x82';
    if (i + 2 < text.size()) text[i + 2] = '\xac';  // U+20AC
  }
  return text;
}

// How an operation names its fencing token; resolved per backend, because
// each store issues its own random tokens.
enum class TokenChoice { kHolder, kStale, kOtherEvent, kForged, kEmpty };

// Mostly the holder's token, so that completions and failures succeed often
// enough to reach every later state; the rest probe the fencing.
TokenChoice PickToken(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
      return TokenChoice::kHolder;
    case 5:
    case 6:
      return TokenChoice::kStale;
    case 7:
      return TokenChoice::kOtherEvent;
    case 8:
      return TokenChoice::kForged;
    default:
      return TokenChoice::kEmpty;
  }
}

struct PlannedOp {
  StoreOp op;
  TokenChoice token = TokenChoice::kHolder;
};

ListQuery PlanQuery(FuzzedDataProvider& in, const std::vector<std::int64_t>& seen_times) {
  ListQuery query;
  if (in.ConsumeBool())
    query.status = static_cast<EventStatus>(in.ConsumeIntegralInRange<int>(0, 3));
  if (in.ConsumeBool()) query.type = PickType(in);
  if (in.ConsumeBool()) {
    // A cursor at, next to, or far from a receivedAt the stores hold.
    const std::int64_t base =
        seen_times.empty()
            ? kStartMs
            : seen_times[in.ConsumeIntegralInRange<std::size_t>(0, seen_times.size() - 1)];
    query.before_ms = in.ConsumeBool() ? base + in.ConsumeIntegralInRange<int>(-1, 1)
                                       : PickInt(in, kStartMs - 10, kStartMs + 100000);
  }
  query.limit = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::size_t>(0, 6)
                                 : std::numeric_limits<std::size_t>::max();
  return query;
}

PlannedOp PlanOp(FuzzedDataProvider& in, const std::vector<std::int64_t>& seen_times) {
  PlannedOp p;
  switch (in.ConsumeIntegralInRange<int>(0, 8)) {
    case 0:
    case 1: {
      ClaimOp op;
      op.id = PickEventId(in);
      op.meta.type = PickType(in);
      op.meta.created = PickInt(in, 1600000000, 1800000000);
      op.meta.object_id = PickObjectId(in);
      op.meta.lease_ms = PickInt(in, 1, 5000);
      if (in.ConsumeBool()) op.meta.payload = in.ConsumeRandomLengthString(32);
      // Atomic ordering for about half the claims with an object, derived from
      // what was consumed (so the seed corpus keeps meaning what it did).
      // created is narrowed for ordered claims, so that markers and ranks tie.
      if (op.meta.object_id && (op.meta.lease_ms & 1) == 0) {
        const std::int64_t created = 1600000000 + (op.meta.created & 7);
        op.meta.order = OrderKey{*op.meta.object_id, created, (op.meta.lease_ms >> 1) % 3};
      }
      p.op = std::move(op);
      break;
    }
    case 2:
      p.op = CompleteOp{PickEventId(in), {}};
      p.token = PickToken(in);
      break;
    case 3: {
      FailOp op;
      op.id = PickEventId(in);
      p.token = PickToken(in);
      op.error = PickError(in);
      op.max_attempts = PickInt(in, 1, 4);
      p.op = std::move(op);
      break;
    }
    case 4:
      p.op = RequeueOp{PickEventId(in)};
      break;
    case 5: {
      // Consumed as before the operations were a variant, so that the seed
      // corpus keeps meaning what it did.
      const bool get = in.ConsumeBool();
      std::string id = PickEventId(in);
      ListQuery query = PlanQuery(in, seen_times);
      if (get) {
        p.op = GetOp{std::move(id)};
      } else {
        p.op = ListOp{std::move(query)};
      }
      break;
    }
    case 6:
      p.op = PurgeOp{PickInt(in, 0, 20000)};
      break;
    default: {
      const bool mark = in.ConsumeBool();
      std::string object_id = PickObjectId(in).value_or("sub_1");
      // created: few values, so ties happen
      const std::int64_t created = PickInt(in, 1600000000, 1600000010);
      std::string event_id = PickEventId(in);
      if (mark) {
        p.op = MarkAppliedOp{std::move(object_id), created, std::move(event_id)};
      } else {
        p.op = LastAppliedOp{std::move(object_id)};
      }
      break;
    }
  }
  return p;
}

// One store under test, with its model and the tokens it issued. Both
// backends are driven the same way, through StoreBackend: a batch is submitted
// at once (SqliteStore's writer then runs it as one group-commit transaction,
// so the batching path is under test too; MemoryStore answers each inline).
class Backend {
 public:
  // `other_connection`, where given, is a second store on the same database
  // (SqliteStore): two connections must behave as one store.
  Backend(const char* name, StoreBackend& store, StoreBackend* other_connection,
          std::size_t max_entries, bool keep_payloads)
      : backend_(name),
        store_(store),
        other_(other_connection),
        model_(max_entries, keep_payloads) {}

  // Runs a batch: every token is resolved first (from the state before the
  // batch), then the operations run in order, then each answer is checked
  // against the model applied in the same order.
  void RunBatch(const std::vector<PlannedOp>& plan, std::int64_t now, std::size_t first_step,
                bool other_connection) {
    std::vector<StoreOp> ops;
    for (const PlannedOp& p : plan) ops.push_back(Resolve(p));
    std::vector<StoreOpResult> results = Execute(ops, other_connection);
    now_ = now;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      step_ = first_step + i;
      Trace(ops[i], results[i]);
      std::visit([&](const auto& op) { Check(op, results[i]); }, ops[i]);
    }
  }

  // The whole state: every record (through list) and every marker.
  void CheckState(std::size_t step) {
    step_ = step;
    ListOp list;
    list.query.limit = std::numeric_limits<std::size_t>::max();
    std::vector<StoreOpResult> results =
        Execute({list, LastAppliedOp{"sub_1"}, LastAppliedOp{"sub_2"}}, false);
    EXPECT(Value<ListOp>(results[0]) == model_.List(list.query));
    EXPECT(Value<LastAppliedOp>(results[1]) == model_.LastApplied("sub_1"));
    EXPECT(Value<LastAppliedOp>(results[2]) == model_.LastApplied("sub_2"));
  }

 private:
  std::vector<StoreOpResult> Execute(const std::vector<StoreOp>& ops, bool other_connection) {
    StoreBackend& store = other_connection && other_ != nullptr ? *other_ : store_;
    std::vector<std::promise<StoreOpResult>> promises(ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) {
      store.Submit(ops[i],
                   [&promises, i](StoreOpResult&& r) { promises[i].set_value(std::move(r)); });
    }
    std::vector<StoreOpResult> out;
    for (auto& p : promises) out.push_back(p.get_future().get());
    return out;
  }

  // Fills in the token of a complete or fail; each store issues its own.
  StoreOp Resolve(const PlannedOp& p) {
    StoreOp op = p.op;
    std::string* token = nullptr;
    std::string id;
    if (auto* complete = std::get_if<CompleteOp>(&op)) {
      token = &complete->token;
      id = complete->id;
    } else if (auto* fail = std::get_if<FailOp>(&op)) {
      token = &fail->token;
      id = fail->id;
    } else {
      return op;
    }
    const std::optional<EventRecord> record = model_.Get(id);
    switch (p.token) {
      case TokenChoice::kHolder:
        *token = record ? record->token : "";
        break;
      case TokenChoice::kStale: {
        auto it = issued_by_event_.find(id);
        *token = it != issued_by_event_.end() ? it->second.front() : "";
        break;
      }
      case TokenChoice::kOtherEvent:
        for (const auto& [other_id, tokens] : issued_by_event_) {
          if (other_id != id) *token = tokens.back();
        }
        break;
      case TokenChoice::kForged:
        *token = "0123456789abcdef0123456789abcdef";
        break;
      case TokenChoice::kEmpty:
        token->clear();
        break;
    }
    return op;
  }

  static bool LooksLikeToken(const std::string& token) {
    if (token.size() != 32) return false;
    for (char c : token) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  void CheckRejected(const StoreOpResult& r) {
    EXPECT(r.error.code == StoreErrorCode::kInvalidArgument);
    EXPECT(!r.error.message.empty());
  }

  // The answer as `Op`'s result type, which must be there when no error is.
  template <typename Op>
  typename Op::Result Value(const StoreOpResult& r) {
    EXPECT(r.error.ok());
    EXPECT(r.value.index() == kStoreOpIndex<Op>);
    return std::get<kStoreOpIndex<Op>>(r.value);
  }

  // STORE_FUZZ_TRACE=1 prints every operation and answer (to read a finding):
  // operations and values by their index in StoreOp (src/core/store_ops.h).
  void Trace(const StoreOp& op, const StoreOpResult& r) const {
    static const bool on = std::getenv("STORE_FUZZ_TRACE") != nullptr;
    if (!on) return;
    std::fprintf(stderr, "%s #%zu t=%lld op=%zu -> error=%d (%s) value=%zu\n", backend_, step_,
                 static_cast<long long>(now_ - kStartMs), op.index(),
                 static_cast<int>(r.error.code), r.error.message.c_str(), r.value.index());
  }

  void Check(const ClaimOp& op, const StoreOpResult& r) {
    if (!StoreModel::ValidKey(op.id) || !StoreModel::ValidMeta(op.meta)) return CheckRejected(r);
    const Claim claim = Value<ClaimOp>(r);
    const Claim want = model_.ClaimEvent(op.id, op.meta, now_, claim.token);
    EXPECT(claim.status == want.status);
    EXPECT(claim.attempt == want.attempt);
    if (want.status == ClaimStatus::kAcquired) {
      EXPECT(LooksLikeToken(claim.token));
      EXPECT(issued_.insert(claim.token).second);  // never issued before
      issued_by_event_[op.id].push_back(claim.token);
    } else {
      EXPECT(claim.token.empty());
    }
  }
  void Check(const CompleteOp& op, const StoreOpResult& r) {
    if (!StoreModel::ValidKey(op.id)) return CheckRejected(r);
    EXPECT(Value<CompleteOp>(r) == model_.Complete(op.id, op.token, now_));
  }
  void Check(const FailOp& op, const StoreOpResult& r) {
    if (!StoreModel::ValidKey(op.id)) return CheckRejected(r);
    const FailOutcome got = Value<FailOp>(r);
    const FailOutcome want = model_.Fail(op.id, op.token, op.error, op.max_attempts, now_);
    EXPECT(got.dead_lettered == want.dead_lettered);
    EXPECT(got.attempt == want.attempt);
    EXPECT(got.stale == want.stale);
  }
  void Check(const RequeueOp& op, const StoreOpResult& r) {
    if (!StoreModel::ValidKey(op.id)) return CheckRejected(r);
    EXPECT(Value<RequeueOp>(r) == model_.Requeue(op.id, now_));
  }
  void Check(const GetOp& op, const StoreOpResult& r) {
    if (!StoreModel::ValidKey(op.id)) return CheckRejected(r);
    EXPECT(Value<GetOp>(r) == model_.Get(op.id));
  }
  void Check(const ListOp& op, const StoreOpResult& r) {
    EXPECT(Value<ListOp>(r) == model_.List(op.query));
  }
  void Check(const PurgeOp& op, const StoreOpResult& r) {
    EXPECT(Value<PurgeOp>(r) == static_cast<std::int64_t>(model_.Purge(op.older_than_ms, now_)));
  }
  void Check(const MarkAppliedOp& op, const StoreOpResult& r) {
    if (!StoreModel::ValidKey(op.object_id) || !StoreModel::ValidKey(op.event_id)) {
      return CheckRejected(r);
    }
    Value<MarkAppliedOp>(r);
    model_.MarkApplied(op.object_id, op.created, now_);
  }
  void Check(const LastAppliedOp& op, const StoreOpResult& r) {
    if (!StoreModel::ValidKey(op.object_id)) return CheckRejected(r);
    EXPECT(Value<LastAppliedOp>(r) == model_.LastApplied(op.object_id));
  }
  // The billing operations are not generated (their compare-and-set is tested
  // in test/core and the JS contract); these only make the visit exhaustive.
  void Check(const BillingGetOp&, const StoreOpResult&) {}
  void Check(const BillingFindOp&, const StoreOpResult&) {}
  void Check(const BillingPutOp&, const StoreOpResult&) {}

  const char* backend_;
  StoreBackend& store_;
  StoreBackend* other_;
  std::size_t step_ = 0;
  std::int64_t now_ = 0;
  StoreModel model_;
  std::set<std::string> issued_;
  std::map<std::string, std::vector<std::string>> issued_by_event_;
};

// A scratch directory for this fuzzing process, in shared memory where there
// is one (the fuzzer opens a fresh database for every input).
const fs::path& ScratchDir() {
  static const fs::path dir = [] {
    const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string templ = (base / "hookwise-store-fuzz-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) std::abort();
    return fs::path(templ);
  }();
  return dir;
}

// Two SqliteStores on one file (a fresh one per input), removed at the end.
class SqliteFile {
 public:
  SqliteFile(bool keep_payloads, std::shared_ptr<StoreClock> clock)
      : path_(ScratchDir() / ("input-" + std::to_string(getpid()) + ".db")),
        options_([&] {
          SqliteStoreOptions options;
          options.path = path_.string();
          options.durability = Durability::kNormal;
          options.keep_payloads = keep_payloads;
          options.clock = std::move(clock);
          return options;
        }()),
        store(options_),
        second(options_) {}

  ~SqliteFile() {
    store.Close();
    second.Close();
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::error_code ec;
      fs::remove(path_.string() + suffix, ec);
    }
  }

 private:
  fs::path path_;
  SqliteStoreOptions options_;

 public:
  SqliteStore store;
  SqliteStore second;  // opens the file only if a batch is sent through it
};

}  // namespace
}  // namespace hookwise::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookwise;
  using namespace hookwise::fuzz;
  FuzzedDataProvider in(data, size);
  auto clock = std::make_shared<ManualStoreClock>(kStartMs);
  const std::size_t max_entries = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::size_t>(1, 6)
                                                   : kDefaultMemoryStoreMaxEntries;
  MemoryStore memory_store(MemoryStore::Options{max_entries, kDefaultRetentionMs, clock});
  const bool keep_payloads = in.ConsumeBool();
  SqliteFile file(keep_payloads, clock);
  Backend memory("MemoryStore", memory_store, nullptr, max_entries, /*keep_payloads=*/false);
  Backend sqlite("SqliteStore", file.store, &file.second, std::numeric_limits<std::size_t>::max(),
                 keep_payloads);
  Backend* backends[] = {&memory, &sqlite};

  std::vector<std::int64_t> seen_times{kStartMs};
  std::size_t step = 0;
  for (int rounds = 0; rounds < 64 && in.remaining_bytes() > 0; ++rounds) {
    if (in.ConsumeIntegralInRange<int>(0, 5) == 0) {
      // Time passes: leases run out, records age.
      clock->Advance(in.ConsumeBool() ? in.ConsumeIntegralInRange<int>(0, 3000) : 600000);
      seen_times.push_back(clock->NowMs());
      continue;
    }
    // Usually one operation, sometimes a batch of up to 6.
    const std::size_t n = in.ConsumeIntegralInRange<int>(0, 3) == 0
                              ? in.ConsumeIntegralInRange<std::size_t>(2, 6)
                              : 1;
    std::vector<PlannedOp> plan;
    for (std::size_t i = 0; i < n; ++i) plan.push_back(PlanOp(in, seen_times));
    const bool other_connection = in.ConsumeIntegralInRange<int>(0, 3) == 0;
    for (Backend* b : backends) b->RunBatch(plan, clock->NowMs(), step, other_connection);
    step += n;
  }
  for (Backend* b : backends) b->CheckState(step);
  return 0;
}
