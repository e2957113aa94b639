#include "src/addon/verify_binding.h"

#include <memory>
#include <utility>

#include "src/addon/promise_worker.h"
#include "src/addon/value_conversion.h"
#include "src/addon/verify_inputs.h"
#include "src/core/hmac_sha256.h"
#include "src/core/webhook_verifier.h"

namespace hookwise::addon {
namespace {

bool ReadVerifyInputs(const Napi::CallbackInfo& info, VerifyInputs& in) {
  if (info.Length() < 5) return false;
  in.payload_is_raw = !info[0].IsNull();
  if (in.payload_is_raw && !ReadBytes(info[0], in.payload)) return false;
  return in.ReadAfterPayload(info);
}

Napi::Value Verify(const Napi::CallbackInfo& info) {
  // One per thread: the addon's synchronous calls all run on the JS thread of
  // their isolate, and reusing the buffers keeps steady-state calls
  // allocation-free. The payload is only viewed: no JS runs until we return.
  thread_local VerifyInputs in;
  WipeWhenDone wipe(in.secrets);
  if (!ReadVerifyInputs(info, in)) {
    return ThrowTypeError(info.Env(), "verify(payload, header, secrets, tolerance, receivedAt)");
  }
  return Napi::Number::New(info.Env(),
                           static_cast<int>(VerifyWebhook(in.Request(in.payload.bytes))));
}

// Verification on the libuv thread pool, for bodies large enough that the HMAC
// would otherwise hold the event loop. The worker owns its inputs: the payload
// is copied on the JS thread (ByteSource::Own) before the pool reads it, so
// the caller may reuse, transfer or detach its buffer at once.
class VerifyWorker : public PromiseWorker {
 public:
  // `in` already read, checked and owned (see PromiseWorker).
  VerifyWorker(Napi::Env env, std::unique_ptr<VerifyInputs> in)
      : PromiseWorker(env, "hookwise.verify"), in_(std::move(in)) {}

 protected:
  void Execute() override {
    status_ = VerifyWebhook(in_->Request(in_->payload.bytes));
    // A pool thread runs other callers' work next: leave no secret behind.
    // Re-keying costs about a microsecond, next to >= 40 µs of HMAC for the
    // bodies (>= 64 KiB) that come here.
    in_->secrets.Wipe();
    HmacSha256::ThreadLocal().Forget();
  }
  void OnOK() override { Resolve(Napi::Number::New(Env(), static_cast<int>(status_))); }

 private:
  // Heap-allocated so that the payload's bytes, which point into
  // `in_->payload.storage`, never move.
  std::unique_ptr<VerifyInputs> in_;
  VerifyStatus status_ = VerifyStatus::kInternalError;
};

Napi::Value VerifyAsync(const Napi::CallbackInfo& info) {
  auto in = std::make_unique<VerifyInputs>();
  if (!ReadVerifyInputs(info, *in)) {
    return ThrowTypeError(info.Env(),
                          "verifyAsync(payload, header, secrets, tolerance, receivedAt)");
  }
  in->payload.Own();
  return PromiseWorker::Start(new VerifyWorker(info.Env(), std::move(in)));
}

// The JS thread's HMAC context keeps the last secret between calls (the
// steady-state optimisation of src/core/hmac_sha256.h); it is wiped when the
// environment goes away, as well as at thread exit.
void ForgetCachedKey(void*) { HmacSha256::ThreadLocal().Forget(); }

}  // namespace

void InitVerify(Napi::Env env, Napi::Object exports) {
  exports.Set("verify", Napi::Function::New(env, Verify, "verify"));
  exports.Set("verifyAsync", Napi::Function::New(env, VerifyAsync, "verifyAsync"));
  napi_add_env_cleanup_hook(env, ForgetCachedKey, nullptr);
}

}  // namespace hookwise::addon
