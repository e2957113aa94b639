#include "src/core/store_backend.h"

#include <future>

namespace hookwise {

StoreOpResult RunStoreOp(StoreBackend& store, StoreOp op) {
  std::promise<StoreOpResult> promise;
  std::future<StoreOpResult> future = promise.get_future();
  store.Submit(std::move(op),
               [&promise](StoreOpResult&& result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace hookwise
