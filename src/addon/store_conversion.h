// Converting between the stores' plain C++ values (src/core/store_types.h)
// and the JS shapes of API.md §5. Shared by the MemoryStore and SqliteStore
// bindings; the JS layer (lib/stores/) has validated every argument first.
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>

#include "src/core/store_types.h"

namespace hookwise::addon {

// claim(id, type, created, objectId|null, leaseMs, payload|null) starting at
// info[first]: the meta part. False (with nothing thrown) on a wrong type.
bool ReadClaimMeta(const Napi::CallbackInfo& info, std::size_t first, ClaimMeta& meta);

// list(status|null, type|null, before|null, limit) starting at info[first].
bool ReadListQuery(const Napi::CallbackInfo& info, std::size_t first, ListQuery& query);

// A string argument, or null/undefined as nullopt.
// A JS number as int64, clamped to the type's range (NaN reads as 0).
// Converting an out-of-range double is undefined behaviour, and the JS layer
// accepts any finite duration: a lease or retention of 1e300 ms means
// "forever", and the core's time sums saturate instead of overflowing.
std::int64_t ClampToInt64(double value);

bool ReadOptionalUtf8(const Napi::Value& value, std::optional<std::string>& out);

Napi::Value ClaimToJs(Napi::Env env, const Claim& claim);
Napi::Value FailOutcomeToJs(Napi::Env env, const FailOutcome& outcome);
// include_payload: keepPayloads stores show `payload` (a Buffer, or null).
Napi::Object RecordToJs(Napi::Env env, const EventRecord& record, bool include_payload);

// An Error whose `code` is HOOKWISE_STORE_<NAME> (e.g. HOOKWISE_STORE_DISK_FULL)
// and whose message starts with "hookwise: ".
Napi::Error StoreErrorToJs(Napi::Env env, const StoreError& error);

}  // namespace hookwise::addon
