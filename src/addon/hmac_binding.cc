#include "src/addon/hmac_binding.h"

#include <sodium.h>

#include "src/addon/value_conversion.h"
#include "src/core/hmac_sha256.h"

namespace hookwise::addon {
namespace {

Napi::Value HmacSha256Hex(const Napi::CallbackInfo& info) {
  ByteSource data;
  ByteSource key;
  if (info.Length() < 2 || !ReadBytes(info[0], data) || !ReadBytes(info[1], key)) {
    return ThrowTypeError(info.Env(), "hmacSha256Hex(data, key)");
  }
  Sha256Digest digest{};
  const bool ok = ComputeHmacSha256(key.bytes, data.bytes, digest);
  // A string key was copied (UTF-8) into `key.storage`: wipe that copy.
  if (!key.storage.empty()) sodium_memzero(key.storage.data(), key.storage.size());
  if (!ok) {
    Napi::Error::New(info.Env(), "HMAC-SHA256 is unavailable in this OpenSSL")
        .ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return Napi::String::New(info.Env(), ToLowerHex(digest));
}

}  // namespace

void InitHmac(Napi::Env env, Napi::Object exports) {
  exports.Set("hmacSha256Hex", Napi::Function::New(env, HmacSha256Hex, "hmacSha256Hex"));
}

}  // namespace hookwise::addon
