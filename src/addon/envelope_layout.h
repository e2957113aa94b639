// The layout of the Float64Array `out` that verifyAndParse fills, and every
// code written into it: the one definition. ExportEnvelopeLayout hands all of
// it to JS at load as `envelopeLayout`, and lib/engine/native/envelope.js reads
// each slot index, flag bit, kind and sentinel from there, so no number is
// copied by hand between the two languages (a test checks that the JS side
// names nothing the layout lacks).
//
// out = [ header slots ][ member slots x kMaxTopLevelMembers ]
// The lists are X-macros so that a slot's C++ name and its JS name are one
// entry: X(CppName, jsName).
#pragma once

#include <napi.h>

#include <cstddef>

#include "src/core/event_envelope.h"

namespace hookwise::addon::envelope_layout {

// out[slot]: what the envelope parse found about the event as a whole.
#define HOOKWISE_ENVELOPE_HEADER_SLOTS(X)                                          \
  X(Status, status)                   /* EnvelopeStatus; `parsed` = natively */    \
  X(Reason, reason)                   /* why the native parse fell back */         \
  X(MemberCount, memberCount)         /* top-level members described below */      \
  X(ObjectIdKind, objectIdKind)       /* JsonKind of data.object.id, 0 = absent */ \
  X(ObjectIdKnown, objectIdKnown)     /* 1: its text is in strings[0] */           \
  X(ObjectTypeKind, objectTypeKind)   /* JsonKind of data.object.object */         \
  X(ObjectTypeKnown, objectTypeKnown) /* 1: its text is in strings[1] */           \
  X(BodyIsAscii, bodyIsAscii)         /* bytes lib decodes itself: 1 = one latin1 string */

// out[header + member * i + slot]: the i-th top-level member.
#define HOOKWISE_ENVELOPE_MEMBER_SLOTS(X)                                 \
  X(KeyCode, keyCode)   /* index into knownKeys, or -1: slice the key */  \
  X(KeyBegin, keyBegin) /* key span, quotes excluded */                   \
  X(KeyEnd, keyEnd)                                                       \
  X(Kind, kind)             /* JsonKind of the value */                   \
  X(ValueBegin, valueBegin) /* value span (a string's quotes included) */ \
  X(ValueEnd, valueEnd)                                                   \
  X(Flags, flags)   /* MemberFlag bits */                                 \
  X(Number, number) /* the value, when flags has numberIsExact */

#define HOOKWISE_ENVELOPE_MEMBER_FLAGS(X)                                          \
  X(ValueHasEscape, valueHasEscape, 1) /* a string value JSON.parse must decode */ \
  X(NumberIsExact, numberIsExact, 2)   /* `number` holds the value exactly */      \
  X(KeyNotAscii, keyNotAscii, 4)                                                   \
  X(ValueNotAscii, valueNotAscii, 8)

// jsLength values for bytes payloads (see event_binding.h).
#define HOOKWISE_ENVELOPE_JS_LENGTHS(X)                              \
  X(SnapshotBytes, snapshotBytes, -1) /* copied into the snapshot */ \
  X(DecodedBytes, decodedBytes, -2)   /* lib copies or decodes them after the call */

#define HOOKWISE_ENUM_ENTRY(cpp, js) k##cpp,
enum HeaderSlot : std::size_t { HOOKWISE_ENVELOPE_HEADER_SLOTS(HOOKWISE_ENUM_ENTRY) kHeaderSlots };
enum MemberSlot : std::size_t { HOOKWISE_ENVELOPE_MEMBER_SLOTS(HOOKWISE_ENUM_ENTRY) kMemberSlots };
#undef HOOKWISE_ENUM_ENTRY

// Plain constants, not enums: flags are or-ed into a double, lengths compared with one.
#define HOOKWISE_VALUE_ENTRY(cpp, js, value) constexpr double k##cpp = value;
HOOKWISE_ENVELOPE_MEMBER_FLAGS(HOOKWISE_VALUE_ENTRY)
HOOKWISE_ENVELOPE_JS_LENGTHS(HOOKWISE_VALUE_ENTRY)
#undef HOOKWISE_VALUE_ENTRY

constexpr std::size_t kOutSize = kHeaderSlots + kMemberSlots * kMaxTopLevelMembers;

// JsonKind (src/core/event_envelope.h) by its JS name.
#define HOOKWISE_ENVELOPE_JSON_KINDS(X) \
  X(None, none)                         \
  X(String, string)                     \
  X(Number, number) X(True, true) X(False, false) X(Null, null) X(Object, object) X(Array, array)

/** envelopeLayout: { outSize, padding, knownKeys, header, member, flags, jsLength, kinds, parsed }.
 */
Napi::Object ExportEnvelopeLayout(Napi::Env env);

}  // namespace hookwise::addon::envelope_layout
