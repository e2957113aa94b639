#include "src/addon/event_binding.h"

#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "src/addon/envelope_layout.h"
#include "src/addon/parallel_parse.h"
#include "src/addon/promise_worker.h"
#include "src/addon/value_conversion.h"
#include "src/addon/verify_inputs.h"
#include "src/core/event_envelope.h"
#include "src/core/hmac_sha256.h"
#include "src/core/webhook_verifier.h"

namespace hookwise::addon {
namespace {

// The layout of `out` and its codes: src/addon/envelope_layout.h, which JS reads at load.
using namespace envelope_layout;

// From this size on, the parse runs on the helper thread during the HMAC
// (src/addon/parallel_parse.h). The hand-off (waking the helper) costs tens of
// microseconds on the VMs measured, so it pays only where the parse it hides
// is longer. On the 2-core Intel VM of 2026-12-02 (quiet, docs/BENCHMARKS.md):
// 20-64 KB 10-80% slower, 80 KB equal, 96 KB 6% faster, 128 KB 10-15%,
// 256-400 KB 17%, 1.3 MB 7%. (An earlier 2-core AMD VM, shared with other
// work, found 40-400 KB 1-11 µs slower and chose 512 KiB.)
constexpr std::size_t kParallelParseBytes = 96 * 1024;

// A string payload's UTF-8 encoding in one pass: V8 writes into a buffer
// sized for the worst case (3 bytes per UTF-16 unit) plus the parser's
// padding, instead of measuring the encoded length first (a second full pass,
// as napi_get_value_string_utf8 with a null buffer does). Lone surrogates
// become U+FFFD, exactly as ReadUtf8 (and Buffer.from) encode them.
class Utf8Copy {
 public:
  bool Read(const Napi::Value& value, std::span<const std::uint8_t>& bytes) {
    napi_env env = value.Env();
    std::size_t units = 0;
    if (napi_get_value_string_utf16(env, value, nullptr, 0, &units) != napi_ok) return false;
    const std::size_t needed = units * 3 + 1 + kEnvelopePadding;
    if (needed > capacity_ || capacity_ > kRetainedBytes) {
      data_.reset(new (std::nothrow) char[needed]);
      capacity_ = data_ ? needed : 0;
      if (!data_) return false;
    }
    std::size_t written = 0;
    if (napi_get_value_string_utf8(env, value, data_.get(), units * 3 + 1, &written) != napi_ok) {
      return false;
    }
    bytes = {reinterpret_cast<const std::uint8_t*>(data_.get()), written};
    return true;
  }

 private:
  // Past this, the buffer is not kept for the next call.
  static constexpr std::size_t kRetainedBytes = std::size_t{8} << 20;
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
};

struct ParseArgs {
  // The payload, header, secrets, tolerance and receipt time. For bytes with a
  // snapshot, `in.payload` views the snapshot once ReadParseArgs has copied
  // the body into it.
  VerifyInputs in;
  // >= 0: the payload is a JS string of this length. kSnapshotBytes: bytes,
  // copied into `snapshot`. kDecodedBytes: bytes lib decodes to a string.
  double js_length = kSnapshotBytes;
  bool body_is_ascii = true;
  // Bytes payloads: hookwise's own copy of the body, with kEnvelopePadding
  // bytes to spare, allocated by lib/engine/native/envelope.js. The event's lazy members
  // read from it later, so a caller reusing its Buffer cannot change them.
  // The body is copied into it on the JS thread, as the arguments are read;
  // lib gives it to no one before the call settles, so nothing can detach it
  // while a pool thread reads it (the async worker also holds a reference).
  std::span<std::uint8_t> snapshot;
  // String payloads: their UTF-8 encoding, with the padding after it.
  Utf8Copy string_copy;
  // Heap-allocated: an envelope is a few KB and ParseArgs lives in a
  // thread_local or an AsyncWorker.
  std::unique_ptr<EventEnvelope> envelope = std::make_unique<EventEnvelope>();
  VerifyStatus status = VerifyStatus::kInternalError;
  // True only for parseVerified: the caller has verified the body by another
  // scheme (Standard Webhooks, src/addon/standard_webhook_binding.h).
  bool verified_elsewhere = false;

