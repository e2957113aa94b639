#include "src/addon/value_conversion.h"

namespace hookwise::addon {

bool ReadUtf8(const Napi::Value& value, std::string& out) {
  if (!value.IsString()) return false;
  napi_env env = value.Env();
  // Most strings read here are short (ids, types, tokens, headers): one pass
  // into a buffer that holds them, instead of measuring first and copying
  // after (two walks over the string). V8 stops before a character that does
  // not fit whole, leaving at most 3 bytes unused besides the NUL, so a
  // result shorter than that margin is the whole string.
  constexpr std::size_t kShort = 256;
  constexpr std::size_t kLongestUtf8Char = 4;
  char buffer[kShort];
  std::size_t written = 0;
  if (napi_get_value_string_utf8(env, value, buffer, kShort, &written) != napi_ok) return false;
  if (written + kLongestUtf8Char < kShort) {
    out.assign(buffer, written);
    return true;
  }
  std::size_t length = 0;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &length) != napi_ok) return false;
  out.resize(length + 1);  // napi writes a terminating NUL
  if (napi_get_value_string_utf8(env, value, out.data(), out.size(), &written) != napi_ok) {
    return false;
  }
  out.resize(written);
  return true;
}

bool ReadBytes(const Napi::Value& value, ByteSource& out) {
  if (value.IsTypedArray()) {
    Napi::TypedArray array = value.As<Napi::TypedArray>();
    if (array.TypedArrayType() != napi_uint8_array) return false;
    Napi::Uint8Array bytes = value.As<Napi::Uint8Array>();
    out.bytes = {bytes.Data(), bytes.ByteLength()};
    out.is_typed_array = true;
    return true;
  }
  if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    out.bytes = {static_cast<const std::uint8_t*>(buffer.Data()), buffer.ByteLength()};
    out.is_typed_array = true;
    return true;
  }
  if (!ReadUtf8(value, out.storage)) return false;
  out.bytes = {reinterpret_cast<const std::uint8_t*>(out.storage.data()), out.storage.size()};
  out.is_typed_array = false;
  return true;
}

bool ReadStringArray(const Napi::Value& value, std::vector<std::string>& out) {
  if (!value.IsArray()) return false;
  Napi::Array array = value.As<Napi::Array>();
  const std::uint32_t length = array.Length();
  out.resize(length);
  for (std::uint32_t i = 0; i < length; ++i) {
    Napi::Value item = array.Get(i);
    if (item.Env().IsExceptionPending() || !ReadUtf8(item, out[i])) return false;
  }
  return true;
}

Napi::Value ThrowTypeError(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace hookwise::addon
