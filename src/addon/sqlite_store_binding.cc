#include "src/addon/sqlite_store_binding.h"

#include <memory>
#include <string>
#include <utility>

#include "src/addon/promise_worker.h"
#include "src/addon/store_conversion.h"
#include "src/addon/value_conversion.h"
#include "src/core/sqlite_store.h"

namespace hookwise::addon {
namespace {

struct Completion;
struct Bridge;
void CallJs(Napi::Env env, Napi::Function, Bridge* bridge, Completion* completion);
using Tsfn = Napi::TypedThreadSafeFunction<Bridge, Completion, CallJs>;

// The thread-safe function's context, owned by it (deleted by its finalizer),
// so it outlives the JS handle while completions are still queued.
struct Bridge {
  Tsfn tsfn;
  int in_flight = 0;
  bool keep_payloads = false;
};

// One operation's promise and, once the writer thread has run it, its result.
struct Completion {
  Napi::Promise::Deferred deferred;
  StoreOp::Kind kind;
  StoreOpResult result;
};

Napi::Value ResultToJs(Napi::Env env, StoreOp::Kind kind, const StoreOpResult& r,
                       bool keep_payloads) {
  switch (kind) {
    case StoreOp::Kind::kClaim:
      return ClaimToJs(env, r.claim);
    case StoreOp::Kind::kComplete:
    case StoreOp::Kind::kRequeue:
      return Napi::Boolean::New(env, r.flag);
    case StoreOp::Kind::kFail:
      return FailOutcomeToJs(env, r.fail);
    case StoreOp::Kind::kLastApplied:
      if (!r.number) return env.Null();
      return Napi::Number::New(env, static_cast<double>(*r.number));
    case StoreOp::Kind::kPurge:
      return Napi::Number::New(env, static_cast<double>(r.number.value_or(0)));
    case StoreOp::Kind::kMarkApplied:
      return env.Undefined();
    case StoreOp::Kind::kGet:
      if (!r.record) return env.Null();
      return RecordToJs(env, *r.record, keep_payloads);
    case StoreOp::Kind::kList: {
      Napi::Array out = Napi::Array::New(env, r.records.size());
      for (std::size_t i = 0; i < r.records.size(); ++i) {
        out.Set(static_cast<std::uint32_t>(i), RecordToJs(env, r.records[i], keep_payloads));
      }
      return out;
    }
  }
  return env.Undefined();
}

void CallJs(Napi::Env env, Napi::Function, Bridge* bridge, Completion* completion) {
  std::unique_ptr<Completion> owned(completion);
  if (env == nullptr || bridge == nullptr) return;  // torn down: just free it
  if (owned->result.error.ok()) {
    owned->deferred.Resolve(ResultToJs(env, owned->kind, owned->result, bridge->keep_payloads));
  } else {
    owned->deferred.Reject(StoreErrorToJs(env, owned->result.error).Value());
  }
  if (--bridge->in_flight == 0) bridge->tsfn.Unref(env);
}

class NativeSqliteStore : public Napi::ObjectWrap<NativeSqliteStore> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeSqliteStore",
                       {
                           InstanceMethod<&NativeSqliteStore::Claim>("claim"),
                           InstanceMethod<&NativeSqliteStore::Complete>("complete"),
                           InstanceMethod<&NativeSqliteStore::Fail>("fail"),
                           InstanceMethod<&NativeSqliteStore::LastApplied>("lastApplied"),
                           InstanceMethod<&NativeSqliteStore::MarkApplied>("markApplied"),
                           InstanceMethod<&NativeSqliteStore::Get>("get"),
                           InstanceMethod<&NativeSqliteStore::List>("list"),
                           InstanceMethod<&NativeSqliteStore::Requeue>("requeue"),
                           InstanceMethod<&NativeSqliteStore::Purge>("purge"),
                           InstanceMethod<&NativeSqliteStore::Close>("close"),
                           InstanceMethod<&NativeSqliteStore::AdvanceClock>("advanceClock"),
                       });
  }

  // new NativeSqliteStore(path, retentionMs, durability ('full'|'normal'), keepPayloads)
  explicit NativeSqliteStore(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeSqliteStore>(info) {
    Napi::Env env = info.Env();
    SqliteStoreOptions options;
    std::string durability;
    if (info.Length() < 4 || !ReadUtf8(info[0], options.path) || !info[1].IsNumber() ||
        !ReadUtf8(info[2], durability) || !info[3].IsBoolean()) {
      ThrowTypeError(env, "NativeSqliteStore(path, retentionMs, durability, keepPayloads)");
      return;
    }
    options.retention_ms = ClampToInt64(info[1].As<Napi::Number>().DoubleValue());
    options.durability = durability == "normal" ? Durability::kNormal : Durability::kFull;
    options.keep_payloads = info[3].As<Napi::Boolean>().Value();
    options.clock = std::make_shared<SystemStoreClock>();
    store_ = std::make_unique<SqliteStore>(std::move(options));

    auto* bridge = new Bridge;
    bridge->keep_payloads = store_->options().keep_payloads;
    bridge->tsfn = Tsfn::New(env, "hookwise.SqliteStore", 0, 1, bridge,
                             [](Napi::Env, void*, Bridge* b) { delete b; });
    bridge->tsfn.Unref(env);
    bridge_ = bridge;
    // Registered after the thread-safe function, so it runs before the
    // function's own teardown (hooks run in reverse order of registration).
    napi_add_env_cleanup_hook(env, &NativeSqliteStore::OnEnvCleanup, this);
    hook_registered_ = true;
  }

  ~NativeSqliteStore() override {
    Shutdown();
    if (hook_registered_) {
      napi_remove_env_cleanup_hook(Env(), &NativeSqliteStore::OnEnvCleanup, this);
    }
  }

 private:
  static void OnEnvCleanup(void* self) {
    auto* store = static_cast<NativeSqliteStore*>(self);
    store->hook_registered_ = false;
    store->Shutdown();
  }

  // Commits what was submitted, joins the writer, then releases the
  // thread-safe function (whose queued completions are still delivered, or
  // freed if the environment is going away). Idempotent.
  void Shutdown() {
    closed_ = true;
    if (store_) store_->Close();
    if (bridge_ != nullptr) {
      bridge_->tsfn.Release();
      bridge_ = nullptr;
    }
  }

  Napi::Value Closed(Napi::Env env) {
    auto deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(
        StoreErrorToJs(env, StoreError{StoreErrorCode::kClosed, "the store is closed"}).Value());
    return deferred.Promise();
  }

  Napi::Value Submit(Napi::Env env, StoreOp op) {
    if (closed_ || bridge_ == nullptr) return Closed(env);
    auto* completion = new Completion{Napi::Promise::Deferred::New(env), op.kind, {}};
    Napi::Promise promise = completion->deferred.Promise();
    if (bridge_->in_flight++ == 0) bridge_->tsfn.Ref(env);
    Tsfn tsfn = bridge_->tsfn;
    store_->Submit(std::move(op), [tsfn, completion](StoreOpResult&& result) mutable {
      completion->result = std::move(result);
      // Never blocks (the queue is unbounded). Fails only while the
      // environment is being torn down; the promise is then unobservable.
      if (tsfn.NonBlockingCall(completion) != napi_ok) delete completion;
    });
    return promise;
  }

  Napi::Value Claim(const Napi::CallbackInfo& info) {
    StoreOp op;
    op.kind = StoreOp::Kind::kClaim;
    if (!ReadUtf8(info[0], op.id) || !ReadClaimMeta(info, 1, op.meta)) {
      return ThrowTypeError(info.Env(), "claim(id, type, created, objectId, leaseMs, payload)");
    }
    return Submit(info.Env(), std::move(op));
  }

  Napi::Value Complete(const Napi::CallbackInfo& info) {
    StoreOp op;
    op.kind = StoreOp::Kind::kComplete;
    if (!ReadUtf8(info[0], op.id) || !ReadUtf8(info[1], op.token)) {
      return ThrowTypeError(info.Env(), "complete(id, token)");
    }
    return Submit(info.Env(), std::move(op));
  }

  Napi::Value Fail(const Napi::CallbackInfo& info) {
    StoreOp op;
    op.kind = StoreOp::Kind::kFail;
    if (!ReadUtf8(info[0], op.id) || !ReadUtf8(info[1], op.token) || !ReadUtf8(info[2], op.error) ||
        !info[3].IsNumber()) {
      return ThrowTypeError(info.Env(), "fail(id, token, error, maxAttempts)");
    }
    op.number = ClampToInt64(info[3].As<Napi::Number>().DoubleValue());
    return Submit(info.Env(), std::move(op));
  }

  Napi::Value LastApplied(const Napi::CallbackInfo& info) {
    StoreOp op;
    op.kind = StoreOp::Kind::kLastApplied;
    if (!ReadUtf8(info[0], op.id)) return ThrowTypeError(info.Env(), "lastApplied(objectId)");
    return Submit(info.Env(), std::move(op));
  }

  Napi::Value MarkApplied(const Napi::CallbackInfo& info) {
    StoreOp op;
    op.kind = StoreOp::Kind::kMarkApplied;
    if (!ReadUtf8(info[0], op.id) || !info[1].IsNumber() || !ReadUtf8(info[2], op.token)) {
      return ThrowTypeError(info.Env(), "markApplied(objectId, created, eventId)");
    }
    op.number = ClampToInt64(info[1].As<Napi::Number>().DoubleValue());
    return Submit(info.Env(), std::move(op));
  }

  Napi::Value Get(const Napi::CallbackInfo& info) {
    StoreOp op;
    op.kind = StoreOp::Kind::kGet;
    if (!ReadUtf8(info[0], op.id)) return ThrowTypeError(info.Env(), "get(id)");
    return Submit(info.Env(), std::move(op));
  }

  Napi::Value List(const Napi::CallbackInfo& info) {
    StoreOp op;
    op.kind = StoreOp::Kind::kList;
    if (!ReadListQuery(info, 0, op.query)) {
      return ThrowTypeError(info.Env(), "list(status, type, before, limit)");
    }
    return Submit(info.Env(), std::move(op));
  }

  Napi::Value Requeue(const Napi::CallbackInfo& info) {
    StoreOp op;
    op.kind = StoreOp::Kind::kRequeue;
    if (!ReadUtf8(info[0], op.id)) return ThrowTypeError(info.Env(), "requeue(id)");
    return Submit(info.Env(), std::move(op));
  }

  Napi::Value Purge(const Napi::CallbackInfo& info) {
    StoreOp op;
    op.kind = StoreOp::Kind::kPurge;
    if (!info[0].IsNumber()) return ThrowTypeError(info.Env(), "purge(olderThanMs)");
    op.number = ClampToInt64(info[0].As<Napi::Number>().DoubleValue());
    return Submit(info.Env(), std::move(op));
  }

  // Closing waits for the writer (which may be committing, or waiting on
  // another process's lock), so it runs on the libuv pool, not the JS thread.
  class CloseWorker : public PromiseWorker {
   public:
    CloseWorker(Napi::Env env, NativeSqliteStore* store)
        : PromiseWorker(env, "hookwise.SqliteStore.close"), store_(store) {
      keep_alive_ = Napi::Persistent(store->Value());
    }

   protected:
    void Execute() override { store_->store_->Close(); }
    void OnOK() override {
      store_->Shutdown();  // releases the thread-safe function
      Resolve(Env().Undefined());
    }

   private:
    NativeSqliteStore* store_;
    Napi::ObjectReference keep_alive_;
  };

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (closed_) {
      auto deferred = Napi::Promise::Deferred::New(env);
      deferred.Resolve(env.Undefined());
      return deferred.Promise();
    }
    closed_ = true;  // later operations are refused at once
    return PromiseWorker::Start(new CloseWorker(env, this));
  }

  // Tests only: moves this store's clock forward by `ms`.
  Napi::Value AdvanceClock(const Napi::CallbackInfo& info) {
    if (!info[0].IsNumber()) return ThrowTypeError(info.Env(), "advanceClock(ms)");
    store_->options().clock->Advance(ClampToInt64(info[0].As<Napi::Number>().DoubleValue()));
    return info.Env().Undefined();
  }

  std::unique_ptr<SqliteStore> store_;
  Bridge* bridge_ = nullptr;
  bool closed_ = false;
  bool hook_registered_ = false;
};

}  // namespace

void InitSqliteStore(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeSqliteStore", NativeSqliteStore::Define(env));
}

}  // namespace hookwise::addon
