#include "src/core/standard_webhook_verifier.h"

#include <sodium.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "src/core/hmac_sha256.h"
#include "src/core/standard_signature_header.h"
#include "test/core/bytes.h"

using hookwise::StandardStatus;
using hookwise::StandardVerifyRequest;

using hookwise::test::AsBytes;

namespace {

constexpr double kNowMs = 1700000000.0 * 1000 + 456;

std::string Base64(std::span<const std::uint8_t> bytes,
                   int variant = sodium_base64_VARIANT_ORIGINAL) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.pop_back();  // the NUL
  return out;
}

std::vector<std::uint8_t> FromHex(std::string_view hex) {
  if (hex.empty()) return {};  // sodium_hex2bin must not be given a null buffer
  std::vector<std::uint8_t> out(hex.size() / 2);
  std::size_t length = 0;
  REQUIRE(sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &length,
                         nullptr) == 0);
  out.resize(length);
  return out;
}

const std::string kRawSecret = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";  // 24 bytes, as Svix issues
const std::string kSecret = "whsec_" + kRawSecret;

// The expected v1 item computed independently of the verifier: one-shot HMAC
// over the concatenated content.
std::string ExpectedV1(std::string_view secret_base64, std::string_view content) {
  std::vector<std::uint8_t> key(secret_base64.size());
  std::size_t length = 0;
  REQUIRE(sodium_base642bin(key.data(), key.size(), secret_base64.data(), secret_base64.size(),
                            nullptr, &length, nullptr,
                            sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0);
  key.resize(length);
  hookwise::Sha256Digest digest{};
  REQUIRE(hookwise::ComputeHmacSha256(key, AsBytes(content), digest));
  return "v1," + Base64(digest);
}

std::string Sign(std::string_view key, std::string_view id, std::string_view ts,
                 std::string_view payload) {
  std::string item;
  REQUIRE(hookwise::SignStandardWebhook(id, ts, AsBytes(payload), key, item) ==
          StandardStatus::kOk);
  return item;
}

StandardStatus Verify(std::string_view payload, std::string_view id, std::string_view ts,
                      std::string_view signature, std::vector<std::string_view> keys,
                      double tolerance = 300, double now_ms = kNowMs) {
  StandardVerifyRequest r;
  r.payload = AsBytes(payload);
  r.id = id;
  r.timestamp = ts;
  r.signature = signature;
  r.keys = keys;
  r.tolerance_seconds = tolerance;
  r.received_at_ms = now_ms;
  return hookwise::VerifyStandardWebhook(r);
}

// RFC 8032 section 7.1, tests 1-3: secret key (seed), public key, message, signature.
struct Rfc8032Vector {
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};
constexpr Rfc8032Vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

std::vector<std::uint8_t> SecretKeyOf(const Rfc8032Vector& v) {
  std::vector<std::uint8_t> sk = FromHex(v.seed);
  const std::vector<std::uint8_t> pk = FromHex(v.public_key);
  sk.insert(sk.end(), pk.begin(), pk.end());
  return sk;
}

}  // namespace

TEST_CASE("signature items: v1 and v1a kept in order, everything else ignored", "[standard]") {
  std::vector<hookwise::StandardSignature> out;
  hookwise::ParseStandardSignatures("v1,abc  v2,zzz v1a,def nocomma v1,g,h v1, ,x", out);
  REQUIRE(out.size() == 4);
  CHECK(out[0].scheme == hookwise::StandardScheme::kV1);
  CHECK(out[0].value == "abc");
  CHECK(out[1].scheme == hookwise::StandardScheme::kV1a);
  CHECK(out[1].value == "def");
  CHECK(out[2].value == "g,h");  // a second comma stays in the value
  CHECK(out[3].value == "");
  hookwise::ParseStandardSignatures("", out);
  CHECK(out.empty());
  hookwise::ParseStandardSignatures("v1\t,abc V1,abc", out);  // no trimming, case-sensitive
  CHECK(out.empty());
}

