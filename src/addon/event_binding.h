// verifyAndParse(payload, header, secrets, toleranceSeconds, receivedAtMs, out, strings, jsLength,
//                snapshot)
//   -> VerifyStatus as a number
// verifyAndParseAsync(...same...) -> Promise<VerifyStatus>
//
// One native call for the hot path: the signature check of webhook_verifier,
// then (only when it passes) the envelope parse of event_envelope. The
// envelope is written into `out`, a Float64Array the caller owns (layout in
// lib/engine/native/envelope.js, which is its only reader); data.object.id and
// data.object.object, when known, are stored into `strings[0]` and
// `strings[1]` (an Array), or left undefined.
//
// `jsLength` is the payload's JS string length, -1 for bytes copied into
// `snapshot`, or -2 for (small) bytes that lib copies or decodes itself after
// the call: out[7] then says whether the body is ASCII (lib decodes it into one
// latin1 string, whose indices are the byte offsets). For a string
// payload whose UTF-8 encoding is longer (non-ASCII text), every offset in
// `out` is converted to a UTF-16 index, so the JS side can slice the string
// it already holds. Byte payloads get byte offsets and a leading BOM skipped,
// as TextDecoder drops it. For bytes, `snapshot` is a Uint8Array of at least
// byteLength + layout.padding bytes: the body is copied into it once, and the
// signature check and the parse both run on that copy, which the event keeps
// (a caller reusing its Buffer cannot change the event's lazy members). For
// strings it is ignored: their UTF-8 encoding is already a private copy.
#pragma once

#include <napi.h>

namespace hookwise::addon {

void InitEvent(Napi::Env env, Napi::Object exports);

}  // namespace hookwise::addon
