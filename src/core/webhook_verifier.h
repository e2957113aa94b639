// Verification of one Stripe webhook delivery: header, HMAC, timestamp window.
//
// The order of checks is stripe-node's, so that the first failure reported is
// the one stripe-node would report: header grammar, then the presence of a
// secret, then the signature, then the timestamp. (Payload and header presence
// are checked by the caller, which sees the JS values.)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hookwise {

enum class VerifyStatus : int {
  kOk = 0,
  kMalformedHeader = 1,
  kNoSignatures = 2,
  kMissingSecret = 3,
  kSignatureMismatch = 4,
  kTimestampTooOld = 5,
  kTimestampInFuture = 6,
  kInternalError = 7,  // OpenSSL failed; never reported as success
};

std::string_view VerifyStatusName(VerifyStatus status);

struct VerifyRequest {
  // The exact bytes received. nullopt when the caller was given something that
  // is not a raw body (a parsed object): no signature can match it.
  std::optional<std::span<const std::uint8_t>> payload;
  std::string_view header;
  // Candidate secrets, whole (with the "whsec_" prefix). Blank ones must have
  // been dropped by the caller: an empty key would make forgery trivial.
  std::span<const std::string_view> secrets;
  // Seconds; 0 or less turns the timestamp check off (stripe-node's rule).
  double tolerance_seconds = 300;
  // Milliseconds since the epoch at which the delivery was received.
  double received_at_ms = 0;
};

// Safe to call from any thread; uses a per-thread HMAC context.
VerifyStatus VerifyWebhook(const VerifyRequest& request);

}  // namespace hookwise
