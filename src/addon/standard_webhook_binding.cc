#include "src/addon/standard_webhook_binding.h"

#include <sodium.h>

#include <memory>
#include <string>
#include <utility>

#include "src/addon/promise_worker.h"
#include "src/addon/secret_strings.h"
#include "src/addon/value_conversion.h"
#include "src/core/hmac_sha256.h"
#include "src/core/standard_webhook_verifier.h"

namespace hookwise::addon {
namespace {

// What one verification reads from JS. The header values are copied (they
// are small); the payload is viewed, and copied with payload.Own() when the
// work goes to another thread.
struct StandardInputs {
  ByteSource payload;
  std::string id;
  std::string timestamp;
  std::string signature;
  SecretStrings keys;
  double tolerance_seconds = 300;
  double received_at_ms = 0;

  bool Read(const Napi::CallbackInfo& info) {
    if (info.Length() < 7) return false;
    if (!ReadBytes(info[0], payload) || !ReadUtf8(info[1], id) || !ReadUtf8(info[2], timestamp) ||
        !ReadUtf8(info[3], signature) || !keys.Read(info[4])) {
      return false;
    }
    if (!info[5].IsNumber() || !info[6].IsNumber()) return false;
    tolerance_seconds = info[5].As<Napi::Number>().DoubleValue();
    received_at_ms = info[6].As<Napi::Number>().DoubleValue();
    return true;
  }

  StandardVerifyRequest Request() const {
    StandardVerifyRequest request;
    request.payload = payload.bytes;
    request.id = id;
    request.timestamp = timestamp;
    request.signature = signature;
    request.keys = keys.views();
    request.tolerance_seconds = tolerance_seconds;
    request.received_at_ms = received_at_ms;
    return request;
  }
};

constexpr const char* kVerifyUsage =
    "standardVerify(payload, id, timestamp, signature, keys, tolerance, receivedAt)";

Napi::Value Verify(const Napi::CallbackInfo& info) {
  // One per thread, reused: the synchronous calls run on their isolate's JS
  // thread and cannot interleave. The payload is only viewed.
  thread_local StandardInputs in;
  WipeWhenDone wipe(in.keys);
  if (!in.Read(info)) return ThrowTypeError(info.Env(), kVerifyUsage);
  const StandardStatus status = VerifyStandardWebhook(in.Request());
  return Napi::Number::New(info.Env(), static_cast<int>(status));
}

// On the libuv thread pool, for large bodies. The worker owns its inputs: the
// payload is copied on the JS thread before the worker is queued.
class VerifyWorker : public PromiseWorker {
 public:
  VerifyWorker(Napi::Env env, std::unique_ptr<StandardInputs> in)
      : PromiseWorker(env, "hookwise.standardVerify"), in_(std::move(in)) {}

 protected:
  void Execute() override {
    status_ = VerifyStandardWebhook(in_->Request());
    // A pool thread runs other callers' work next: leave no secret behind.
    in_->keys.Wipe();
    HmacSha256::ThreadLocal().Forget();
  }
  void OnOK() override { Resolve(Napi::Number::New(Env(), static_cast<int>(status_))); }

 private:
  // Heap-allocated so that the payload's bytes, which point into it, never move.
  std::unique_ptr<StandardInputs> in_;
  StandardStatus status_ = StandardStatus::kInternalError;
};

Napi::Value VerifyAsync(const Napi::CallbackInfo& info) {
  auto in = std::make_unique<StandardInputs>();
  if (!in->Read(info)) return ThrowTypeError(info.Env(), kVerifyUsage);
  in->payload.Own();
  return PromiseWorker::Start(new VerifyWorker(info.Env(), std::move(in)));
}

Napi::Value Sign(const Napi::CallbackInfo& info) {
  std::string id;
  std::string timestamp;
  ByteSource payload;
  ByteSource key;
  if (info.Length() < 4 || !ReadUtf8(info[0], id) || !ReadUtf8(info[1], timestamp) ||
      !ReadBytes(info[2], payload) || !info[3].IsString() || !ReadBytes(info[3], key)) {
    return ThrowTypeError(info.Env(), "standardSign(id, timestamp, payload, key)");
  }
  std::string item;
  const StandardStatus status = SignStandardWebhook(
      id, timestamp, payload.bytes,
      {reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()}, item);
  // The key's UTF-8 copy, and the HMAC context's cached key: nothing stays.
  sodium_memzero(key.storage.data(), key.storage.size());
  HmacSha256::ThreadLocal().Forget();
  if (status != StandardStatus::kOk) return Napi::Number::New(info.Env(), static_cast<int>(status));
  return Napi::String::New(info.Env(), item);
}

}  // namespace

void InitStandardWebhook(Napi::Env env, Napi::Object exports) {
  exports.Set("standardVerify", Napi::Function::New(env, Verify, "standardVerify"));
  exports.Set("standardVerifyAsync", Napi::Function::New(env, VerifyAsync, "standardVerifyAsync"));
  exports.Set("standardSign", Napi::Function::New(env, Sign, "standardSign"));
  Napi::Array names = Napi::Array::New(env, kStandardStatusCount);
  for (int i = 0; i < kStandardStatusCount; ++i) {
    const std::string_view name = StandardStatusName(static_cast<StandardStatus>(i));
    names.Set(static_cast<std::uint32_t>(i), Napi::String::New(env, name.data(), name.size()));
  }
  exports.Set("standardStatusNames", names);
}

}  // namespace hookwise::addon
