// A string's bytes as the span the core's byte APIs take, for tests that
// write their inputs as string literals.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace hookwise::test {

inline std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace hookwise::test
