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
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fuzz/store_model.h"
#include "src/core/memory_store.h"
#include "src/core/sqlite_store.h"

namespace hookwise::fuzz {
namespace {

namespace fs = std::filesystem;
using Kind = StoreOp::Kind;

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

PlannedOp PlanOp(FuzzedDataProvider& in, const std::vector<std::int64_t>& seen_times) {
  PlannedOp p;
  StoreOp& op = p.op;
  switch (in.ConsumeIntegralInRange<int>(0, 8)) {
    case 0:
    case 1:
      op.kind = Kind::kClaim;
      op.id = PickEventId(in);
      op.meta.type = PickType(in);
      op.meta.created = PickInt(in, 1600000000, 1800000000);
      op.meta.object_id = PickObjectId(in);
      op.meta.lease_ms = PickInt(in, 1, 5000);
      if (in.ConsumeBool()) op.meta.payload = in.ConsumeRandomLengthString(32);
      break;
    case 2:
      op.kind = Kind::kComplete;
      op.id = PickEventId(in);
      p.token = PickToken(in);
      break;
    case 3:
      op.kind = Kind::kFail;
      op.id = PickEventId(in);
      p.token = PickToken(in);
      op.error = PickError(in);
      op.number = PickInt(in, 1, 4);  // maxAttempts
      break;
    case 4:
      op.kind = Kind::kRequeue;
      op.id = PickEventId(in);
      break;
    case 5:
      op.kind = in.ConsumeBool() ? Kind::kGet : Kind::kList;
      op.id = PickEventId(in);
      if (in.ConsumeBool()) {
        op.query.status = static_cast<EventStatus>(in.ConsumeIntegralInRange<int>(0, 3));
      }
      if (in.ConsumeBool()) op.query.type = PickType(in);
      if (in.ConsumeBool()) {
        // A cursor at, next to, or far from a receivedAt the stores hold.
        const std::int64_t base =
            seen_times.empty()
                ? kStartMs
                : seen_times[in.ConsumeIntegralInRange<std::size_t>(0, seen_times.size() - 1)];
        op.query.before_ms = in.ConsumeBool() ? base + in.ConsumeIntegralInRange<int>(-1, 1)
                                              : PickInt(in, kStartMs - 10, kStartMs + 100000);
      }
      op.query.limit = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::size_t>(0, 6)
                                        : std::numeric_limits<std::size_t>::max();
      break;
    case 6:
      op.kind = Kind::kPurge;
      op.number = PickInt(in, 0, 20000);  // olderThanMs
      break;
    default:
      op.kind = in.ConsumeBool() ? Kind::kMarkApplied : Kind::kLastApplied;
      op.id = PickObjectId(in).value_or("sub_1");
      op.number = PickInt(in, 1600000000, 1600000010);  // created: few values, so ties happen
      op.token = PickEventId(in);                       // the event id, for markApplied
      break;
  }
  return p;
}

// One backend under test, with its model and the tokens it issued.
class Backend {
 public:
  Backend(const char* name, std::size_t max_entries, bool keep_payloads)
      : backend_(name), model_(max_entries, keep_payloads) {}
  virtual ~Backend() = default;

  // Runs a batch: every token is resolved first (from the state before the
  // batch), then the operations run in order, then each answer is checked
  // against the model applied in the same order.
  // `other_connection` sends the batch through a second store on the same
  // database, where the backend has one (SqliteStore): two connections must
  // behave as one store.
  void RunBatch(const std::vector<PlannedOp>& plan, std::int64_t now, std::size_t first_step,
                bool other_connection) {
    std::vector<StoreOp> ops;
    for (const PlannedOp& p : plan) ops.push_back(Resolve(p));
    std::vector<StoreOpResult> results = Execute(ops, other_connection);
    for (std::size_t i = 0; i < ops.size(); ++i) {
      step_ = first_step + i;
      Check(ops[i], results[i], now);
    }
  }

  // The whole state: every record (through list) and every marker.
  void CheckState(std::size_t step) {
    step_ = step;
    StoreOp list;
    list.kind = Kind::kList;
    list.query.limit = std::numeric_limits<std::size_t>::max();
    StoreOp reads[] = {list, {}, {}};
    reads[1].kind = reads[2].kind = Kind::kLastApplied;
    reads[1].id = "sub_1";
    reads[2].id = "sub_2";
    std::vector<StoreOpResult> results = Execute({reads[0], reads[1], reads[2]}, false);
    EXPECT(results[0].error.ok());
    EXPECT(results[0].records == model_.List(list.query));
    EXPECT(results[1].number == model_.LastApplied("sub_1"));
    EXPECT(results[2].number == model_.LastApplied("sub_2"));
  }

