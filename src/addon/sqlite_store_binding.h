// NativeSqliteStore(path, retentionMs, durability ('full'|'normal'), keepPayloads):
// the store binding (src/addon/store_binding.h) over a core SqliteStore;
// lib/engine/native/sqlite-store.js wraps it. Each operation is submitted to the
// store's writer thread and returns a promise, settled on the JS thread after
// the batch holding it has committed.
#pragma once

#include <napi.h>

namespace hookwise::addon {

void InitSqliteStore(Napi::Env env, Napi::Object exports);

}  // namespace hookwise::addon
