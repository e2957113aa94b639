#include "src/addon/envelope_layout.h"

#include <cstdint>
#include <span>

namespace hookwise::addon::envelope_layout {

namespace {

struct NamedValue {
  const char* name;
  double value;
};

// Each list as {JS name, value} pairs, from the same X-macro entries as the C++ names.
#define HOOKWISE_NAMED(cpp, js) NamedValue{#js, static_cast<double>(k##cpp)},
#define HOOKWISE_NAMED_VALUE(cpp, js, value) NamedValue{#js, static_cast<double>(k##cpp)},
#define HOOKWISE_NAMED_KIND(cpp, js) \
  NamedValue{#js, static_cast<double>(static_cast<int>(JsonKind::k##cpp))},
constexpr NamedValue kHeaderNames[] = {HOOKWISE_ENVELOPE_HEADER_SLOTS(HOOKWISE_NAMED)};
constexpr NamedValue kMemberNames[] = {HOOKWISE_ENVELOPE_MEMBER_SLOTS(HOOKWISE_NAMED)};
constexpr NamedValue kFlagNames[] = {HOOKWISE_ENVELOPE_MEMBER_FLAGS(HOOKWISE_NAMED_VALUE)};
constexpr NamedValue kJsLengthNames[] = {HOOKWISE_ENVELOPE_JS_LENGTHS(HOOKWISE_NAMED_VALUE)};
constexpr NamedValue kKindNames[] = {HOOKWISE_ENVELOPE_JSON_KINDS(HOOKWISE_NAMED_KIND)};
#undef HOOKWISE_NAMED
#undef HOOKWISE_NAMED_VALUE
#undef HOOKWISE_NAMED_KIND

Napi::Object ObjectOf(Napi::Env env, std::span<const NamedValue> values) {
  Napi::Object object = Napi::Object::New(env);
  for (const NamedValue& v : values) object.Set(v.name, v.value);
  return object;
}

}  // namespace

Napi::Object ExportEnvelopeLayout(Napi::Env env) {
  Napi::Object layout = Napi::Object::New(env);
  layout.Set("outSize", static_cast<double>(kOutSize));
  layout.Set("padding", static_cast<double>(kEnvelopePadding));
  Napi::Array keys = Napi::Array::New(env, kKnownTopLevelKeys.size());
  for (std::size_t i = 0; i < kKnownTopLevelKeys.size(); ++i) {
    keys.Set(static_cast<std::uint32_t>(i),
             Napi::String::New(env, kKnownTopLevelKeys[i].data(), kKnownTopLevelKeys[i].size()));
  }
  layout.Set("knownKeys", keys);
  Napi::Object header = ObjectOf(env, kHeaderNames);
  header.Set("size", static_cast<double>(kHeaderSlots));
  layout.Set("header", header);
  Napi::Object member = ObjectOf(env, kMemberNames);
  member.Set("size", static_cast<double>(kMemberSlots));
  layout.Set("member", member);
  layout.Set("flags", ObjectOf(env, kFlagNames));
  layout.Set("jsLength", ObjectOf(env, kJsLengthNames));
  layout.Set("kinds", ObjectOf(env, kKindNames));
  // out[header.status] when the event was parsed natively (else lib falls back to JSON.parse).
  layout.Set("parsed", static_cast<double>(static_cast<int>(EnvelopeStatus::kOk)));
  return layout;
}

}  // namespace hookwise::addon::envelope_layout