 protected:
  virtual std::vector<StoreOpResult> Execute(const std::vector<StoreOp>& ops,
                                             bool other_connection) = 0;

 private:
  StoreOp Resolve(const PlannedOp& p) {
    StoreOp op = p.op;
    if (op.kind != Kind::kComplete && op.kind != Kind::kFail) return op;
    const std::optional<EventRecord> record = model_.Get(op.id);
    switch (p.token) {
      case TokenChoice::kHolder:
        op.token = record ? record->token : "";
        break;
      case TokenChoice::kStale: {
        auto it = issued_by_event_.find(op.id);
        op.token = it != issued_by_event_.end() ? it->second.front() : "";
        break;
      }
      case TokenChoice::kOtherEvent:
        for (const auto& [id, tokens] : issued_by_event_) {
          if (id != op.id) op.token = tokens.back();
        }
        break;
      case TokenChoice::kForged:
        op.token = "0123456789abcdef0123456789abcdef";
        break;
      case TokenChoice::kEmpty:
        op.token.clear();
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

  // STORE_FUZZ_TRACE=1 prints every operation and answer (to read a finding).
  void Trace(const StoreOp& op, const StoreOpResult& r, std::int64_t now) const {
    static const bool on = std::getenv("STORE_FUZZ_TRACE") != nullptr;
    if (!on) return;
    std::fprintf(stderr,
                 "%s #%zu t=%lld kind=%d id=%zuB:%.12s token=%.8s number=%lld lease=%lld -> "
                 "error=%d claim=%d/%lld flag=%d fail=%d/%lld/%d number=%lld records=%zu\n",
                 backend_, step_, static_cast<long long>(now - kStartMs), static_cast<int>(op.kind),
                 op.id.size(), op.id.c_str(), op.token.c_str(), static_cast<long long>(op.number),
                 static_cast<long long>(op.meta.lease_ms), static_cast<int>(r.error.code),
                 static_cast<int>(r.claim.status), static_cast<long long>(r.claim.attempt), r.flag,
                 r.fail.dead_lettered, static_cast<long long>(r.fail.attempt), r.fail.stale,
                 static_cast<long long>(r.number.value_or(-1)), r.records.size());
  }

  void Check(const StoreOp& op, const StoreOpResult& r, std::int64_t now) {
    Trace(op, r, now);
    switch (op.kind) {
      case Kind::kClaim: {
        if (!StoreModel::ValidKey(op.id) || !StoreModel::ValidMeta(op.meta)) {
          return CheckRejected(r);
        }
        EXPECT(r.error.ok());
        const Claim want = model_.ClaimEvent(op.id, op.meta, now, r.claim.token);
        EXPECT(r.claim.status == want.status);
        EXPECT(r.claim.attempt == want.attempt);
        if (want.status == ClaimStatus::kAcquired) {
          EXPECT(LooksLikeToken(r.claim.token));
          EXPECT(issued_.insert(r.claim.token).second);  // never issued before
          issued_by_event_[op.id].push_back(r.claim.token);
        } else {
          EXPECT(r.claim.token.empty());
        }
        return;
      }
      case Kind::kComplete:
        if (!StoreModel::ValidKey(op.id)) return CheckRejected(r);
        EXPECT(r.error.ok());
        EXPECT(r.flag == model_.Complete(op.id, op.token, now));
        return;
      case Kind::kFail: {
        if (!StoreModel::ValidKey(op.id)) return CheckRejected(r);
        EXPECT(r.error.ok());
        const FailOutcome want = model_.Fail(op.id, op.token, op.error, op.number, now);
        EXPECT(r.fail.dead_lettered == want.dead_lettered);
        EXPECT(r.fail.attempt == want.attempt);
        EXPECT(r.fail.stale == want.stale);
        return;
      }
      case Kind::kRequeue:
        if (!StoreModel::ValidKey(op.id)) return CheckRejected(r);
        EXPECT(r.error.ok());
        EXPECT(r.flag == model_.Requeue(op.id, now));
        return;
      case Kind::kGet:
        if (!StoreModel::ValidKey(op.id)) return CheckRejected(r);
        EXPECT(r.error.ok());
        EXPECT(r.record == model_.Get(op.id));
        return;
      case Kind::kList:
        EXPECT(r.error.ok());
        EXPECT(r.records == model_.List(op.query));
        return;
      case Kind::kPurge:
        EXPECT(r.error.ok());
        EXPECT(r.number == static_cast<std::int64_t>(model_.Purge(op.number, now)));
        return;
      case Kind::kMarkApplied:
        if (!StoreModel::ValidKey(op.id) || !StoreModel::ValidKey(op.token)) {
          return CheckRejected(r);
        }
        EXPECT(r.error.ok());
        model_.MarkApplied(op.id, op.number, now);
        return;
      case Kind::kLastApplied:
        if (!StoreModel::ValidKey(op.id)) return CheckRejected(r);
        EXPECT(r.error.ok());
        EXPECT(r.number == model_.LastApplied(op.id));
        return;
    }
  }

  const char* backend_;
  std::size_t step_ = 0;
  StoreModel model_;
  std::set<std::string> issued_;
  std::map<std::string, std::vector<std::string>> issued_by_event_;
};

class MemoryBackend final : public Backend {
 public:
  MemoryBackend(std::size_t max_entries, std::shared_ptr<StoreClock> clock)
      : Backend("MemoryStore", max_entries, /*keep_payloads=*/false),
        store_(MemoryStore::Options{max_entries, kDefaultRetentionMs, std::move(clock)}) {}

 protected:
  std::vector<StoreOpResult> Execute(const std::vector<StoreOp>& ops, bool) override {
    std::vector<StoreOpResult> out;
    for (const StoreOp& op : ops) out.push_back(Run(op));
    return out;
  }

 private:
  template <typename T>
  static StoreOpResult Base(const StoreResult<T>& r) {
    StoreOpResult out;
    out.error = r.error;
    return out;
  }

  StoreOpResult Run(const StoreOp& op) {
    switch (op.kind) {
      case Kind::kClaim: {
        auto r = store_.ClaimEvent(op.id, op.meta);
        StoreOpResult out = Base(r);
        out.claim = r.value;
        return out;
      }
      case Kind::kComplete: {
        auto r = store_.CompleteEvent(op.id, op.token);
        StoreOpResult out = Base(r);
        out.flag = r.value;
        return out;
      }
      case Kind::kFail: {
        auto r = store_.FailEvent(op.id, op.token, op.error, op.number);
        StoreOpResult out = Base(r);
        out.fail = r.value;
        return out;
      }
      case Kind::kRequeue: {
        auto r = store_.RequeueEvent(op.id);
        StoreOpResult out = Base(r);
        out.flag = r.value;
        return out;
      }
      case Kind::kGet: {
        auto r = store_.GetEvent(op.id);
        StoreOpResult out = Base(r);
        out.record = r.value;
        return out;
      }
      case Kind::kList: {
        auto r = store_.ListEvents(op.query);
        StoreOpResult out = Base(r);
        out.records = r.value;
        return out;
      }
      case Kind::kPurge: {
        auto r = store_.Purge(op.number);
        StoreOpResult out = Base(r);
        out.number = static_cast<std::int64_t>(r.value);
        return out;
      }
      case Kind::kMarkApplied:
        return Base(store_.MarkApplied(op.id, op.number, op.token));
      case Kind::kLastApplied: {
        auto r = store_.LastApplied(op.id);
        StoreOpResult out = Base(r);
        out.number = r.value;
        return out;
      }
    }
    return {};
  }

  MemoryStore store_;
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

class SqliteBackend final : public Backend {
 public:
  SqliteBackend(bool keep_payloads, std::shared_ptr<StoreClock> clock)
      : Backend("SqliteStore", std::numeric_limits<std::size_t>::max(), keep_payloads),
        path_(ScratchDir() / ("input-" + std::to_string(getpid()) + ".db")),
        options_([&] {
          SqliteStoreOptions options;
          options.path = path_.string();
          options.durability = Durability::kNormal;
          options.keep_payloads = keep_payloads;
          options.clock = std::move(clock);
          return options;
        }()),
        store_(options_),
        second_(options_) {}

  ~SqliteBackend() override {
    store_.Close();
    second_.Close();
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::error_code ec;
      fs::remove(path_.string() + suffix, ec);
    }
  }

 protected:
  // Submitted together, so the writer thread runs them as one group-commit
  // transaction — the batching path is under test too.
  std::vector<StoreOpResult> Execute(const std::vector<StoreOp>& ops,
                                     bool other_connection) override {
    SqliteStore& store = other_connection ? second_ : store_;
    std::vector<std::promise<StoreOpResult>> promises(ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) {
      store.Submit(ops[i],
                   [&promises, i](StoreOpResult&& r) { promises[i].set_value(std::move(r)); });
    }
    std::vector<StoreOpResult> out;
    for (auto& p : promises) out.push_back(p.get_future().get());
    return out;
  }

 private:
  fs::path path_;
  SqliteStoreOptions options_;
  SqliteStore store_;
  SqliteStore second_;  // opens the file only if a batch is sent through it
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
  MemoryBackend memory(max_entries, clock);
  SqliteBackend sqlite(in.ConsumeBool(), clock);
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
