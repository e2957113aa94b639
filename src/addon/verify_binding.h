// verify(payload, header, secrets, toleranceSeconds, receivedAtMs) -> status
// verifyAsync(...same...) -> Promise<status>
//
// `payload` is a Uint8Array, an ArrayBuffer, a string, or null (the caller was
// given a parsed object: nothing can match). `secrets` is an array of
// non-blank strings. The status is the core's VerifyStatus as a number; the JS
// layer turns it into SignatureVerificationError.
#pragma once

#include <napi.h>

namespace hookwise::addon {

void InitVerify(Napi::Env env, Napi::Object exports);

}  // namespace hookwise::addon
