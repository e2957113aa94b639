// libFuzzer target: the event envelope parser on arbitrary bytes.
// Besides "no crash, no sanitizer report", it checks the parser's promise
// against simdjson's own DOM: when the status is kOk, the members are exactly
// the root object's members, in order, each key span holding the key's bytes
// and each value span holding a complete JSON value equal to the member's
// value (compared in minified form).
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "src/core/event_envelope.h"

namespace {

std::string Minified(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(simdjson::padded_string(json)).get(element) != simdjson::SUCCESS) std::abort();
  return simdjson::minify(element);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto envelope = std::make_unique<hookwise::EventEnvelope>();
  hookwise::ParseEventEnvelope({data, size}, /*skip_bom=*/true, *envelope);
  if (envelope->status != hookwise::EnvelopeStatus::kOk) {
    if (envelope->member_count != 0) std::abort();
    return 0;
  }
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const std::size_t bom = body.starts_with("\xEF\xBB\xBF") ? 3 : 0;

  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(simdjson::padded_string(body.substr(bom))).get_object().get(root) !=
      simdjson::SUCCESS) {
    std::abort();  // kOk promised a valid document with an object root
  }
  if (root.size() != envelope->member_count) std::abort();
  std::size_t i = 0;
  std::uint32_t previous_end = 0;
  for (simdjson::dom::key_value_pair field : root) {
    const hookwise::TopLevelMember& m = envelope->members[i++];
    if (m.key.begin < previous_end || m.key.end < m.key.begin || m.value.begin < m.key.end ||
        m.value.end <= m.value.begin || m.value.end > size) {
      std::abort();
    }
    previous_end = m.value.end;
    if (body.substr(m.key.begin, m.key.size()) != field.key) std::abort();
    const std::string_view value = body.substr(m.value.begin, m.value.size());
    if (Minified(value) != simdjson::minify(field.value)) std::abort();
  }
  return 0;
}
