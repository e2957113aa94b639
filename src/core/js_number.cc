#include "src/core/js_number.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>

namespace hookwise {

JsInteger ParseDecimalLikeJs(std::string_view digits) {
  JsInteger out;
  // from_chars rounds correctly, as V8's string-to-number conversion does.
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.value);
  if (ec == std::errc::result_out_of_range) out.value = std::numeric_limits<double>::infinity();
  (void)ptr;

  if (std::isinf(out.value)) {
    std::memcpy(out.text, "Infinity", 8);
    out.length = 8;
    return out;
  }
  // Number::toString: the shortest digits that round-trip, written in plain
  // notation below 1e21 and as "d.ddde+N" from there on. to_chars' shortest
  // scientific form already matches the latter.
  char sci[32];
  auto res = std::to_chars(sci, sci + sizeof sci, out.value, std::chars_format::scientific);
  std::size_t sci_len = static_cast<std::size_t>(res.ptr - sci);
  if (out.value >= 1e21) {
    std::memcpy(out.text, sci, sci_len);
    out.length = sci_len;
    return out;
  }
  // Below 1e21: mantissa digits (without the point), then zeros up to the exponent.
  const char* e = static_cast<const char*>(std::memchr(sci, 'e', sci_len));
  int exponent = 0;
  std::from_chars(e + 2, sci + sci_len, exponent);  // skip "e+"; value >= 0 so never "e-" ...
  if (e[1] == '-') exponent = -exponent;            // ... except for 0, which is "0e+00"
  std::size_t n = 0;
  for (const char* p = sci; p < e; ++p) {
    if (*p != '.') out.text[n++] = *p;
  }
  while (static_cast<int>(n) < exponent + 1) out.text[n++] = '0';
  out.length = n;
  return out;
}

}  // namespace hookwise
