// Standard Webhooks (src/core/standard_webhook_verifier.h) for lib/standard:
//
// standardVerify(payload, id, timestamp, signature, keys, toleranceSeconds, receivedAtMs)
//   -> StandardStatus as a number
// standardVerifyAsync(...same...) -> Promise<StandardStatus>
// standardSign(id, timestamp, payload, key) -> the signature item ("v1,..." or
//   "v1a,...") as a string, or the StandardStatus (a number) when the key or
//   timestamp is refused
// standardStatusNames: the JS code of each StandardStatus, by number ('ok' first)
//
// `payload` is a Uint8Array, an ArrayBuffer or a string (UTF-8 encoded); the
// header values are strings; `keys` is an array of strings. Keys are copied
// out of JS for the call and wiped when it ends (src/addon/secret_strings.h).
#pragma once

#include <napi.h>

namespace hookwise::addon {

void InitStandardWebhook(Napi::Env env, Napi::Object exports);

}  // namespace hookwise::addon
