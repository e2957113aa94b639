// Converting between the JS calls of the native stores and the core's store
// operations (src/core/store_ops.h), once for every backend: a call's
// arguments become a StoreOp, a StoreOpResult becomes the JS value of API.md
// §5. The JS layer (lib/engine/native/native-store.js) has validated every argument
// first; these check the types again cheaply.
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>

#include "src/core/store_ops.h"
#include "src/core/store_types.h"

namespace hookwise::addon {

// Reads a store method's arguments into the operation `op` already holds, in
// the orders lib/engine/native/native-store.js calls them:
//   claim(id, type, created, objectId|null, leaseMs, payload|null)
//   complete(id, token)              fail(id, token, error, maxAttempts)
//   lastApplied(objectId)            markApplied(objectId, created, eventId)
//   get(id)                          list(status|null, type|null, before|null, limit)
//   requeue(id)                      purge(olderThanMs)
//   billingGet(customerId)           billingFind(userId)
//   billingPut(customerId, userId|null, record, updatedAt, expectedVersion)
// Every string and byte is copied into `op`, so it owns its inputs and may
// cross to another thread. False (nothing thrown) on a wrong type. With
// `keep_payload` false a claim's payload is type-checked but not copied: the
// store would not keep it.
bool ReadStoreOp(const Napi::CallbackInfo& info, bool keep_payload, StoreOp& op);

// The JS signature of the method behind `op`, for the TypeError.
const char* StoreOpSignature(const StoreOp& op);

// The operation's result as its JS value. include_payload: keepPayloads stores
// show `payload` on records (a Buffer, or null).
Napi::Value StoreValueToJs(Napi::Env env, const StoreValue& value, bool include_payload);

// An Error whose `code` is HOOKWISE_STORE_<NAME> (e.g. HOOKWISE_STORE_DISK_FULL)
// and whose message starts with "hookwise: ".
Napi::Error StoreErrorToJs(Napi::Env env, const StoreError& error);

// A JS number as int64, clamped to the type's range (NaN reads as 0).
// Converting an out-of-range double is undefined behaviour, and the JS layer
// accepts any finite duration: a lease or retention of 1e300 ms means
// "forever", and the core's time sums saturate instead of overflowing.
std::int64_t ClampToInt64(double value);

// A string argument, or null/undefined as nullopt.
bool ReadOptionalUtf8(const Napi::Value& value, std::optional<std::string>& out);

}  // namespace hookwise::addon
