// NativeMemoryStore(name|null, maxEntries, retentionMs): the store binding
// (src/addon/store_binding.h) over a core MemoryStore; lib/engine/native/memory-store.js
// wraps it. Operations run synchronously on the calling thread; the JS layer
// returns promises. A named store is shared by every instance with that name,
// in every worker_thread: the handle holds a shared_ptr, so a worker's exit
// never frees a store that others still use.
#pragma once

#include <napi.h>

namespace hookwise::addon {

void InitMemoryStore(Napi::Env env, Napi::Object exports);

}  // namespace hookwise::addon
