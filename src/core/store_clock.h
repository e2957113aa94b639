// Where stores read the time. Injectable so that tests can expire leases and
// age records without sleeping.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace hookwise {

class StoreClock {
 public:
  virtual ~StoreClock() = default;
  // Milliseconds since the Unix epoch.
  virtual std::int64_t NowMs() const = 0;
  // Moves the clock forward (tests only; the system clock keeps an offset).
  virtual void Advance(std::int64_t ms) = 0;
};

// The wall clock (system_clock), plus an offset that tests may move forward.
// Leases are compared against the wall clock rather than a monotonic one
// because they are shared between processes through SQLite.
class SystemStoreClock final : public StoreClock {
 public:
  std::int64_t NowMs() const override;
  void Advance(std::int64_t ms) override { offset_ms_.fetch_add(ms, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> offset_ms_{0};
};

// A clock that moves only when told to.
class ManualStoreClock final : public StoreClock {
 public:
  explicit ManualStoreClock(std::int64_t start_ms) : now_ms_(start_ms) {}
  std::int64_t NowMs() const override { return now_ms_.load(std::memory_order_relaxed); }
  void Advance(std::int64_t ms) override { now_ms_.fetch_add(ms, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace hookwise
