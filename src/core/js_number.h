// The text JavaScript prints for `parseInt(digits, 10)`.
//
// Why this exists: stripe-node signs and checks `${parseInt(t, 10)}.${payload}`,
// not the `t` text as sent. For a `t` of plain digits the two differ only with
// leading zeros or absurdly large values ("0123" -> "123", 25 digits ->
// "1e+24"), but hookwise promises to accept exactly the headers stripe-node
// accepts, so the HMAC input must use the same canonical text.
#pragma once

#include <cstddef>
#include <string_view>

namespace hookwise {

struct JsInteger {
  double value = 0;  // may be +Infinity for more than ~309 digits
  char text[32] = {};
  std::size_t length = 0;
  std::string_view view() const { return {text, length}; }
};

// `digits` must be one or more ASCII decimal digits.
JsInteger ParseDecimalLikeJs(std::string_view digits);

}  // namespace hookwise
