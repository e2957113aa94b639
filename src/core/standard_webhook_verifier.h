// Verification and signing of Standard Webhooks deliveries (Clerk, Svix,
// Resend, ...): the content `${id}.${timestamp}.${payload}` over the exact
// payload bytes, signed with
// - "v1": HMAC-SHA256 keyed with the base64-decoded part of a `whsec_` secret,
//   written as standard base64 (with padding);
// - "v1a": ed25519 (libsodium), verified with a `whpk_` public key (32 bytes,
//   base64), signed with a `whsk_` secret key (64 bytes: seed, then public key).
//
// Order of checks: the three headers present, the timestamp's grammar, the
// keys, the signatures, then the timestamp window. The signature is checked
// before the window (as for Stripe, API.md section 1), so a forged delivery
// with an old timestamp is reported as a signature failure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace hookwise {

// The codes of StandardWebhookVerificationError (API.md section 9), in this
// order; StandardStatusName gives each its JS code. lib reads the names from
// the addon, so the two languages share one list.
enum class StandardStatus : int {
  kOk = 0,
  kMissingHeader = 1,
  kBadTimestamp = 2,
  kTimestampTooOld = 3,
  kTimestampInFuture = 4,
  kNoMatchingSignature = 5,
  kBadSecret = 6,
  kInternalError = 7,  // OpenSSL failed; never reported as success
};
inline constexpr int kStandardStatusCount = 8;

std::string_view StandardStatusName(StandardStatus status);

enum class StandardKeyKind { kHmacSecret, kPublicKey, kSecretKey };

// Decodes "whsec_<base64>" (any non-empty length), "whpk_<base64>" (32 bytes)
// or "whsk_<base64>" (64 bytes) into `bytes`; base64 with or without padding.
// False for anything else (the caller wipes `bytes` either way).
bool DecodeStandardKey(std::string_view text, StandardKeyKind& kind, std::string& bytes);

struct StandardVerifyRequest {
  std::span<const std::uint8_t> payload;
  std::string_view id;
  std::string_view timestamp;
  std::string_view signature;
  // `whsec_` secrets and `whpk_` public keys, in any mix. A `whsk_` secret key
  // is refused (kBadSecret): receivers hold the public key only.
  std::span<const std::string_view> keys;
  // Seconds; 0 or less turns the window check off (as in API.md section 1).
  double tolerance_seconds = 300;
  double received_at_ms = 0;
};

// Safe to call from any thread; uses the per-thread HMAC context.
StandardStatus VerifyStandardWebhook(const StandardVerifyRequest& request);

// The ed25519 primitives of "v1a" (libsodium), for known-answer tests (RFC
// 8032). `public_key` is 32 bytes, `signature` 64, `secret_key` 64 (seed, then
// public key). False when a length is wrong or the signature does not verify.
bool Ed25519Verify(std::span<const std::uint8_t> public_key,
                   std::span<const std::uint8_t> signature, std::span<const std::uint8_t> message);
bool Ed25519Sign(std::span<const std::uint8_t> secret_key, std::span<const std::uint8_t> message,
                 std::span<std::uint8_t> signature);

// One signature item ("v1,<base64>" for a `whsec_` secret, "v1a,<base64>" for
// a `whsk_` secret key) into `item`. kBadSecret for any other key (or a
// `whsk_` whose public half does not belong to its seed), kBadTimestamp for a
// timestamp that is not a strict integer.
StandardStatus SignStandardWebhook(std::string_view id, std::string_view timestamp,
                                   std::span<const std::uint8_t> payload, std::string_view key,
                                   std::string& item);

}  // namespace hookwise
