#include "src/core/signature_header.h"

#include <catch2/catch.hpp>
#include <string>

using hookwise::HeaderParseStatus;
using hookwise::ParseSignatureHeader;
using hookwise::SignatureHeader;

namespace {
HeaderParseStatus Parse(std::string_view header, SignatureHeader& out) {
  return ParseSignatureHeader(header, out);
}
}  // namespace

TEST_CASE("a Stripe header yields its timestamp and v1 candidates in order", "[header]") {
  SignatureHeader h;
  REQUIRE(Parse("t=1700000000,v1=abc,v0=zzz,v1=def", h) == HeaderParseStatus::kOk);
  CHECK(h.timestamp.value == 1700000000.0);
  CHECK(h.timestamp.view() == "1700000000");
  REQUIRE(h.v1.size() == 2);
  CHECK(h.v1[0] == "abc");
  CHECK(h.v1[1] == "def");
}

TEST_CASE("timestamp rules", "[header]") {
  SignatureHeader h;
  CHECK(Parse("v1=abc", h) == HeaderParseStatus::kMalformed);
  CHECK(Parse("t=,v1=abc", h) == HeaderParseStatus::kMalformed);
  CHECK(Parse("t,v1=abc", h) == HeaderParseStatus::kMalformed);
  CHECK(Parse("t=12ab,v1=abc", h) == HeaderParseStatus::kMalformed);
  CHECK(Parse("t=-1,v1=abc", h) == HeaderParseStatus::kMalformed);
  CHECK(Parse("t=1.5,v1=abc", h) == HeaderParseStatus::kMalformed);
  CHECK(Parse("t= 1,v1=abc", h) == HeaderParseStatus::kMalformed);
  CHECK(Parse("t=1,t=1,v1=abc", h) == HeaderParseStatus::kMalformed);
  // Not trimmed: " t" is another key, so there is no timestamp at all.
  CHECK(Parse(" t=1,v1=abc", h) == HeaderParseStatus::kMalformed);
  // The value stops at a second '=' as in stripe-node's split("=").
  REQUIRE(Parse("t=12=34,v1=abc", h) == HeaderParseStatus::kOk);
  CHECK(h.timestamp.view() == "12");
  REQUIRE(Parse("v1=abc,t=0012", h) == HeaderParseStatus::kOk);
  CHECK(h.timestamp.view() == "12");
}

TEST_CASE("malformed is reported before missing signatures", "[header]") {
  SignatureHeader h;
  CHECK(Parse("", h) == HeaderParseStatus::kMalformed);
  CHECK(Parse("garbage", h) == HeaderParseStatus::kMalformed);
  CHECK(Parse("t=1", h) == HeaderParseStatus::kNoSignatures);
  CHECK(Parse("t=1,v0=abc,V1=abc, v1=abc", h) == HeaderParseStatus::kNoSignatures);
}

TEST_CASE("empty items, empty and odd v1 values", "[header]") {
  SignatureHeader h;
  REQUIRE(Parse(",,t=1,,v1=,v1,v1=a=b,", h) == HeaderParseStatus::kOk);
  REQUIRE(h.v1.size() == 3);
  CHECK(h.v1[0].empty());
  CHECK(h.v1[1].empty());
  CHECK(h.v1[2] == "a");
}

TEST_CASE("thousands of candidates and very long headers", "[header]") {
  std::string header = "t=1";
  for (int i = 0; i < 10000; ++i) header += ",v1=" + std::to_string(i);
  SignatureHeader h;
  REQUIRE(Parse(header, h) == HeaderParseStatus::kOk);
  REQUIRE(h.v1.size() == 10000);
  CHECK(h.v1[9999] == "9999");
  // Reusing the output keeps its capacity: a second parse does not grow it.
  const auto capacity = h.v1.capacity();
  REQUIRE(Parse(header, h) == HeaderParseStatus::kOk);
  CHECK(h.v1.capacity() == capacity);

  std::string long_value(1 << 20, 'x');
  CHECK(Parse("t=1,v1=" + long_value, h) == HeaderParseStatus::kOk);
  CHECK(h.v1[0].size() == long_value.size());
}

TEST_CASE("arbitrary bytes never crash the parser", "[header]") {
  SignatureHeader h;
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  CHECK(Parse(bytes, h) == HeaderParseStatus::kMalformed);
  CHECK(Parse(std::string_view("t=1\0,v1=a", 9), h) == HeaderParseStatus::kMalformed);
  CHECK(Parse(std::string_view("t=1,v1=\0a", 9), h) == HeaderParseStatus::kOk);
}