  VerifyStatus Verify(const VerifyRequest& request) const {
    return verified_elsewhere ? VerifyStatus::kOk : VerifyWebhook(request);
  }

  void Run() {
    const std::span<const std::uint8_t> body = in.payload.bytes;
    const VerifyRequest request = in.Request(body);
    // A snapshot and a string's UTF-8 copy both have the padding simdjson
    // needs after the body; bytes the caller decodes itself (kDecodedBytes)
    // are copied into the core's per-thread padded buffer instead.
    const bool is_string = js_length >= 0;
    const bool padded = is_string || !snapshot.empty();
    if (in.payload_is_raw && padded && body.size() >= kParallelParseBytes) {
      ParallelParse parallel;
      parallel.Start(body, /*skip_bom=*/!is_string, envelope.get());
      status = Verify(request);
      parallel.Finish(/*need_result=*/status == VerifyStatus::kOk);
      if (status != VerifyStatus::kOk) return;
    } else {
      status = Verify(request);
      if (status != VerifyStatus::kOk) return;
      if (padded) {
        ParsePaddedEventEnvelope(body, /*skip_bom=*/!is_string, *envelope);
      } else {
        ParseEventEnvelope(body, /*skip_bom=*/true, *envelope);
      }
    }
    body_is_ascii = true;
    if (is_string) {
      if (static_cast<double>(body.size()) != js_length) ToUtf16Offsets();
    } else if (js_length == kDecodedBytes && envelope->status == EnvelopeStatus::kOk) {
      // An ASCII body is decoded by lib into one latin1 string, whose indices
      // are these byte offsets; any other is copied and sliced field by field.
      body_is_ascii = CountUtf16Units(body) == body.size();
    }
  }

  // Member offsets increase through the array, so one cursor converts them all.
  void ToUtf16Offsets() {
    std::size_t byte = 0;
    std::size_t units = 0;
    auto convert = [&](std::uint32_t& offset) {
      units += CountUtf16Units(in.payload.bytes.subspan(byte, offset - byte));
      byte = offset;
      offset = static_cast<std::uint32_t>(units);
    };
    for (std::size_t i = 0; i < envelope->member_count; ++i) {
      TopLevelMember& m = envelope->members[i];
      convert(m.key.begin);
      convert(m.key.end);
      convert(m.value.begin);
      convert(m.value.end);
    }
  }

  void Write(double* out) const {
    const EventEnvelope& e = *envelope;
    out[kStatus] = static_cast<double>(e.status);
    out[kReason] = static_cast<double>(e.reason);
    out[kMemberCount] = static_cast<double>(e.member_count);
    out[kObjectIdKind] = static_cast<double>(e.data_object_id.kind);
    out[kObjectIdKnown] = e.data_object_id.known ? 1 : 0;
    out[kObjectTypeKind] = static_cast<double>(e.data_object_object.kind);
    out[kObjectTypeKnown] = e.data_object_object.known ? 1 : 0;
    out[kBodyIsAscii] = body_is_ascii ? 1 : 0;
    for (std::size_t i = 0; i < e.member_count; ++i) {
      const TopLevelMember& m = e.members[i];
      double* slot = out + kHeaderSlots + kMemberSlots * i;
      slot[kKeyCode] = m.key_code;
      slot[kKeyBegin] = m.key.begin;
      slot[kKeyEnd] = m.key.end;
      slot[kKind] = static_cast<double>(m.kind);
      slot[kValueBegin] = m.value.begin;
      slot[kValueEnd] = m.value.end;
      slot[kFlags] = (m.value_has_escape ? kValueHasEscape : 0) +
                     (m.number_is_exact ? kNumberIsExact : 0) +
                     (m.key_is_ascii ? 0 : kKeyNotAscii) + (m.value_is_ascii ? 0 : kValueNotAscii);
      slot[kNumber] = m.number_is_exact ? m.number : 0;
    }
  }

