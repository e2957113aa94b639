#include "src/core/webhook_verifier.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "src/core/hmac_sha256.h"
#include "test/core/bytes.h"

using hookwise::VerifyRequest;
using hookwise::VerifyStatus;
using hookwise::VerifyWebhook;

using hookwise::test::AsBytes;

namespace {

constexpr double kNowMs = 1700000000.0 * 1000 + 123;

std::string Sign(std::string_view secret, std::string_view signed_text) {
  hookwise::Sha256Digest out{};
  REQUIRE(hookwise::ComputeHmacSha256(AsBytes(secret), AsBytes(signed_text), out));
  return hookwise::ToLowerHex(out);
}

std::string Header(std::string_view secret, long long t, std::string_view payload) {
  return "t=" + std::to_string(t) +
         ",v1=" + Sign(secret, std::to_string(t) + "." + std::string(payload));
}

VerifyStatus Verify(std::string_view payload, std::string_view header,
                    std::vector<std::string_view> secrets, double tolerance = 300,
                    double now_ms = kNowMs) {
  VerifyRequest r;
  r.payload = AsBytes(payload);
  r.header = header;
  r.secrets = secrets;
  r.tolerance_seconds = tolerance;
  r.received_at_ms = now_ms;
  return VerifyWebhook(r);
}

}  // namespace

TEST_CASE("a correctly signed delivery verifies", "[verify]") {
  const std::string body = R"({"id":"evt_1","object":"event"})";
  const std::string h = Header("whsec_abc", 1700000000, body);
  CHECK(Verify(body, h, {"whsec_abc"}) == VerifyStatus::kOk);
}

TEST_CASE("any of several secrets, any of several v1 candidates", "[verify]") {
  const std::string body = "{}";
  const std::string good = Sign("whsec_new", "1700000000." + body);
  const std::string h = "t=1700000000,v1=" + std::string(64, '0') + ",v1=" + good;
  CHECK(Verify(body, h, {"whsec_old", "whsec_new"}) == VerifyStatus::kOk);
  CHECK(Verify(body, h, {"whsec_old"}) == VerifyStatus::kSignatureMismatch);
}

TEST_CASE("signature mismatches", "[verify]") {
  const std::string body = "{}";
  const std::string sig = Sign("whsec_abc", "1700000000." + body);
  std::string upper = sig;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(Verify(body, "t=1700000000,v1=" + upper, {"whsec_abc"}) ==
        VerifyStatus::kSignatureMismatch);
  CHECK(Verify(body, "t=1700000000,v1=" + sig + "00", {"whsec_abc"}) ==
        VerifyStatus::kSignatureMismatch);
  CHECK(Verify(body, "t=1700000000,v1=", {"whsec_abc"}) == VerifyStatus::kSignatureMismatch);
  CHECK(Verify(body + " ", "t=1700000000,v1=" + sig, {"whsec_abc"}) ==
        VerifyStatus::kSignatureMismatch);
  CHECK(Verify(body, "t=1700000001,v1=" + sig, {"whsec_abc"}) == VerifyStatus::kSignatureMismatch);
  // The v0 scheme is never accepted, even with a valid HMAC.
  CHECK(Verify(body, "t=1700000000,v0=" + sig, {"whsec_abc"}) == VerifyStatus::kNoSignatures);
}

TEST_CASE("order of checks follows stripe-node", "[verify]") {
  const std::string body = "{}";
  CHECK(Verify(body, "v1=abc", {}) == VerifyStatus::kMalformedHeader);
  CHECK(Verify(body, "t=1", {}) == VerifyStatus::kNoSignatures);
  CHECK(Verify(body, "t=1,v1=abc", {}) == VerifyStatus::kMissingSecret);
  // A wrong signature with an old timestamp is a mismatch, not "too old".
  CHECK(Verify(body, "t=1,v1=abc", {"whsec_abc"}) == VerifyStatus::kSignatureMismatch);

  VerifyRequest not_raw;
  not_raw.header = "t=1700000000,v1=abc";
  std::vector<std::string_view> secrets{"whsec_abc"};
  not_raw.secrets = secrets;
  CHECK(VerifyWebhook(not_raw) == VerifyStatus::kSignatureMismatch);
}

TEST_CASE("timestamp window, both ways", "[verify]") {
  const std::string body = "{}";
  const long long now = 1700000000;
  auto at = [&](long long t, double tolerance) {
    return Verify(body, Header("whsec_abc", t, body), {"whsec_abc"}, tolerance);
  };
  CHECK(at(now - 300, 300) == VerifyStatus::kOk);
  CHECK(at(now - 301, 300) == VerifyStatus::kTimestampTooOld);
  CHECK(at(now + 300, 300) == VerifyStatus::kOk);
  CHECK(at(now + 301, 300) == VerifyStatus::kTimestampInFuture);
  CHECK(at(now - 100000, 0) == VerifyStatus::kOk);
  CHECK(at(now + 100000, 0) == VerifyStatus::kOk);
  CHECK(at(now - 100000, -5) == VerifyStatus::kOk);
  CHECK(at(now - 10, 5) == VerifyStatus::kTimestampTooOld);
}

TEST_CASE("the MAC covers parseInt's text of t, as stripe-node's does", "[verify]") {
  const std::string body = "{}";
  // Leading zeros: stripe-node signs "1700000000.", not "0001700000000.".
  const std::string sig = Sign("whsec_abc", "1700000000." + body);
  CHECK(Verify(body, "t=0001700000000,v1=" + sig, {"whsec_abc"}) == VerifyStatus::kOk);
  const std::string inf_sig = Sign("whsec_abc", "Infinity." + body);
  CHECK(Verify(body, "t=" + std::string(400, '9') + ",v1=" + inf_sig, {"whsec_abc"}, 0) ==
        VerifyStatus::kOk);
  CHECK(Verify(body, "t=" + std::string(400, '9') + ",v1=" + inf_sig, {"whsec_abc"}, 300) ==
        VerifyStatus::kTimestampInFuture);
}

TEST_CASE("binary payloads and large bodies", "[verify]") {
  std::string body(1 << 20, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 131);
  CHECK(Verify(body, Header("whsec_abc", 1700000000, body), {"whsec_abc"}) == VerifyStatus::kOk);
  CHECK(Verify("", Header("whsec_abc", 1700000000, ""), {"whsec_abc"}) == VerifyStatus::kOk);
}
