// hmacSha256Hex(data, key) -> lowercase hex string. Used by
// generateTestHeaderString, so test headers are signed by the same code that
// checks them.
#pragma once

#include <napi.h>

namespace hookwise::addon {

void InitHmac(Napi::Env env, Napi::Object exports);

}  // namespace hookwise::addon
