// The one interface of the native stores: a backend executes StoreOps
// (src/core/store_ops.h). MemoryStore runs each at once under its lock, on the
// calling thread; SqliteStore queues it to its writer thread, which runs
// everything queued in one transaction (group commit). The addon drives both
// through this interface alone (src/addon/store_binding.h).
#pragma once

#include <functional>
#include <utility>

#include "src/core/store_clock.h"
#include "src/core/store_ops.h"

namespace hookwise {

class StoreBackend {
 public:
  using Done = std::function<void(StoreOpResult&&)>;

  virtual ~StoreBackend() = default;

  // Executes `op` and reports its result through `done`, exactly once.
  // Thread-safe. An inline backend (ReportsInline) calls `done` before
  // returning, on the calling thread; any other calls it later from a thread
  // of its own, which `done` must not block for long. After Close(), `done`
  // gets kClosed at once.
  virtual void Submit(StoreOp op, Done done) = 0;

  // True when Submit reports before it returns (no thread, no queue): the
  // addon then answers synchronously instead of through a promise.
  virtual bool ReportsInline() const = 0;

  // Executes everything already submitted, then releases the backend's
  // resources (files, threads). Blocks until done; idempotent.
  virtual void Close() = 0;

  // Where the backend reads the time (tests move it forward).
  virtual StoreClock& Clock() const = 0;

  // Whether claims keep the raw body (get/list then show `payload`).
  virtual bool KeepsPayloads() const = 0;
};

// Submits `op` and waits for its result (tests, tools, the fuzzer).
StoreOpResult RunStoreOp(StoreBackend& store, StoreOp op);

// The same with the operation's own result type.
template <typename Op>
StoreResult<typename Op::Result> RunStoreOp(StoreBackend& store, Op op) {
  return ToTypedResult<Op>(RunStoreOp(store, StoreOp(std::move(op))));
}

}  // namespace hookwise
