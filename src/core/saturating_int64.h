// int64 addition and subtraction that stop at the type's limits instead of
// overflowing (undefined behaviour). Store times are computed from values
// the caller chooses — a lease of 1e300 ms means "never expires", a purge
// age of 1e300 ms means "nothing is that old" — so the sums must saturate.
#pragma once

#include <cstdint>
#include <limits>

namespace hookwise {

inline std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (!__builtin_add_overflow(a, b, &out)) return out;
  return b > 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

inline std::int64_t SaturatingSub(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (!__builtin_sub_overflow(a, b, &out)) return out;
  return b < 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

}  // namespace hookwise
