// NativeMemoryStore: the JS handle on a core MemoryStore (lib/stores/memory-store.js
// wraps it). Every operation is a few map lookups under a mutex, so it runs
// synchronously on the calling thread; the JS layer returns promises. A named
// store is shared by every instance with that name, in every worker_thread:
// the handle holds a shared_ptr, so a worker's exit never frees a store that
// others still use.
#pragma once

#include <napi.h>

namespace hookwise::addon {

void InitMemoryStore(Napi::Env env, Napi::Object exports);

}  // namespace hookwise::addon
