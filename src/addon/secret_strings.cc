#include "src/addon/secret_strings.h"

#include <sodium.h>

#include "src/addon/value_conversion.h"

namespace hookwise::addon {

bool SecretStrings::Read(const Napi::Value& array) {
  views_.clear();
  if (!ReadStringArray(array, copies_)) return false;
  views_.assign(copies_.begin(), copies_.end());
  return true;
}

void SecretStrings::Wipe() {
  for (std::string& copy : copies_) {
    if (!copy.empty()) sodium_memzero(copy.data(), copy.size());
    copy.clear();
  }
  views_.clear();
}

}  // namespace hookwise::addon
