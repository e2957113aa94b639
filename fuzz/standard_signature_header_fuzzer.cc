// libFuzzer target: the Standard Webhooks header parsers on arbitrary bytes
// (src/core/standard_signature_header.h), and the verifier fed them as its
// `webhook-signature` and `webhook-timestamp`. Besides "no crash, no sanitizer
// report", it checks the parsers' promises: every item's value lies inside the
// input and holds no space; an accepted timestamp is all digits and its
// canonical text re-parses to the same value; and no fuzzed signature header
// verifies against fixed keys (a forgery would be a finding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "src/core/standard_signature_header.h"
#include "src/core/standard_webhook_verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::vector<hookwise::StandardSignature> items;
  hookwise::ParseStandardSignatures(input, items);
  for (const hookwise::StandardSignature& item : items) {
    if (!item.value.empty() &&
        (item.value.data() < input.data() ||
         item.value.data() + item.value.size() > input.data() + input.size())) {
      std::abort();
    }
    if (item.value.find(' ') != std::string_view::npos) std::abort();
  }

  hookwise::StandardTimestamp timestamp;
  if (hookwise::ParseStandardTimestamp(input, timestamp)) {
    if (input.find_first_not_of("0123456789") != std::string_view::npos) std::abort();
    hookwise::StandardTimestamp again;
    if (!hookwise::ParseStandardTimestamp(timestamp.view(), again) ||
        again.value != timestamp.value || again.view() != timestamp.view()) {
      std::abort();
    }
    if (timestamp.length > 1 && timestamp.text[0] == '0') std::abort();
  }

  if (!input.empty()) {
    static const std::string_view keys[] = {
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
    };
    hookwise::StandardVerifyRequest request;
    const std::string_view payload = R"({"type":"user.created"})";
    request.payload = {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()};
    request.id = "msg_fuzz";
    request.timestamp = "1700000000";
    request.signature = input;
    request.keys = keys;
    request.tolerance_seconds = 0;
    if (hookwise::VerifyStandardWebhook(request) !=
        hookwise::StandardStatus::kNoMatchingSignature) {
      std::abort();
    }
  }
  return 0;
}