TEST_CASE("timestamps are strict integers, canonicalised", "[standard]") {
  hookwise::StandardTimestamp t;
  REQUIRE(hookwise::ParseStandardTimestamp("1700000000", t));
  CHECK(t.value == 1700000000);
  CHECK(t.view() == "1700000000");
  REQUIRE(hookwise::ParseStandardTimestamp("0001700000000", t));
  CHECK(t.view() == "1700000000");
  REQUIRE(hookwise::ParseStandardTimestamp("0", t));
  CHECK(t.view() == "0");
  REQUIRE(hookwise::ParseStandardTimestamp("9007199254740991", t));
  CHECK(t.view() == "9007199254740991");
  for (const char* bad : {"", "12ab", "-1", "+1", "1.5", " 1", "1 ", "1e9", "9007199254740992",
                          "99999999999999999999999"}) {
    CHECK_FALSE(hookwise::ParseStandardTimestamp(bad, t));
  }
}

TEST_CASE("keys: whsec_, whpk_ and whsk_ with or without base64 padding", "[standard]") {
  hookwise::StandardKeyKind kind;
  std::string bytes;
  REQUIRE(hookwise::DecodeStandardKey(kSecret, kind, bytes));
  CHECK(kind == hookwise::StandardKeyKind::kHmacSecret);
  CHECK(bytes.size() == 24);
  const std::vector<std::uint8_t> b32(32, 7);
  REQUIRE(hookwise::DecodeStandardKey("whsec_" + Base64(b32), kind, bytes));
  CHECK(bytes.size() == 32);
  REQUIRE(hookwise::DecodeStandardKey(
      "whsec_" + Base64(b32, sodium_base64_VARIANT_ORIGINAL_NO_PADDING), kind, bytes));
  CHECK(bytes.size() == 32);
  REQUIRE(hookwise::DecodeStandardKey("whpk_" + Base64(b32), kind, bytes));
  CHECK(kind == hookwise::StandardKeyKind::kPublicKey);
  const std::vector<std::uint8_t> b64(64, 9);
  REQUIRE(hookwise::DecodeStandardKey("whsk_" + Base64(b64), kind, bytes));
  CHECK(kind == hookwise::StandardKeyKind::kSecretKey);
  for (std::string bad :
       {kRawSecret, std::string("whsec_"), std::string("whsec_!!!!"), "whsec_" + kRawSecret + "=",
        "whsec_" + kRawSecret.substr(3), "whpk_" + Base64(b64), "whsk_" + Base64(b32),
        "WHSEC_" + kRawSecret, "whsec_" + Base64(b32, sodium_base64_VARIANT_URLSAFE) + "-_"}) {
    CHECK_FALSE(hookwise::DecodeStandardKey(bad, kind, bytes));
  }
}

