// Streaming HMAC-SHA256 on OpenSSL's EVP_MAC.
//
// Why a class and not a one-shot function: the webhook hot path feeds the MAC
// three pieces (`t`, ".", body) without concatenating them, and re-keying with
// the same secret on every delivery is avoidable work (OpenSSL keeps the padded
// inner/outer key state, so a re-init with a null key skips it).
//
// The key cache, exactly: an instance that has been keyed holds the last key
// twice until it is re-keyed, forgotten or destroyed: in `last_key_` (to
// recognise the same secret on the next call) and inside OpenSSL's context
// (its copy of the key and the padded key state, which is as good as the key
// for forging MACs). Re-keying with another secret wipes the old copy
// (sodium_memzero; OpenSSL clears its own), Forget() wipes both, and so does
// the destructor, which runs at thread exit for ThreadLocal().
//
// An instance is not thread-safe; use one per thread (see ThreadLocal()).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX, kept out of this header.

namespace hookwise {

inline constexpr std::size_t kSha256DigestSize = 32;
using Sha256Digest = std::array<std::uint8_t, kSha256DigestSize>;

class HmacSha256 {
 public:
  HmacSha256();
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // False when OpenSSL could not provide HMAC-SHA256 (a broken installation);
  // every other method then returns false too.
  bool ok() const { return ctx_ != nullptr; }

  // Starts a new MAC keyed with `key`. Re-using the previous key is cheap.
  bool Init(std::span<const std::uint8_t> key);
  bool Init(std::string_view key);
  bool Update(std::span<const std::uint8_t> data);
  bool Update(std::string_view data);
  bool Final(Sha256Digest& out);

  // Wipes the cached key: `last_key_` is zeroed and OpenSSL's context is
  // re-keyed with an all-zero key, which clears its copy of the old key and
  // overwrites the key state. The next Init keys from scratch. Cheap (about
  // one re-key); callers on shared threads (the libuv pool) call it after
  // every use so that no secret stays behind for the next, unrelated job.
  void Forget();
  // Whether a key is cached (tests).
  bool holds_key() const { return keyed_ || !last_key_.empty(); }

  // The calling thread's instance, created on first use.
  static HmacSha256& ThreadLocal();

 private:
  evp_mac_ctx_st* ctx_ = nullptr;
  std::string last_key_;
  bool keyed_ = false;
};

// One-shot convenience for tests and generateTestHeaderString.
bool ComputeHmacSha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data,
                       Sha256Digest& out);

// Lowercase hex, as Stripe writes signatures.
std::string ToLowerHex(std::span<const std::uint8_t> bytes);

}  // namespace hookwise
