// Converting JS values into the plain C++ views the core takes.
//
// The JS layer validates every argument first (lib/args.js); these functions
// check again cheaply and report a wrong type by returning false, so that a
// call that slipped past JS validation cannot crash the process.
#pragma once

#include <napi.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hookwise::addon {

// A byte view over a Buffer/Uint8Array/ArrayBuffer (no copy), or over `storage`
// holding a string's UTF-8 encoding (lone surrogates become U+FFFD, as
// Buffer.from(string) does).
struct ByteSource {
  std::span<const std::uint8_t> bytes;
  std::string storage;
  bool is_typed_array = false;

  // Copies bytes viewed in a JS ArrayBuffer into `storage`. Work handed to
  // another thread calls it on the JS thread: a caller may transfer or detach
  // the ArrayBuffer (structuredClone with transfer, ArrayBuffer.prototype
  // .transfer) as soon as the call returns, which frees or moves the memory
  // the view points into.
  void Own() {
    if (!is_typed_array) return;  // a string's encoding is already in `storage`
    storage.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    bytes = {reinterpret_cast<const std::uint8_t*>(storage.data()), storage.size()};
  }
};

bool ReadBytes(const Napi::Value& value, ByteSource& out);

// A JS string's UTF-8 encoding into `out` (its capacity is reused).
bool ReadUtf8(const Napi::Value& value, std::string& out);

// A JS array of strings; `out` keeps its capacity between calls.
bool ReadStringArray(const Napi::Value& value, std::vector<std::string>& out);

// Throws a TypeError in JS (pending exception) and returns undefined.
Napi::Value ThrowTypeError(Napi::Env env, const char* message);

}  // namespace hookwise::addon
