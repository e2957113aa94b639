#include "src/addon/verify_inputs.h"

namespace hookwise::addon {

bool VerifyInputs::ReadAfterPayload(const Napi::CallbackInfo& info) {
  if (info.Length() < 5) return false;
  if (!ReadUtf8(info[1], header)) return false;
  if (!secrets.Read(info[2])) return false;
  if (!info[3].IsNumber() || !info[4].IsNumber()) return false;
  tolerance_seconds = info[3].As<Napi::Number>().DoubleValue();
  received_at_ms = info[4].As<Napi::Number>().DoubleValue();
  return true;
}

VerifyRequest VerifyInputs::Request(std::span<const std::uint8_t> body) const {
  VerifyRequest request;
  if (payload_is_raw) request.payload = body;
  request.header = header;
  request.secrets = secrets.views();
  request.tolerance_seconds = tolerance_seconds;
  request.received_at_ms = received_at_ms;
  return request;
}

}  // namespace hookwise::addon