  void WriteStrings(Napi::Env env, Napi::Value strings) const {
    if (!strings.IsArray()) return;
    Napi::Array array = strings.As<Napi::Array>();
    const NestedField* fields[] = {&envelope->data_object_id, &envelope->data_object_object};
    for (std::uint32_t i = 0; i < 2; ++i) {
      if (!fields[i]->known) continue;
      const std::string_view text = fields[i]->text();
      array.Set(i, Napi::String::New(env, text.data(), text.size()));
    }
  }
};

bool ReadOut(const Napi::Value& value, double*& out) {
  if (!value.IsTypedArray()) return false;
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (array.TypedArrayType() != napi_float64_array) return false;
  Napi::Float64Array doubles = value.As<Napi::Float64Array>();
  if (doubles.ElementLength() < kOutSize) return false;
  out = doubles.Data();
  return true;
}

// The payload, its jsLength and its snapshot (info[0], info[js_length_at],
// info[js_length_at + 1]).
bool ReadPayloadArgs(const Napi::CallbackInfo& info, std::size_t js_length_at, ParseArgs& args) {
  if (info.Length() < js_length_at + 2) return false;
  ByteSource& payload = args.in.payload;
  const bool raw = args.in.payload_is_raw = !info[0].IsNull();
  const Napi::Value js_length = info[js_length_at];
  const Napi::Value snapshot_value = info[js_length_at + 1];
  args.snapshot = {};
  if (raw && info[0].IsString()) {
    payload.is_typed_array = false;
    if (!args.string_copy.Read(info[0], payload.bytes)) return false;
  } else if (raw && js_length.IsNumber() &&
             js_length.As<Napi::Number>().DoubleValue() == kDecodedBytes) {
    if (!ReadBytes(info[0], payload) || !payload.is_typed_array) return false;
  } else if (raw) {
    if (!ReadBytes(info[0], payload) || !payload.is_typed_array) return false;
    if (!snapshot_value.IsTypedArray() ||
        snapshot_value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      return false;
    }
    Napi::Uint8Array snapshot = snapshot_value.As<Napi::Uint8Array>();
    if (snapshot.ByteLength() < payload.bytes.size() + kEnvelopePadding) return false;
    args.snapshot = {snapshot.Data(), snapshot.ByteLength()};
    // From here on the body is read from hookwise's copy only.
    std::memmove(args.snapshot.data(), payload.bytes.data(), payload.bytes.size());
    payload.bytes = args.snapshot.first(payload.bytes.size());
  }
  if (!js_length.IsNumber()) return false;
  args.js_length = js_length.As<Napi::Number>().DoubleValue();
  if (args.js_length >= 0 && (payload.is_typed_array || !raw)) return false;
  return true;
}

bool ReadParseArgs(const Napi::CallbackInfo& info, ParseArgs& args) {
  if (info.Length() < 9) return false;
  return ReadPayloadArgs(info, 7, args) && args.in.ReadAfterPayload(info);
}

constexpr const char* kUsage =
    "verifyAndParse(payload, header, secrets, tolerance, receivedAt, out, strings, jsLength, "
    "snapshot)";

Napi::Value VerifyAndParse(const Napi::CallbackInfo& info) {
  // One per thread, reused: steady-state calls allocate nothing here. The
  // payload is only viewed: no JS runs until we return.
  thread_local ParseArgs args;
  WipeWhenDone wipe(args.in.secrets);
  double* out = nullptr;
  if (!ReadParseArgs(info, args) || !ReadOut(info[5], out)) {
    return ThrowTypeError(info.Env(), kUsage);
  }
  args.Run();
  if (args.status == VerifyStatus::kOk) {
    args.Write(out);
    args.WriteStrings(info.Env(), info[6]);
  }
  return Napi::Number::New(info.Env(), static_cast<int>(args.status));
}

// parseVerified(payload, out, strings, jsLength, snapshot) -> VerifyStatus
// (always kOk): the envelope parse of verifyAndParse without its Stripe
// signature check, for bodies lib has verified by the Standard Webhooks
// scheme. Synchronous only: the expensive part of that scheme (the HMAC) has
// its own async call.
Napi::Value ParseVerified(const Napi::CallbackInfo& info) {
  thread_local ParseArgs args;
  double* out = nullptr;
  if (!ReadPayloadArgs(info, 3, args) || !args.in.payload_is_raw || !ReadOut(info[1], out)) {
    return ThrowTypeError(info.Env(), "parseVerified(payload, out, strings, jsLength, snapshot)");
  }
  args.verified_elsewhere = true;
  args.Run();
  args.Write(out);
  args.WriteStrings(info.Env(), info[2]);
  return Napi::Number::New(info.Env(), static_cast<int>(args.status));
}

// The same on the libuv thread pool. The worker owns its inputs: the body was
// copied on the JS thread (into the snapshot, or into native memory for a
// string or a payload lib decodes itself), so the caller may reuse, transfer
// or detach its buffer at once. `out` and `strings` are referenced and written
// on the JS thread in OnOK (`out` checked again there). Created only once the
// arguments are read and checked (see PromiseWorker).
class VerifyAndParseWorker : public PromiseWorker {
 public:
  VerifyAndParseWorker(const Napi::CallbackInfo& info, std::unique_ptr<ParseArgs> args)
      : PromiseWorker(info.Env(), "hookwise.verifyAndParse"), args_(std::move(args)) {
    if (info[5].IsObject()) out_ref_ = Napi::Persistent(info[5].As<Napi::Object>());
    if (info[6].IsObject()) strings_ref_ = Napi::Persistent(info[6].As<Napi::Object>());
    if (info[8].IsObject()) snapshot_ref_ = Napi::Persistent(info[8].As<Napi::Object>());
  }

