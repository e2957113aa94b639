// The JS class of the native stores: one binding over any StoreBackend
// (src/core/store_backend.h). NativeMemoryStore and NativeSqliteStore are this
// class defined twice, each with its own constructor arguments
// (memory_store_binding.cc, sqlite_store_binding.cc); their methods are the
// same: claim, complete, fail, lastApplied, markApplied, get, list, requeue,
// purge, billingGet, billingFind, billingPut, close and advanceClock (tests only), with the
// argument orders of src/addon/store_conversion.h. Each call's arguments are copied into a StoreOp,
// so the operation owns everything it reads.
//
// How a result reaches JS follows the backend:
// - an inline backend (MemoryStore: a few map lookups under a mutex) answers
//   on the calling thread: the method returns the value, or throws the store
//   error; close() lets go of the handle (a named store lives on for its
//   other handles) and returns undefined;
// - any other (SqliteStore) answers from its own thread: the method returns a
//   promise, settled on the JS thread through a thread-safe function after the
//   batch holding the operation has committed; close() returns a promise and
//   waits for the backend on the libuv pool (it may be committing, or waiting
//   on another process's lock).
//
// Lifetimes (non-inline backends): the thread-safe function is referenced
// (keeps the event loop alive) only while operations are in flight, so an idle
// open store never holds a process open. When the environment goes away (a
// worker exits, the process ends) a cleanup hook closes the backend first:
// everything already submitted is committed, its thread is joined, and only
// then is the thread-safe function released, so no thread ever calls into a
// dead one.
#pragma once

#include <napi.h>

#include <cstddef>
#include <memory>

#include "src/core/store_backend.h"

namespace hookwise::addon {

// Makes a backend from the constructor's arguments, or returns null with a
// JS exception pending.
using OpenStoreBackend = std::shared_ptr<StoreBackend> (*)(const Napi::CallbackInfo& info);

// The store class called `name`, whose constructor hands its arguments to `open`.
Napi::Function DefineStoreClass(Napi::Env env, const char* name, OpenStoreBackend open);

// An inline store's claim result, once JS has called useClaimSlots(slots):
// slots[kClaimStatusSlot] is the ClaimStatus code, slots[kClaimAttemptSlot]
// the attempt, and claim() returns the token. Exported to JS at load as
// `claimResultLayout` ({ size, status, attempt, statuses }), the one place
// both sides read it from.
inline constexpr std::size_t kClaimStatusSlot = 0;
inline constexpr std::size_t kClaimAttemptSlot = 1;
inline constexpr std::size_t kClaimSlotCount = 2;
Napi::Object ClaimResultLayout(Napi::Env env);

}  // namespace hookwise::addon
