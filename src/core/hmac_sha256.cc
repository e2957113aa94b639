#include "src/core/hmac_sha256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

namespace hookwise {
namespace {

// Fetching the algorithm walks OpenSSL's provider tables; do it once per process.
// libsodium is initialised alongside: its helpers we use need no setup, but
// sodium_init() picks the CPU-specific code paths for the rest.
EVP_MAC* FetchHmac() {
  static EVP_MAC* mac = [] {
    if (sodium_init() < 0) return static_cast<EVP_MAC*>(nullptr);
    return EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  }();
  return mac;
}

std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

HmacSha256::HmacSha256() {
  EVP_MAC* mac = FetchHmac();
  if (mac == nullptr) return;
  ctx_ = EVP_MAC_CTX_new(mac);
  if (ctx_ == nullptr) return;
  // The digest is fixed for the life of the context, so it is set once here
  // rather than on every Init (setting it re-fetches SHA-256 each time).
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_CTX_set_params(ctx_, params) != 1) {
    EVP_MAC_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

HmacSha256::~HmacSha256() {
  // EVP_MAC_CTX_free clears OpenSSL's key copy and key state.
  if (ctx_ != nullptr) EVP_MAC_CTX_free(ctx_);
  if (!last_key_.empty()) sodium_memzero(last_key_.data(), last_key_.size());
}

bool HmacSha256::Init(std::span<const std::uint8_t> key) {
  if (ctx_ == nullptr) return false;
  const bool same_key = keyed_ && key.size() == last_key_.size() &&
                        sodium_memcmp(key.data(), last_key_.data(), key.size()) == 0;
  if (same_key) {
    // A null key re-initialises with the key already installed.
    return EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1;
  }
  // OpenSSL rejects a null pointer even for an empty key; give it a valid one.
  static const std::uint8_t kEmpty = 0;
  const std::uint8_t* data = key.empty() ? &kEmpty : key.data();
  keyed_ = EVP_MAC_init(ctx_, data, key.size(), nullptr) == 1;
  if (!keyed_) return false;
  if (!last_key_.empty()) sodium_memzero(last_key_.data(), last_key_.size());
  last_key_.assign(reinterpret_cast<const char*>(key.data()), key.size());
  return true;
}

bool HmacSha256::Init(std::string_view key) { return Init(AsBytes(key)); }

void HmacSha256::Forget() {
  // last_key_ is non-empty whenever a key was installed (even if a later Init
  // failed and left OpenSSL's state unknown); an empty key has nothing to wipe.
  if (last_key_.empty() && !keyed_) return;
  sodium_memzero(last_key_.data(), last_key_.size());
  last_key_.clear();
  keyed_ = false;
  // OpenSSL frees its key copy with OPENSSL_secure_clear_free when it is
  // re-keyed, and recomputes the padded state in place.
  static const std::uint8_t kZeroKey[kSha256DigestSize] = {};
  if (ctx_ != nullptr) EVP_MAC_init(ctx_, kZeroKey, sizeof kZeroKey, nullptr);
}

bool HmacSha256::Update(std::span<const std::uint8_t> data) {
  if (ctx_ == nullptr) return false;
  if (data.empty()) return true;
  return EVP_MAC_update(ctx_, data.data(), data.size()) == 1;
}

bool HmacSha256::Update(std::string_view data) { return Update(AsBytes(data)); }

bool HmacSha256::Final(Sha256Digest& out) {
  if (ctx_ == nullptr) return false;
  std::size_t written = 0;
  return EVP_MAC_final(ctx_, out.data(), &written, out.size()) == 1 && written == out.size();
}

HmacSha256& HmacSha256::ThreadLocal() {
  thread_local HmacSha256 instance;
  return instance;
}

bool ComputeHmacSha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data,
                       Sha256Digest& out) {
  HmacSha256& mac = HmacSha256::ThreadLocal();
  return mac.Init(key) && mac.Update(data) && mac.Final(out);
}

std::string ToLowerHex(std::span<const std::uint8_t> bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();  // sodium writes a terminating NUL
  return hex;
}

}  // namespace hookwise
