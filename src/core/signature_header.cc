#include "src/core/signature_header.h"

namespace hookwise {
namespace {

bool IsAllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

HeaderParseStatus ParseSignatureHeader(std::string_view header, SignatureHeader& out) {
  out.v1.clear();
  bool have_timestamp = false;
  bool timestamp_ok = true;
  std::string_view timestamp_text;

  std::size_t pos = 0;
  while (pos <= header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(pos, end - pos);
    pos = end + 1;

    std::size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    std::string_view value;
    bool has_value = eq != std::string_view::npos;
    if (has_value) {
      value = item.substr(eq + 1);
      value = value.substr(0, value.find('='));
    }

    if (key == "t") {
      if (have_timestamp || !has_value || !IsAllDigits(value)) timestamp_ok = false;
      have_timestamp = true;
      timestamp_text = value;
    } else if (key == "v1") {
      out.v1.push_back(value);
    }
  }

  if (!have_timestamp || !timestamp_ok) return HeaderParseStatus::kMalformed;
  if (out.v1.empty()) return HeaderParseStatus::kNoSignatures;
  out.timestamp = ParseDecimalLikeJs(timestamp_text);
  return HeaderParseStatus::kOk;
}

}  // namespace hookwise