TEST_CASE("v1: HMAC-SHA256 of id.timestamp.payload keyed with the decoded secret", "[standard]") {
  const std::string payload = R"({"type":"user.created","data":{"id":"user_1"}})";
  const std::string item = Sign(kSecret, "msg_1", "1700000000", payload);
  CHECK(item == ExpectedV1(kRawSecret, "msg_1.1700000000." + payload));
  CHECK(Verify(payload, "msg_1", "1700000000", item, {kSecret}) == StandardStatus::kOk);
  // Several items and keys; unknown versions ignored; any match verifies.
  const std::string other = "whsec_" + Base64(std::vector<std::uint8_t>(32, 1));
  CHECK(Verify(payload, "msg_1", "1700000000", "v2,xyz v1,bogus " + item, {other, kSecret}) ==
        StandardStatus::kOk);
  // Each signed part matters.
  CHECK(Verify(payload + " ", "msg_1", "1700000000", item, {kSecret}) ==
        StandardStatus::kNoMatchingSignature);
  CHECK(Verify(payload, "msg_2", "1700000000", item, {kSecret}) ==
        StandardStatus::kNoMatchingSignature);
  CHECK(Verify(payload, "msg_1", "1700000001", item, {kSecret}) ==
        StandardStatus::kNoMatchingSignature);
  CHECK(Verify(payload, "msg_1", "1700000000", item, {other}) ==
        StandardStatus::kNoMatchingSignature);
  // Leading zeros sign the canonical digits, as the reference libraries do.
  CHECK(Verify(payload, "msg_1", "01700000000", item, {kSecret}) == StandardStatus::kOk);
  // Only the exact base64 text matches: no padding stripped, no v1a reading of it.
  CHECK(Verify(payload, "msg_1", "1700000000", item.substr(0, item.size() - 1), {kSecret}) ==
        StandardStatus::kNoMatchingSignature);
  CHECK(Verify(payload, "msg_1", "1700000000", "v1a," + item.substr(3), {kSecret}) ==
        StandardStatus::kNoMatchingSignature);
  CHECK(Verify(payload, "msg_1", "1700000000", "v2,xyz", {kSecret}) ==
        StandardStatus::kNoMatchingSignature);
}

TEST_CASE("headers, timestamps and keys are checked in order", "[standard]") {
  const std::string payload = "{}";
  const std::string item = Sign(kSecret, "msg_1", "1700000000", payload);
  CHECK(Verify(payload, "", "1700000000", item, {kSecret}) == StandardStatus::kMissingHeader);
  CHECK(Verify(payload, "msg_1", "", item, {kSecret}) == StandardStatus::kMissingHeader);
  CHECK(Verify(payload, "msg_1", "1700000000", "", {kSecret}) == StandardStatus::kMissingHeader);
  CHECK(Verify(payload, "msg_1", "1700000000x", item, {kSecret}) == StandardStatus::kBadTimestamp);
  CHECK(Verify(payload, "msg_1", "1700000000", item, {}) == StandardStatus::kBadSecret);
  CHECK(Verify(payload, "msg_1", "1700000000", item, {kSecret, "nope"}) ==
        StandardStatus::kBadSecret);
  const std::string whsk = "whsk_" + Base64(SecretKeyOf(kRfc8032[0]));
  CHECK(Verify(payload, "msg_1", "1700000000", item, {whsk}) == StandardStatus::kBadSecret);
  // The signature before the window: a forged old delivery is a signature failure.
  CHECK(Verify(payload, "msg_1", "1", "v1,AAAA", {kSecret}) ==
        StandardStatus::kNoMatchingSignature);
}

TEST_CASE("the window: exactly tolerance away is accepted, both ways", "[standard]") {
  const std::string payload = "{}";
  const double now = 1700000000;
  auto at = [&](double offset) {
    const std::string ts = std::to_string(static_cast<long long>(now + offset));
    return Verify(payload, "msg_1", ts, Sign(kSecret, "msg_1", ts, payload), {kSecret}, 300,
                  now * 1000 + 999);
  };
  CHECK(at(0) == StandardStatus::kOk);
  CHECK(at(-300) == StandardStatus::kOk);
  CHECK(at(300) == StandardStatus::kOk);
  CHECK(at(-301) == StandardStatus::kTimestampTooOld);
  CHECK(at(301) == StandardStatus::kTimestampInFuture);
  const std::string ts = "1";
  CHECK(Verify(payload, "msg_1", ts, Sign(kSecret, "msg_1", ts, payload), {kSecret}, 0) ==
        StandardStatus::kOk);
}

