// The Standard Webhooks headers' grammar (https://www.standardwebhooks.com):
// `webhook-signature` and `webhook-timestamp`.
//
// `webhook-signature` holds space-separated items "<version>,<base64>", e.g.
// "v1,K5oZ...= v1a,hnO3...==". Decisions, item by item:
// - Items are separated by single spaces (the reference libraries split on
//   " "); empty items (two spaces in a row) are ignored, other whitespace is
//   part of an item.
// - An item's version is the text before its first ','; its value is all the
//   text after it (the references would drop text after a second ','; here it
//   stays in the value, which then never matches).
// - Versions other than "v1" (HMAC-SHA256) and "v1a" (ed25519), and items
//   without ',', are ignored. There is no cap on the number of items: each
//   costs one comparison (v1) or one ed25519 check (v1a), and HTTP servers
//   bound header size.
//
// `webhook-timestamp` must be one or more ASCII digits and at most 2^53 - 1
// (the references' parseInt would take "12ab" as 12; we reject it). Leading
// zeros are allowed, and the signed content uses the canonical decimal text,
// as the references do (they sign Math.floor(date / 1000)).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace hookwise {

enum class StandardScheme { kV1, kV1a };

struct StandardSignature {
  StandardScheme scheme;
  std::string_view value;  // a view into the header text
};

// One pass over `header`; `out` is cleared first and keeps its capacity.
void ParseStandardSignatures(std::string_view header, std::vector<StandardSignature>& out);

struct StandardTimestamp {
  std::int64_t value = 0;
  char text[20] = {};  // canonical decimal digits
  std::size_t length = 0;
  std::string_view view() const { return {text, length}; }
};

// False when `text` is not a strict integer timestamp (see above).
bool ParseStandardTimestamp(std::string_view text, StandardTimestamp& out);

}  // namespace hookwise
