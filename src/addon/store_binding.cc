#include "src/addon/store_binding.h"

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <variant>

#include "src/addon/promise_worker.h"
#include "src/addon/store_conversion.h"
#include "src/addon/value_conversion.h"

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

// One operation's promise and, once the backend has run it, its result.
struct Completion {
  Napi::Promise::Deferred deferred;
  StoreOpResult result;
};

void CallJs(Napi::Env env, Napi::Function, Bridge* bridge, Completion* completion) {
  std::unique_ptr<Completion> owned(completion);
  if (env == nullptr || bridge == nullptr) return;  // torn down: just free it
  if (owned->result.ok()) {
    owned->deferred.Resolve(StoreValueToJs(env, owned->result.value, bridge->keep_payloads));
  } else {
    owned->deferred.Reject(StoreErrorToJs(env, owned->result.error).Value());
  }
  if (--bridge->in_flight == 0) bridge->tsfn.Unref(env);
}

const StoreError kClosed{StoreErrorCode::kClosed, "the store is closed"};

class NativeStore : public Napi::ObjectWrap<NativeStore> {
 public:
  static Napi::Function Define(Napi::Env env, const char* name, OpenStoreBackend open) {
    return DefineClass(env, name,
                       {
                           InstanceMethod<&NativeStore::Call<ClaimOp>>("claim"),
                           InstanceMethod<&NativeStore::Call<CompleteOp>>("complete"),
                           InstanceMethod<&NativeStore::Call<FailOp>>("fail"),
                           InstanceMethod<&NativeStore::Call<LastAppliedOp>>("lastApplied"),
                           InstanceMethod<&NativeStore::Call<MarkAppliedOp>>("markApplied"),
                           InstanceMethod<&NativeStore::Call<GetOp>>("get"),
                           InstanceMethod<&NativeStore::Call<ListOp>>("list"),
                           InstanceMethod<&NativeStore::Call<RequeueOp>>("requeue"),
                           InstanceMethod<&NativeStore::Call<PurgeOp>>("purge"),
                           InstanceMethod<&NativeStore::Call<BillingGetOp>>("billingGet"),
                           InstanceMethod<&NativeStore::Call<BillingFindOp>>("billingFind"),
                           InstanceMethod<&NativeStore::Call<BillingPutOp>>("billingPut"),
                           InstanceMethod<&NativeStore::Close>("close"),
                           InstanceMethod<&NativeStore::AdvanceClock>("advanceClock"),
                           InstanceMethod<&NativeStore::UseClaimSlots>("useClaimSlots"),
                       },
                       reinterpret_cast<void*>(open));
  }