TEST_CASE("ed25519 primitives: RFC 8032 section 7.1 tests 1-3", "[standard][ed25519]") {
  for (const Rfc8032Vector& v : kRfc8032) {
    const std::vector<std::uint8_t> sk = SecretKeyOf(v);
    const std::vector<std::uint8_t> pk = FromHex(v.public_key);
    const std::vector<std::uint8_t> message = FromHex(v.message);
    const std::vector<std::uint8_t> expected = FromHex(v.signature);
    std::vector<std::uint8_t> signature(64);
    REQUIRE(hookwise::Ed25519Sign(sk, message, signature));
    CHECK(signature == expected);
    CHECK(hookwise::Ed25519Verify(pk, expected, message));
    std::vector<std::uint8_t> altered = expected;
    altered[10] ^= 1;
    CHECK_FALSE(hookwise::Ed25519Verify(pk, altered, message));
    std::vector<std::uint8_t> other_message = message;
    other_message.push_back(0);
    CHECK_FALSE(hookwise::Ed25519Verify(pk, expected, other_message));
  }
}

TEST_CASE("v1a: whsk_ signs, whpk_ verifies, altered signatures are rejected",
          "[standard][ed25519]") {
  const std::string payload = R"({"type":"user.deleted","data":{"id":"user_1","deleted":true}})";
  for (const Rfc8032Vector& v : kRfc8032) {
    const std::vector<std::uint8_t> sk = SecretKeyOf(v);
    const std::string whsk = "whsk_" + Base64(sk);
    const std::string whpk = "whpk_" + Base64(FromHex(v.public_key));
    const std::string item = Sign(whsk, "msg_9", "1700000000", payload);
    REQUIRE(item.starts_with("v1a,"));
    // The item is ed25519 over the concatenated content.
    std::vector<std::uint8_t> signature(64);
    const std::string content = "msg_9.1700000000." + payload;
    REQUIRE(hookwise::Ed25519Sign(sk, AsBytes(content), signature));
    CHECK(item == "v1a," + Base64(signature));
    CHECK(Verify(payload, "msg_9", "1700000000", item, {whpk}) == StandardStatus::kOk);
    CHECK(Verify(payload, "msg_9", "1700000000", "v1,xyz " + item, {kSecret, whpk}) ==
          StandardStatus::kOk);
    CHECK(Verify(payload + "x", "msg_9", "1700000000", item, {whpk}) ==
          StandardStatus::kNoMatchingSignature);
    for (std::size_t i = 4; i < item.size() - 2; i += 7) {
      std::string altered = item;
      altered[i] = altered[i] == 'A' ? 'B' : 'A';
      CHECK(Verify(payload, "msg_9", "1700000000", altered, {whpk}) ==
            StandardStatus::kNoMatchingSignature);
    }
    // A v1a item never matches an HMAC secret, nor a v1 item a public key.
    CHECK(Verify(payload, "msg_9", "1700000000", item, {kSecret}) ==
          StandardStatus::kNoMatchingSignature);
    CHECK(Verify(payload, "msg_9", "1700000000", Sign(kSecret, "msg_9", "1700000000", payload),
                 {whpk}) == StandardStatus::kNoMatchingSignature);
  }
}

TEST_CASE("signing refuses keys it cannot sign with", "[standard]") {
  std::string item;
  const std::vector<std::uint8_t> pk = FromHex(kRfc8032[0].public_key);
  CHECK(hookwise::SignStandardWebhook("m", "1", AsBytes("{}"), "whpk_" + Base64(pk), item) ==
        StandardStatus::kBadSecret);
  // The public half of a whsk_ must belong to its seed.
  std::vector<std::uint8_t> mismatched = FromHex(kRfc8032[0].seed);
  const std::vector<std::uint8_t> other_pk = FromHex(kRfc8032[1].public_key);
  mismatched.insert(mismatched.end(), other_pk.begin(), other_pk.end());
  CHECK(hookwise::SignStandardWebhook("m", "1", AsBytes("{}"), "whsk_" + Base64(mismatched),
                                      item) == StandardStatus::kBadSecret);
  CHECK(hookwise::SignStandardWebhook("m", "1x", AsBytes("{}"), kSecret, item) ==
        StandardStatus::kBadTimestamp);
}
