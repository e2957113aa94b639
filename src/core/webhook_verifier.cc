#include "src/core/webhook_verifier.h"

#include <sodium.h>

#include <cmath>

#include "src/core/hmac_sha256.h"
#include "src/core/signature_header.h"

namespace hookwise {

std::string_view VerifyStatusName(VerifyStatus status) {
  switch (status) {
    case VerifyStatus::kOk:
      return "ok";
    case VerifyStatus::kMalformedHeader:
      return "malformed_header";
    case VerifyStatus::kNoSignatures:
      return "no_signatures";
    case VerifyStatus::kMissingSecret:
      return "missing_secret";
    case VerifyStatus::kSignatureMismatch:
      return "signature_mismatch";
    case VerifyStatus::kTimestampTooOld:
      return "timestamp_too_old";
    case VerifyStatus::kTimestampInFuture:
      return "timestamp_in_future";
    case VerifyStatus::kInternalError:
      return "internal_error";
  }
  return "internal_error";
}

namespace {

constexpr std::size_t kHexSignatureSize = kSha256DigestSize * 2;

// Lowercase hex of HMAC(secret, t "." payload), fed to the MAC in three pieces.
bool ExpectedSignatureHex(std::string_view secret, std::string_view timestamp,
                          std::span<const std::uint8_t> payload,
                          char (&hex)[kHexSignatureSize + 1]) {
  HmacSha256& mac = HmacSha256::ThreadLocal();
  Sha256Digest digest;
  if (!mac.Init(secret) || !mac.Update(timestamp) || !mac.Update(std::string_view(".", 1)) ||
      !mac.Update(payload) || !mac.Final(digest)) {
    return false;
  }
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  return true;
}

// Compares every candidate without stopping at the first match, each in
// constant time. Only a candidate's length (public: it is in the header) can
// influence timing. stripe-node compares hex strings, so uppercase hex or
// a signature with extra characters never matches; neither does it here.
bool AnyCandidateMatches(const std::vector<std::string_view>& candidates,
                         const char (&expected)[kHexSignatureSize + 1]) {
  int found = 0;
  for (std::string_view candidate : candidates) {
    if (candidate.size() != kHexSignatureSize) continue;
    found |= sodium_memcmp(candidate.data(), expected, kHexSignatureSize) == 0;
  }
  return found != 0;
}

}  // namespace

VerifyStatus VerifyWebhook(const VerifyRequest& request) {
  // Reused per thread so that steady-state verification does not allocate.
  thread_local SignatureHeader header;
  switch (ParseSignatureHeader(request.header, header)) {
    case HeaderParseStatus::kMalformed:
      return VerifyStatus::kMalformedHeader;
    case HeaderParseStatus::kNoSignatures:
      return VerifyStatus::kNoSignatures;
    case HeaderParseStatus::kOk:
      break;
  }
  if (request.secrets.empty()) return VerifyStatus::kMissingSecret;
  if (!request.payload) return VerifyStatus::kSignatureMismatch;

  bool matched = false;
  for (std::string_view secret : request.secrets) {
    char expected[kHexSignatureSize + 1];
    if (!ExpectedSignatureHex(secret, header.timestamp.view(), *request.payload, expected)) {
      return VerifyStatus::kInternalError;
    }
    if (AnyCandidateMatches(header.v1, expected)) {
      matched = true;
      break;
    }
  }
  if (!matched) return VerifyStatus::kSignatureMismatch;

  if (request.tolerance_seconds > 0) {
    const double now_seconds = std::floor(request.received_at_ms / 1000);
    const double age = now_seconds - header.timestamp.value;
    if (age > request.tolerance_seconds) return VerifyStatus::kTimestampTooOld;
    if (-age > request.tolerance_seconds) return VerifyStatus::kTimestampInFuture;
  }
  return VerifyStatus::kOk;
}

}  // namespace hookwise
