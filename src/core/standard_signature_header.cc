#include "src/core/standard_signature_header.h"

namespace hookwise {

void ParseStandardSignatures(std::string_view header, std::vector<StandardSignature>& out) {
  out.clear();
  std::size_t pos = 0;
  while (pos <= header.size()) {
    std::size_t end = header.find(' ', pos);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view item = header.substr(pos, end - pos);
    pos = end + 1;
    const std::size_t comma = item.find(',');
    if (comma == std::string_view::npos) continue;
    const std::string_view version = item.substr(0, comma);
    const std::string_view value = item.substr(comma + 1);
    if (version == "v1") {
      out.push_back({StandardScheme::kV1, value});
    } else if (version == "v1a") {
      out.push_back({StandardScheme::kV1a, value});
    }
  }
}

bool ParseStandardTimestamp(std::string_view text, StandardTimestamp& out) {
  constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;
  if (text.empty()) return false;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
    if (value > kMaxSafeInteger) return false;
  }
  out.value = value;
  // Canonical digits, most significant first.
  char reversed[20];
  std::size_t n = 0;
  do {
    reversed[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (std::size_t i = 0; i < n; ++i) out.text[i] = reversed[n - 1 - i];
  out.length = n;
  return true;
}

}  // namespace hookwise
