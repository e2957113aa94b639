#include "src/core/js_number.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

using hookwise::ParseDecimalLikeJs;

// Expected texts are what `String(parseInt(s, 10))` prints in Node.js.
TEST_CASE("parseInt text for plain timestamps", "[js_number]") {
  CHECK(ParseDecimalLikeJs("1700000000").view() == "1700000000");
  CHECK(ParseDecimalLikeJs("1700000000").value == 1700000000.0);
  CHECK(ParseDecimalLikeJs("0").view() == "0");
  CHECK(ParseDecimalLikeJs("000").view() == "0");
  CHECK(ParseDecimalLikeJs("0123").view() == "123");
  CHECK(ParseDecimalLikeJs("9007199254740993").view() == "9007199254740992");
  CHECK(ParseDecimalLikeJs("1152921504606846976").view() == "1152921504606847000");
  CHECK(ParseDecimalLikeJs("999999999999999999999").view() == "1e+21");
  CHECK(ParseDecimalLikeJs("100000000000000000000").view() == "100000000000000000000");
  CHECK(ParseDecimalLikeJs("123456789012345678901234").view() == "1.2345678901234569e+23");
  CHECK(ParseDecimalLikeJs(std::string(400, '9')).view() == "Infinity");
  CHECK(std::isinf(ParseDecimalLikeJs(std::string(400, '9')).value));
}
