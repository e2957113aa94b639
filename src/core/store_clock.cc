#include "src/core/store_clock.h"

#include <chrono>

namespace hookwise {

std::int64_t SystemStoreClock::NowMs() const {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() +
         offset_ms_.load(std::memory_order_relaxed);
}

}  // namespace hookwise
