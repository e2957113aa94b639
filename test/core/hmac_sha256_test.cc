#include "src/core/hmac_sha256.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using hookwise::ComputeHmacSha256;
using hookwise::HmacSha256;
using hookwise::Sha256Digest;
using hookwise::ToLowerHex;

namespace {

std::vector<std::uint8_t> Bytes(std::size_t n, std::uint8_t value) {
  return std::vector<std::uint8_t>(n, value);
}
std::vector<std::uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string Hmac(const std::vector<std::uint8_t>& key, const std::vector<std::uint8_t>& data) {
  Sha256Digest out{};
  REQUIRE(ComputeHmacSha256(key, data, out));
  return ToLowerHex(out);
}

// HMAC(key, "payload") through a reused instance.
std::string MacOfPayload(HmacSha256& mac, std::string_view key) {
  Sha256Digest out{};
  REQUIRE(mac.Init(key));
  REQUIRE(mac.Update(std::string_view("payload")));
  REQUIRE(mac.Final(out));
  return ToLowerHex(out);
}

}  // namespace

// RFC 4231, section 4: HMAC-SHA256 known answers.
TEST_CASE("HMAC-SHA256 matches the RFC 4231 test vectors", "[hmac]") {
  CHECK(Hmac(Bytes(20, 0x0b), Bytes("Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(Hmac(Bytes("Jefe"), Bytes("what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(Hmac(Bytes(20, 0xaa), Bytes(50, 0xdd)) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::vector<std::uint8_t> key4;
  for (int i = 1; i <= 25; ++i) key4.push_back(static_cast<std::uint8_t>(i));
  CHECK(Hmac(key4, Bytes(50, 0xcd)) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // Test case 5 is truncated to 128 bits.
  CHECK(Hmac(Bytes(20, 0x0c), Bytes("Test With Truncation")).substr(0, 32) ==
        "a3b6167473100ee06e0c796c2955552b");
  CHECK(Hmac(Bytes(131, 0xaa), Bytes("Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(Hmac(Bytes(131, 0xaa),
             Bytes("This is a test using a larger than block-size key and a larger than "
                   "block-size data. The key needs to be hashed before being used by the HMAC "
                   "algorithm.")) ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("streaming in pieces equals one shot, whatever the split", "[hmac]") {
  const std::string data = "1700000000.{\"id\":\"evt_1\",\"object\":\"event\"}";
  const std::string expected = Hmac(Bytes("whsec_test"), Bytes(data));
  HmacSha256 mac;
  REQUIRE(mac.ok());
  for (std::size_t a = 0; a <= data.size(); a += 7) {
    for (std::size_t b = a; b <= data.size(); b += 5) {
      REQUIRE(mac.Init(std::string_view("whsec_test")));
      REQUIRE(mac.Update(std::string_view(data).substr(0, a)));
      REQUIRE(mac.Update(std::string_view(data).substr(a, b - a)));
      REQUIRE(mac.Update(std::string_view(data).substr(b)));
      Sha256Digest out{};
      REQUIRE(mac.Final(out));
      CHECK(ToLowerHex(out) == expected);
    }
  }
}

TEST_CASE("re-keying switches keys and re-using a key gives the same MAC", "[hmac]") {
  HmacSha256 mac;
  auto run = [&](std::string_view key) { return MacOfPayload(mac, key); };
  const std::string a1 = run("key-a");
  const std::string b1 = run("key-b");
  const std::string a2 = run("key-a");
  const std::string a3 = run("key-a");
  CHECK(a1 != b1);
  CHECK(a1 == a2);
  CHECK(a2 == a3);
  CHECK(a1 == Hmac(Bytes("key-a"), Bytes("payload")));
  // An empty key is valid HMAC input (the caller decides whether to allow it).
  CHECK(run("") == Hmac({}, Bytes("payload")));
}

TEST_CASE("Forget wipes the cached key; the next Init keys afresh", "[hmac]") {
  HmacSha256 mac;
  CHECK_FALSE(mac.holds_key());
  mac.Forget();  // nothing cached: a no-op
  auto run = [&](std::string_view key) { return MacOfPayload(mac, key); };
  const std::string expected = Hmac(Bytes("whsec_secret"), Bytes("payload"));
  CHECK(run("whsec_secret") == expected);
  CHECK(mac.holds_key());
  mac.Forget();
  CHECK_FALSE(mac.holds_key());
  // The same secret again must not be mistaken for the cached one.
  CHECK(run("whsec_secret") == expected);
  mac.Forget();
  CHECK(run("") == Hmac({}, Bytes("payload")));
  mac.Forget();
  CHECK_FALSE(mac.holds_key());
}
