#include "src/addon/verify_binding.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/addon/promise_worker.h"
#include "src/addon/value_conversion.h"
#include "src/core/webhook_verifier.h"

namespace hookwise::addon {
namespace {

// Everything one verification needs, owned, so it can cross to a worker thread.
struct VerifyArgs {
  ByteSource payload;
  bool payload_is_raw = true;
  std::string header;
  std::vector<std::string> secrets;
  std::vector<std::string_view> secret_views;
  double tolerance_seconds = 300;
  double received_at_ms = 0;

  VerifyStatus Run() {
    secret_views.assign(secrets.begin(), secrets.end());
    VerifyRequest request;
    if (payload_is_raw) request.payload = payload.bytes;
    request.header = header;
    request.secrets = secret_views;
    request.tolerance_seconds = tolerance_seconds;
    request.received_at_ms = received_at_ms;
    return VerifyWebhook(request);
  }
};

bool ReadVerifyArgs(const Napi::CallbackInfo& info, VerifyArgs& args) {
  if (info.Length() < 5) return false;
  args.payload_is_raw = !info[0].IsNull();
  if (args.payload_is_raw && !ReadBytes(info[0], args.payload)) return false;
  if (!ReadUtf8(info[1], args.header)) return false;
  if (!ReadStringArray(info[2], args.secrets)) return false;
  if (!info[3].IsNumber() || !info[4].IsNumber()) return false;
  args.tolerance_seconds = info[3].As<Napi::Number>().DoubleValue();
  args.received_at_ms = info[4].As<Napi::Number>().DoubleValue();
  return true;
}

Napi::Value Verify(const Napi::CallbackInfo& info) {
  // One per thread: the addon's synchronous calls all run on the JS thread of
  // their isolate, and reusing the buffers keeps steady-state calls allocation-free.
  thread_local VerifyArgs args;
  if (!ReadVerifyArgs(info, args)) {
    return ThrowTypeError(info.Env(), "verify(payload, header, secrets, tolerance, receivedAt)");
  }
  return Napi::Number::New(info.Env(), static_cast<int>(args.Run()));
}

// Verification on the libuv thread pool, for bodies large enough that the HMAC
// would otherwise hold the event loop. A typed-array payload is not copied: the
// worker holds a reference to it so it stays alive, and the caller must not
// modify it until the promise settles (constructEventAsync's contract).
class VerifyWorker : public PromiseWorker {
 public:
  // `args` already read and checked (see PromiseWorker).
  VerifyWorker(Napi::Env env, Napi::Value payload, std::unique_ptr<VerifyArgs> args)
      : PromiseWorker(env, "hookwise.verify"), args_(std::move(args)) {
    if (payload.IsObject()) payload_ref_ = Napi::Persistent(payload.As<Napi::Object>());
  }

 protected:
  void Execute() override { status_ = args_->Run(); }
  void OnOK() override { Resolve(Napi::Number::New(Env(), static_cast<int>(status_))); }

 private:
  Napi::ObjectReference payload_ref_;
  // Heap-allocated so that the string payload's bytes, which point into
  // `args_->payload.storage`, never move.
  std::unique_ptr<VerifyArgs> args_;
  VerifyStatus status_ = VerifyStatus::kInternalError;
};

Napi::Value VerifyAsync(const Napi::CallbackInfo& info) {
  auto args = std::make_unique<VerifyArgs>();
  if (!ReadVerifyArgs(info, *args)) {
    return ThrowTypeError(info.Env(),
                          "verifyAsync(payload, header, secrets, tolerance, receivedAt)");
  }
  return PromiseWorker::Start(new VerifyWorker(info.Env(), info[0], std::move(args)));
}

}  // namespace

void InitVerify(Napi::Env env, Napi::Object exports) {
  exports.Set("verify", Napi::Function::New(env, Verify, "verify"));
  exports.Set("verifyAsync", Napi::Function::New(env, VerifyAsync, "verifyAsync"));
}

}  // namespace hookwise::addon