 protected:
  void Execute() override {
    args_->Run();
    // A pool thread runs other callers' work next: leave no secret behind
    // (see VerifyWorker in verify_binding.cc).
    args_->in.secrets.Wipe();
    HmacSha256::ThreadLocal().Forget();
  }
  void OnOK() override {
    if (args_->status == VerifyStatus::kOk) {
      double* out = nullptr;
      if (ReadOut(out_ref_.Value(), out)) args_->Write(out);
      args_->WriteStrings(Env(), strings_ref_.Value());
    }
    Resolve(Napi::Number::New(Env(), static_cast<int>(args_->status)));
  }

 private:
  Napi::ObjectReference out_ref_;
  Napi::ObjectReference strings_ref_;
  Napi::ObjectReference snapshot_ref_;
  // Heap-allocated so that the payload's bytes, which may point into it, never move.
  std::unique_ptr<ParseArgs> args_;
};

Napi::Value VerifyAndParseAsync(const Napi::CallbackInfo& info) {
  auto args = std::make_unique<ParseArgs>();
  double* out = nullptr;
  if (!ReadParseArgs(info, *args) || !ReadOut(info[5], out)) {
    return ThrowTypeError(info.Env(), kUsage);
  }
  if (args->js_length == kDecodedBytes) args->in.payload.Own();
  return PromiseWorker::Start(new VerifyAndParseWorker(info, std::move(args)));
}

}  // namespace

void InitEvent(Napi::Env env, Napi::Object exports) {
  exports.Set("verifyAndParse", Napi::Function::New(env, VerifyAndParse, "verifyAndParse"));
  exports.Set("parseVerified", Napi::Function::New(env, ParseVerified, "parseVerified"));
  exports.Set("verifyAndParseAsync",
              Napi::Function::New(env, VerifyAndParseAsync, "verifyAndParseAsync"));
  exports.Set("envelopeLayout", ExportEnvelopeLayout(env));
}

}  // namespace hookwise::addon
