#include "src/addon/envelope_layout.h"

#include <cstdint>

namespace hookwise::addon::envelope_layout {

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

  Napi::Object header = Napi::Object::New(env);
#define HOOKWISE_EXPORT_SLOT(cpp, js) header.Set(#js, static_cast<double>(k##cpp));
  HOOKWISE_ENVELOPE_HEADER_SLOTS(HOOKWISE_EXPORT_SLOT)
#undef HOOKWISE_EXPORT_SLOT
  header.Set("size", static_cast<double>(kHeaderSlots));
  layout.Set("header", header);

  Napi::Object member = Napi::Object::New(env);
#define HOOKWISE_EXPORT_SLOT(cpp, js) member.Set(#js, static_cast<double>(k##cpp));
  HOOKWISE_ENVELOPE_MEMBER_SLOTS(HOOKWISE_EXPORT_SLOT)
#undef HOOKWISE_EXPORT_SLOT
  member.Set("size", static_cast<double>(kMemberSlots));
  layout.Set("member", member);

  Napi::Object flags = Napi::Object::New(env);
#define HOOKWISE_EXPORT_VALUE(cpp, js, value) flags.Set(#js, static_cast<double>(k##cpp));
  HOOKWISE_ENVELOPE_MEMBER_FLAGS(HOOKWISE_EXPORT_VALUE)
#undef HOOKWISE_EXPORT_VALUE
  Napi::Object js_length = Napi::Object::New(env);
#define HOOKWISE_EXPORT_VALUE(cpp, js, value) js_length.Set(#js, static_cast<double>(k##cpp));
  HOOKWISE_ENVELOPE_JS_LENGTHS(HOOKWISE_EXPORT_VALUE)
#undef HOOKWISE_EXPORT_VALUE
  layout.Set("flags", flags);
  layout.Set("jsLength", js_length);

  Napi::Object kinds = Napi::Object::New(env);
#define HOOKWISE_EXPORT_KIND(cpp, js) \
  kinds.Set(#js, static_cast<double>(static_cast<int>(JsonKind::k##cpp)));
  HOOKWISE_ENVELOPE_JSON_KINDS(HOOKWISE_EXPORT_KIND)
#undef HOOKWISE_EXPORT_KIND
  layout.Set("kinds", kinds);
  // out[header.status] when the event was parsed natively (else lib falls back to JSON.parse).
  layout.Set("parsed", static_cast<double>(static_cast<int>(EnvelopeStatus::kOk)));
  return layout;
}

}  // namespace hookwise::addon::envelope_layout
