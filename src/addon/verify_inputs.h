// What one signature check reads from JS, shared by verify(Async) and
// verifyAndParse(Async): the payload, then (header, secrets, toleranceSeconds,
// receivedAtMs) as arguments 1 to 4. The secrets are wiped when the call ends
// (src/addon/secret_strings.h).
#pragma once

#include <napi.h>

#include <cstdint>
#include <span>
#include <string>

#include "src/addon/secret_strings.h"
#include "src/addon/value_conversion.h"
#include "src/core/webhook_verifier.h"

namespace hookwise::addon {

struct VerifyInputs {
  ByteSource payload;
  // False for a null payload (the caller was given a parsed object).
  bool payload_is_raw = true;
  std::string header;
  SecretStrings secrets;
  double tolerance_seconds = 300;
  double received_at_ms = 0;

  // info[1..4]: header, secrets, toleranceSeconds, receivedAtMs.
  bool ReadAfterPayload(const Napi::CallbackInfo& info);

  // The request over `body`: the payload's bytes, or hookwise's copy of them.
  VerifyRequest Request(std::span<const std::uint8_t> body) const;
};

}  // namespace hookwise::addon
