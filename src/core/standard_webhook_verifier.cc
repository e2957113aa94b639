#include "src/core/standard_webhook_verifier.h"

#include <sodium.h>

#include <array>
#include <cmath>
#include <vector>

#include "src/core/hmac_sha256.h"
#include "src/core/standard_signature_header.h"

namespace hookwise {

std::string_view StandardStatusName(StandardStatus status) {
  switch (status) {
    case StandardStatus::kOk:
      return "ok";
    case StandardStatus::kMissingHeader:
      return "missing_header";
    case StandardStatus::kBadTimestamp:
      return "bad_timestamp";
    case StandardStatus::kTimestampTooOld:
      return "timestamp_too_old";
    case StandardStatus::kTimestampInFuture:
      return "timestamp_in_future";
    case StandardStatus::kNoMatchingSignature:
      return "no_matching_signature";
    case StandardStatus::kBadSecret:
      return "bad_secret";
    case StandardStatus::kInternalError:
      return "internal_error";
  }
  return "internal_error";
}

namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr std::string_view kPublicKeyPrefix = "whpk_";
constexpr std::string_view kSecretKeyPrefix = "whsk_";
// base64 of 32 bytes with padding, and its terminating NUL.
constexpr std::size_t kHmacBase64Size = 44;
constexpr std::size_t kEd25519SignatureSize = crypto_sign_BYTES;

// Strict base64 (the original alphabet) of exactly the whole text, with or
// without padding.
bool DecodeBase64(std::string_view text, std::string& bytes) {
  bytes.resize(text.size() / 4 * 3 + 3);
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
    std::size_t length = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                          text.size(), nullptr, &length, &end, variant) == 0 &&
        end == text.data() + text.size()) {
      bytes.resize(length);
      return true;
    }
  }
  return false;
}

// Wipes a decoded key when the scope ends, on every return path.
class WipedString {
 public:
  WipedString() = default;
  WipedString(const WipedString&) = delete;
  WipedString& operator=(const WipedString&) = delete;
  ~WipedString() { Wipe(); }
  void Wipe() {
    if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
    bytes.clear();
  }
  std::string bytes;
};

std::span<const std::uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// HMAC of id "." timestamp "." payload, fed in pieces (no concatenated copy),
// as padded standard base64 into `out` (kHmacBase64Size characters + NUL).
bool HmacBase64(std::span<const std::uint8_t> key, std::string_view id, std::string_view timestamp,
                std::span<const std::uint8_t> payload, char (&out)[kHmacBase64Size + 1]) {
  HmacSha256& mac = HmacSha256::ThreadLocal();
  Sha256Digest digest;
  const std::string_view dot(".", 1);
  if (!mac.Init(key) || !mac.Update(id) || !mac.Update(dot) || !mac.Update(timestamp) ||
      !mac.Update(dot) || !mac.Update(payload) || !mac.Final(digest)) {
    return false;
  }
  sodium_bin2base64(out, sizeof out, digest.data(), digest.size(), sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero(digest.data(), digest.size());
  return true;
}

// ed25519 signs the whole message at once: the content is concatenated here.
void SignedContent(std::string_view id, std::string_view timestamp,
                   std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) {
  out.clear();
  out.reserve(id.size() + timestamp.size() + 2 + payload.size());
  out.insert(out.end(), id.begin(), id.end());
  out.push_back('.');
  out.insert(out.end(), timestamp.begin(), timestamp.end());
  out.push_back('.');
  out.insert(out.end(), payload.begin(), payload.end());
}

// Every v1 candidate of the right length is compared in full (constant time);
// only candidates' lengths, which are public, shape the timing.
bool AnyV1Matches(const std::vector<StandardSignature>& candidates,
                  const char (&expected)[kHmacBase64Size + 1]) {
  int found = 0;
  for (const StandardSignature& candidate : candidates) {
    if (candidate.scheme != StandardScheme::kV1 || candidate.value.size() != kHmacBase64Size) {
      continue;
    }
    found |= sodium_memcmp(candidate.value.data(), expected, kHmacBase64Size) == 0;
  }
  return found != 0;
}

// sodium_init() is idempotent and thread-safe; it picks the CPU-specific code.
bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

bool AnyV1aMatches(const std::vector<StandardSignature>& candidates,
                   std::span<const std::uint8_t> public_key,
                   const std::vector<std::uint8_t>& content) {
  bool found = false;
  for (const StandardSignature& candidate : candidates) {
    if (candidate.scheme != StandardScheme::kV1a) continue;
    std::string signature;
    if (!DecodeBase64(candidate.value, signature) || signature.size() != kEd25519SignatureSize) {
      continue;
    }
    found |= Ed25519Verify(public_key, AsBytes(signature), content);
  }
  return found;
}

}  // namespace

bool Ed25519Verify(std::span<const std::uint8_t> public_key,
                   std::span<const std::uint8_t> signature, std::span<const std::uint8_t> message) {
  if (!SodiumReady() || public_key.size() != crypto_sign_PUBLICKEYBYTES ||
      signature.size() != kEd25519SignatureSize) {
    return false;
  }
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

bool Ed25519Sign(std::span<const std::uint8_t> secret_key, std::span<const std::uint8_t> message,
                 std::span<std::uint8_t> signature) {
  if (!SodiumReady() || secret_key.size() != crypto_sign_SECRETKEYBYTES ||
      signature.size() != kEd25519SignatureSize) {
    return false;
  }
  return crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                              secret_key.data()) == 0;
}

