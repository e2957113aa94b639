// The `Stripe-Signature` header: "t=1700000000,v1=<hex>,v1=<hex>,v0=<hex>".
//
// Grammar, item by item (each decision matches stripe-node's split-based
// parser except where API.md makes hookwise stricter):
// - Items are separated by ','. An item's key is the text before its first '='
//   (the whole item when there is none); its value is the text between the
//   first '=' and the next '=' (or the item's end). Nothing is trimmed, so
//   " t=1" has the key " t" and is ignored, as in stripe-node.
// - Empty items (",,") and unknown keys (v0, anything else) are ignored.
// - `t` must be one or more ASCII digits; anything else, or a second `t`, makes
//   the header malformed (stripe-node would parseInt "12ab" as 12).
// - Every `v1` value is a candidate, kept in order, including empty ones (they
//   never match). There is no cap on their number: each costs one 32-byte
//   constant-time comparison, and HTTP servers bound header size anyway.
#pragma once

#include <string_view>
#include <vector>

#include "src/core/js_number.h"

namespace hookwise {

enum class HeaderParseStatus { kOk, kMalformed, kNoSignatures };

struct SignatureHeader {
  JsInteger timestamp;               // parseInt(t) and its canonical text
  std::vector<std::string_view> v1;  // views into the parsed header text
};

// One pass over `header`. `out.v1` is cleared first and keeps its capacity, so a
// caller that reuses `out` parses without allocating. The views in `out.v1`
// point into `header`, which must outlive them.
HeaderParseStatus ParseSignatureHeader(std::string_view header, SignatureHeader& out);

}  // namespace hookwise