  explicit NativeStore(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeStore>(info) {
    auto open = reinterpret_cast<OpenStoreBackend>(info.Data());
    backend_ = open(info);
    if (!backend_) return;  // a TypeError is pending; every later call reports "closed"
    inline_ = backend_->ReportsInline();
    keep_payloads_ = backend_->KeepsPayloads();
    if (inline_) return;
    Napi::Env env = info.Env();
    auto* bridge = new Bridge;
    bridge->keep_payloads = keep_payloads_;
    bridge->tsfn = Tsfn::New(env, "hookwise.store", 0, 1, bridge,
                             [](Napi::Env, void*, Bridge* b) { delete b; });
    bridge->tsfn.Unref(env);
    bridge_ = bridge;
    // Registered after the thread-safe function, so it runs before the
    // function's own teardown (hooks run in reverse order of registration).
    napi_add_env_cleanup_hook(env, &NativeStore::OnEnvCleanup, this);
    hook_registered_ = true;
  }

  ~NativeStore() override {
    Shutdown();
    if (hook_registered_) napi_remove_env_cleanup_hook(Env(), &NativeStore::OnEnvCleanup, this);
  }

 private:
  static void OnEnvCleanup(void* self) {
    auto* store = static_cast<NativeStore*>(self);
    store->hook_registered_ = false;
    store->Shutdown();
  }

  // Commits what was submitted, joins the backend's thread, then releases
  // the thread-safe function (whose queued completions are still delivered,
  // or freed if the environment is going away). Idempotent. An inline
  // backend has nothing in flight: the handle only lets go of it.
  void Shutdown() {
    closed_ = true;
    if (inline_) {
      backend_.reset();
      return;
    }
    if (backend_) backend_->Close();
    if (bridge_ != nullptr) {
      bridge_->tsfn.Release();
      bridge_ = nullptr;
    }
  }

  // Every store method: decode the arguments into the operation, then run it.
  template <typename Op>
  Napi::Value Call(const Napi::CallbackInfo& info) {
    StoreOp op(std::in_place_type<Op>);
    if (!ReadStoreOp(info, keep_payloads_, op)) {
      return ThrowTypeError(info.Env(), StoreOpSignature(op));
    }
    return inline_ || !backend_ ? RunInline(info.Env(), std::move(op))
                                : Submit(info.Env(), std::move(op));
  }

  Napi::Value RunInline(Napi::Env env, StoreOp op) {
    if (!backend_ || closed_) {
      StoreErrorToJs(env, kClosed).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    StoreOpResult result;
    backend_->Submit(std::move(op), [&result](StoreOpResult&& r) { result = std::move(r); });
    if (!result.ok()) {
      StoreErrorToJs(env, result.error).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (const Claim* claim = std::get_if<Claim>(&result.value); claim && !claim_slots_.IsEmpty()) {
      return ClaimThroughSlots(env, *claim);
    }
    return StoreValueToJs(env, result.value, keep_payloads_);
  }

  // An inline backend's claim can skip building its { status, token, attempt }
  // through Node-API, which took as long as the claim itself (object creation
  // and three generic property stores; docs/BENCHMARKS.md, issue 19): once JS
  // has handed over a Float64Array, claim() writes the status and the attempt
  // there and returns only the token (undefined unless acquired), and JS makes
  // the object (lib/engine/native/native-store.js). Layout: ClaimResultLayout.
  Napi::Value UseClaimSlots(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!inline_ || !backend_) return Napi::Boolean::New(env, false);
    if (!info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        info[0].As<Napi::Float64Array>().ElementLength() < kClaimSlotCount) {
      return ThrowTypeError(env, "useClaimSlots(new Float64Array(claimResultLayout.size))");
    }
    claim_slots_ = Napi::Persistent(info[0].As<Napi::Float64Array>());
    return Napi::Boolean::New(env, true);
  }

  Napi::Value ClaimThroughSlots(Napi::Env env, const Claim& claim) {
    // The token's string first: nothing that allocates (and so could run a
    // GC and whatever it finalizes) comes between writing the slots and
    // returning to the JS that reads them.
    Napi::Value token = claim.status == ClaimStatus::kAcquired
                            ? Napi::Value(Napi::String::New(env, claim.token))
                            : env.Undefined();
    Napi::Float64Array slots = claim_slots_.Value();
    slots[kClaimStatusSlot] = static_cast<double>(static_cast<int>(claim.status));
    slots[kClaimAttemptSlot] = static_cast<double>(claim.attempt);
    return token;
  }

  Napi::Value Submit(Napi::Env env, StoreOp op) {
    if (closed_ || bridge_ == nullptr) {
      auto deferred = Napi::Promise::Deferred::New(env);
      deferred.Reject(StoreErrorToJs(env, kClosed).Value());
      return deferred.Promise();
    }
    auto* completion = new Completion{Napi::Promise::Deferred::New(env), {}};
    Napi::Promise promise = completion->deferred.Promise();
    if (bridge_->in_flight++ == 0) bridge_->tsfn.Ref(env);
    Tsfn tsfn = bridge_->tsfn;
    backend_->Submit(std::move(op), [tsfn, completion](StoreOpResult&& result) mutable {
      completion->result = std::move(result);
      // Never blocks (the queue is unbounded). Fails only while the
      // environment is being torn down; the promise is then unobservable.
      if (tsfn.NonBlockingCall(completion) != napi_ok) delete completion;
    });
    return promise;
  }

  // Closing waits for the backend, so it runs on the libuv pool.
  class CloseWorker : public PromiseWorker {
   public:
    CloseWorker(Napi::Env env, NativeStore* store)
        : PromiseWorker(env, "hookwise.store.close"), store_(store) {
      keep_alive_ = Napi::Persistent(store->Value());
    }

   protected:
    void Execute() override { store_->backend_->Close(); }
    void OnOK() override {
      store_->Shutdown();  // releases the thread-safe function
      Resolve(Env().Undefined());
    }

   private:
    NativeStore* store_;
    Napi::ObjectReference keep_alive_;
  };

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (inline_ || !backend_) {
      Shutdown();
      return env.Undefined();
    }
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
    Napi::Env env = info.Env();
    if (!info[0].IsNumber()) return ThrowTypeError(env, "advanceClock(ms)");
    if (!backend_) {
      StoreErrorToJs(env, kClosed).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    backend_->Clock().Advance(ClampToInt64(info[0].As<Napi::Number>().DoubleValue()));
    return env.Undefined();
  }

  std::shared_ptr<StoreBackend> backend_;
  bool inline_ = true;
  bool keep_payloads_ = false;
  Bridge* bridge_ = nullptr;
  Napi::Reference<Napi::Float64Array> claim_slots_;  // set by useClaimSlots (inline only)
  bool closed_ = false;
  bool hook_registered_ = false;
};

}  // namespace

Napi::Function DefineStoreClass(Napi::Env env, const char* name, OpenStoreBackend open) {
  return NativeStore::Define(env, name, open);
}

Napi::Object ClaimResultLayout(Napi::Env env) {
  Napi::Object layout = Napi::Object::New(env);
  layout.Set("size", static_cast<double>(kClaimSlotCount));
  layout.Set("status", static_cast<double>(kClaimStatusSlot));
  layout.Set("attempt", static_cast<double>(kClaimAttemptSlot));
  // statuses[code] is the status's name, as a store's claim() returns it.
  constexpr int kStatusCount = static_cast<int>(ClaimStatus::kBlocked) + 1;  // the last one
  Napi::Array statuses = Napi::Array::New(env, kStatusCount);
  for (int code = 0; code < kStatusCount; ++code) {
    const std::string_view name = ClaimStatusName(static_cast<ClaimStatus>(code));
    statuses.Set(static_cast<std::uint32_t>(code),
                 Napi::String::New(env, name.data(), name.size()));
  }
  layout.Set("statuses", statuses);
  return layout;
}

}  // namespace hookwise::addon