bool DecodeStandardKey(std::string_view text, StandardKeyKind& kind, std::string& bytes) {
  std::size_t expected = 0;  // 0: any non-empty length
  if (text.starts_with(kSecretPrefix)) {
    kind = StandardKeyKind::kHmacSecret;
    text.remove_prefix(kSecretPrefix.size());
  } else if (text.starts_with(kPublicKeyPrefix)) {
    kind = StandardKeyKind::kPublicKey;
    text.remove_prefix(kPublicKeyPrefix.size());
    expected = crypto_sign_PUBLICKEYBYTES;
  } else if (text.starts_with(kSecretKeyPrefix)) {
    kind = StandardKeyKind::kSecretKey;
    text.remove_prefix(kSecretKeyPrefix.size());
    expected = crypto_sign_SECRETKEYBYTES;
  } else {
    return false;
  }
  if (!DecodeBase64(text, bytes) || bytes.empty()) return false;
  return expected == 0 || bytes.size() == expected;
}

StandardStatus VerifyStandardWebhook(const StandardVerifyRequest& request) {
  if (request.id.empty() || request.timestamp.empty() || request.signature.empty()) {
    return StandardStatus::kMissingHeader;
  }
  StandardTimestamp timestamp;
  if (!ParseStandardTimestamp(request.timestamp, timestamp)) return StandardStatus::kBadTimestamp;
  if (request.keys.empty()) return StandardStatus::kBadSecret;

  // Reused per thread so that steady-state verification does not allocate.
  thread_local std::vector<StandardSignature> candidates;
  ParseStandardSignatures(request.signature, candidates);
  bool any_v1a = false;
  for (const StandardSignature& c : candidates) any_v1a |= c.scheme == StandardScheme::kV1a;

  WipedString key;
  std::vector<std::uint8_t> content;  // built once, for the first public key
  bool matched = false;
  for (std::string_view text : request.keys) {
    StandardKeyKind kind;
    if (!DecodeStandardKey(text, kind, key.bytes) || kind == StandardKeyKind::kSecretKey) {
      return StandardStatus::kBadSecret;
    }
    if (matched) continue;  // the remaining keys are still checked for validity
    if (kind == StandardKeyKind::kHmacSecret) {
      char expected[kHmacBase64Size + 1];
      if (!HmacBase64(AsBytes(key.bytes), request.id, timestamp.view(), request.payload,
                      expected)) {
        return StandardStatus::kInternalError;
      }
      matched = AnyV1Matches(candidates, expected);
    } else if (any_v1a) {
      if (content.empty()) SignedContent(request.id, timestamp.view(), request.payload, content);
      matched = AnyV1aMatches(candidates, AsBytes(key.bytes), content);
    }
    key.Wipe();
  }
  if (!matched) return StandardStatus::kNoMatchingSignature;

  if (request.tolerance_seconds > 0) {
    const double now_seconds = std::floor(request.received_at_ms / 1000);
    const double age = now_seconds - static_cast<double>(timestamp.value);
    if (age > request.tolerance_seconds) return StandardStatus::kTimestampTooOld;
    if (-age > request.tolerance_seconds) return StandardStatus::kTimestampInFuture;
  }
  return StandardStatus::kOk;
}

StandardStatus SignStandardWebhook(std::string_view id, std::string_view timestamp_text,
                                   std::span<const std::uint8_t> payload, std::string_view key_text,
                                   std::string& item) {
  StandardTimestamp timestamp;
  if (!ParseStandardTimestamp(timestamp_text, timestamp)) return StandardStatus::kBadTimestamp;
  WipedString key;
  StandardKeyKind kind;
  if (!DecodeStandardKey(key_text, kind, key.bytes) || kind == StandardKeyKind::kPublicKey) {
    return StandardStatus::kBadSecret;
  }
  if (kind == StandardKeyKind::kHmacSecret) {
    char signature[kHmacBase64Size + 1];
    if (!HmacBase64(AsBytes(key.bytes), id, timestamp.view(), payload, signature)) {
      return StandardStatus::kInternalError;
    }
    item.assign("v1,").append(signature, kHmacBase64Size);
    return StandardStatus::kOk;
  }
  if (!SodiumReady()) return StandardStatus::kInternalError;
  // A whsk_ key is seed || public key; a public half that is not the seed's
  // would make signatures no verifier accepts.
  const auto* secret_key = reinterpret_cast<const unsigned char*>(key.bytes.data());
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> derived_public;
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> derived_secret;
  crypto_sign_seed_keypair(derived_public.data(), derived_secret.data(), secret_key);
  sodium_memzero(derived_secret.data(), derived_secret.size());
  if (sodium_memcmp(derived_public.data(), secret_key + crypto_sign_SEEDBYTES,
                    crypto_sign_PUBLICKEYBYTES) != 0) {
    return StandardStatus::kBadSecret;
  }
  std::vector<std::uint8_t> content;
  SignedContent(id, timestamp.view(), payload, content);
  std::array<unsigned char, kEd25519SignatureSize> signature;
  if (!Ed25519Sign(AsBytes(key.bytes), content, signature)) return StandardStatus::kInternalError;
  char encoded[sodium_base64_ENCODED_LEN(kEd25519SignatureSize, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(encoded, sizeof encoded, signature.data(), signature.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  item.assign("v1a,").append(encoded);
  return StandardStatus::kOk;
}

}  // namespace hookwise
