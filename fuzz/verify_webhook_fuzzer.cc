// libFuzzer target: full verification (header x body x secrets) on arbitrary
// bytes. The input is split into header, body and up to three secrets at 0xFF
// separators. Random inputs must never verify unless their header carries the
// right MAC, which the fuzzer can only find by building it: so when the result
// is kOk, recompute the MAC independently and require a matching candidate.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "src/core/hmac_sha256.h"
#include "src/core/signature_header.h"
#include "src/core/webhook_verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (parts.size() < 4) {
    std::size_t sep = input.find('\xff', pos);
    if (sep == std::string_view::npos) break;
    parts.push_back(input.substr(pos, sep - pos));
    pos = sep + 1;
  }
  parts.push_back(input.substr(pos));
  std::string_view header = parts[0];
  std::string_view body = parts.size() > 1 ? parts[1] : std::string_view();
  std::vector<std::string_view> secrets(parts.begin() + (parts.size() > 2 ? 2 : parts.size()),
                                        parts.end());

  hookwise::VerifyRequest request;
  request.payload = std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(body.data()), body.size());
  request.header = header;
  request.secrets = secrets;
  request.tolerance_seconds = size % 3 == 0 ? 0 : 300;
  request.received_at_ms = 1700000000000.0;
  auto status = hookwise::VerifyWebhook(request);

  if (status == hookwise::VerifyStatus::kOk) {
    hookwise::SignatureHeader parsed;
    if (hookwise::ParseSignatureHeader(header, parsed) != hookwise::HeaderParseStatus::kOk) {
      std::abort();
    }
    bool found = false;
    for (std::string_view secret : secrets) {
      std::string text = std::string(parsed.timestamp.view()) + "." + std::string(body);
      hookwise::Sha256Digest digest{};
      hookwise::ComputeHmacSha256(
          {reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()},
          {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, digest);
      std::string hex = hookwise::ToLowerHex(digest);
      for (std::string_view candidate : parsed.v1) found |= candidate == hex;
    }
    if (!found) std::abort();
  }
  return 0;
}
