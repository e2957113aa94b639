#include "src/addon/memory_store_binding.h"

#include <memory>
#include <string>

#include "src/addon/store_conversion.h"
#include "src/addon/value_conversion.h"
#include "src/core/memory_store.h"

namespace hookwise::addon {
namespace {

class NativeMemoryStore : public Napi::ObjectWrap<NativeMemoryStore> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeMemoryStore",
                       {
                           InstanceMethod<&NativeMemoryStore::Claim>("claim"),
                           InstanceMethod<&NativeMemoryStore::Complete>("complete"),
                           InstanceMethod<&NativeMemoryStore::Fail>("fail"),
                           InstanceMethod<&NativeMemoryStore::LastApplied>("lastApplied"),
                           InstanceMethod<&NativeMemoryStore::MarkApplied>("markApplied"),
                           InstanceMethod<&NativeMemoryStore::Get>("get"),
                           InstanceMethod<&NativeMemoryStore::List>("list"),
                           InstanceMethod<&NativeMemoryStore::Requeue>("requeue"),
                           InstanceMethod<&NativeMemoryStore::Purge>("purge"),
                           InstanceMethod<&NativeMemoryStore::Close>("close"),
                           InstanceMethod<&NativeMemoryStore::AdvanceClock>("advanceClock"),
                       });
  }

  // new NativeMemoryStore(name|null, maxEntries, retentionMs)
  explicit NativeMemoryStore(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeMemoryStore>(info) {
    std::optional<std::string> name;
    if (info.Length() < 3 || !ReadOptionalUtf8(info[0], name) || !info[1].IsNumber() ||
        !info[2].IsNumber()) {
      ThrowTypeError(info.Env(), "NativeMemoryStore(name, maxEntries, retentionMs)");
      return;
    }
    MemoryStore::Options options;
    options.max_entries = static_cast<std::size_t>(info[1].As<Napi::Number>().DoubleValue());
    options.retention_ms = ClampToInt64(info[2].As<Napi::Number>().DoubleValue());
    options.clock = std::make_shared<SystemStoreClock>();
    store_ = name ? OpenNamedMemoryStore(*name, options) : std::make_shared<MemoryStore>(options);
  }

 private:
  // The store, or a pending "closed" error and null.
  MemoryStore* Open(Napi::Env env) {
    if (!store_) {
      StoreErrorToJs(env, StoreError{StoreErrorCode::kClosed, "the store is closed"})
          .ThrowAsJavaScriptException();
    }
    return store_.get();
  }

  template <typename T>
  bool Check(Napi::Env env, const StoreResult<T>& result) {
    if (result.ok()) return true;
    StoreErrorToJs(env, result.error).ThrowAsJavaScriptException();
    return false;
  }

  Napi::Value Claim(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    thread_local std::string id;
    thread_local ClaimMeta meta;
    if (!ReadUtf8(info[0], id) || !ReadClaimMeta(info, 1, meta)) {
      return ThrowTypeError(env, "claim(id, type, created, objectId, leaseMs, payload)");
    }
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    auto result = store->ClaimEvent(id, meta);
    if (!Check(env, result)) return env.Undefined();
    return ClaimToJs(env, result.value);
  }

  Napi::Value Complete(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    thread_local std::string id;
    thread_local std::string token;
    if (!ReadUtf8(info[0], id) || !ReadUtf8(info[1], token)) {
      return ThrowTypeError(env, "complete(id, token)");
    }
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    auto result = store->CompleteEvent(id, token);
    if (!Check(env, result)) return env.Undefined();
    return Napi::Boolean::New(env, result.value);
  }

  Napi::Value Fail(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string id, token, error;
    if (!ReadUtf8(info[0], id) || !ReadUtf8(info[1], token) || !ReadUtf8(info[2], error) ||
        !info[3].IsNumber()) {
      return ThrowTypeError(env, "fail(id, token, error, maxAttempts)");
    }
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    auto max_attempts = ClampToInt64(info[3].As<Napi::Number>().DoubleValue());
    auto result = store->FailEvent(id, token, error, max_attempts);
    if (!Check(env, result)) return env.Undefined();
    return FailOutcomeToJs(env, result.value);
  }

  Napi::Value LastApplied(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string object_id;
    if (!ReadUtf8(info[0], object_id)) return ThrowTypeError(env, "lastApplied(objectId)");
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    auto result = store->LastApplied(object_id);
    if (!Check(env, result)) return env.Undefined();
    if (!result.value) return env.Null();
    return Napi::Number::New(env, static_cast<double>(*result.value));
  }

  Napi::Value MarkApplied(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string object_id, event_id;
    if (!ReadUtf8(info[0], object_id) || !info[1].IsNumber() || !ReadUtf8(info[2], event_id)) {
      return ThrowTypeError(env, "markApplied(objectId, created, eventId)");
    }
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    auto created = ClampToInt64(info[1].As<Napi::Number>().DoubleValue());
    auto result = store->MarkApplied(object_id, created, event_id);
    Check(env, result);
    return env.Undefined();
  }

  Napi::Value Get(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string id;
    if (!ReadUtf8(info[0], id)) return ThrowTypeError(env, "get(id)");
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    auto result = store->GetEvent(id);
    if (!Check(env, result)) return env.Undefined();
    if (!result.value) return env.Null();
    return RecordToJs(env, *result.value, /*include_payload=*/false);
  }

  Napi::Value List(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ListQuery query;
    if (!ReadListQuery(info, 0, query))
      return ThrowTypeError(env, "list(status, type, before, limit)");
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    auto result = store->ListEvents(query);
    if (!Check(env, result)) return env.Undefined();
    Napi::Array out = Napi::Array::New(env, result.value.size());
    for (std::size_t i = 0; i < result.value.size(); ++i) {
      out.Set(static_cast<std::uint32_t>(i), RecordToJs(env, result.value[i], false));
    }
    return out;
  }

  Napi::Value Requeue(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string id;
    if (!ReadUtf8(info[0], id)) return ThrowTypeError(env, "requeue(id)");
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    auto result = store->RequeueEvent(id);
    if (!Check(env, result)) return env.Undefined();
    return Napi::Boolean::New(env, result.value);
  }

  Napi::Value Purge(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsNumber()) return ThrowTypeError(env, "purge(olderThanMs)");
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    auto result = store->Purge(ClampToInt64(info[0].As<Napi::Number>().DoubleValue()));
    if (!Check(env, result)) return env.Undefined();
    return Napi::Number::New(env, static_cast<double>(result.value));
  }

  // Detaches this handle; a named store lives on for its other handles.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    store_.reset();
    return info.Env().Undefined();
  }

  // Tests only: moves this store's clock forward by `ms`.
  Napi::Value AdvanceClock(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsNumber()) return ThrowTypeError(env, "advanceClock(ms)");
    MemoryStore* store = Open(env);
    if (!store) return env.Undefined();
    store->options().clock->Advance(ClampToInt64(info[0].As<Napi::Number>().DoubleValue()));
    return env.Undefined();
  }

  std::shared_ptr<MemoryStore> store_;
};

}  // namespace

void InitMemoryStore(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeMemoryStore", NativeMemoryStore::Define(env));
}

}  // namespace hookwise::addon
