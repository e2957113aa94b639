// Endpoint secrets copied out of JS strings for one verification, and wiped
// (sodium_memzero) when that call ends, so that no copy outlives the call in
// the addon's reused per-thread buffers or in freed heap memory.
//
// The buffers keep their capacity after a wipe: the synchronous calls reuse
// one SecretStrings per thread and stay allocation-free. (A buffer that must
// grow is reallocated while it holds only zeros: every call wipes before it
// returns, so what the old buffer held is already gone.)
#pragma once

#include <napi.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hookwise::addon {

class SecretStrings {
 public:
  SecretStrings() = default;
  SecretStrings(const SecretStrings&) = delete;
  SecretStrings& operator=(const SecretStrings&) = delete;
  ~SecretStrings() { Wipe(); }

  // A JS array of strings (the JS layer has dropped blank ones). False on a
  // wrong type; what was read so far is wiped by the next Wipe as usual.
  bool Read(const Napi::Value& array);

  // Views of the copies, valid until the next Read or Wipe.
  std::span<const std::string_view> views() const { return views_; }

  // Zeroes every copy and forgets them.
  void Wipe();

 private:
  std::vector<std::string> copies_;
  std::vector<std::string_view> views_;
};

// Wipes `secrets` when the scope ends, on every return path of a call.
class WipeWhenDone {
 public:
  explicit WipeWhenDone(SecretStrings& secrets) : secrets_(secrets) {}
  WipeWhenDone(const WipeWhenDone&) = delete;
  WipeWhenDone& operator=(const WipeWhenDone&) = delete;
  ~WipeWhenDone() { secrets_.Wipe(); }

 private:
  SecretStrings& secrets_;
};

}  // namespace hookwise::addon
