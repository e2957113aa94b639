// NativeSqliteStore: the JS handle on a core SqliteStore (lib/stores/sqlite-store.js
// wraps it). Each operation is submitted to the store's writer thread and
// returns a promise, settled on the JS thread through a thread-safe function
// after the batch holding it has committed.
//
// Lifetimes: the thread-safe function is referenced (keeps the event loop
// alive) only while operations are in flight, so an idle open store never
// holds a process open. When the environment goes away (a worker exits, the
// process ends) a cleanup hook closes the store first: everything already
// submitted is committed, the writer thread is joined, and only then is the
// thread-safe function released, so no thread ever calls into a dead one.
#pragma once

#include <napi.h>

namespace hookwise::addon {

void InitSqliteStore(Napi::Env env, Napi::Object exports);

}  // namespace hookwise::addon
