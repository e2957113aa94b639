#include "src/addon/store_conversion.h"

#include <cctype>
#include <cmath>
#include <limits>

#include "src/addon/value_conversion.h"

namespace hookwise::addon {
namespace {

bool ReadInt64(const Napi::Value& value, std::int64_t& out) {
  if (!value.IsNumber()) return false;
  const double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) return false;
  out = ClampToInt64(d);
  return true;
}

Napi::Value OptionalString(Napi::Env env, const std::optional<std::string>& value) {
  if (!value) return env.Null();
  return Napi::String::New(env, *value);
}

}  // namespace

std::int64_t ClampToInt64(double value) {
  constexpr double kTwo63 = 9223372036854775808.0;  // 2^63, exact as a double
  if (std::isnan(value)) return 0;
  if (value >= kTwo63) return std::numeric_limits<std::int64_t>::max();
  if (value < -kTwo63) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(value);
}

bool ReadOptionalUtf8(const Napi::Value& value, std::optional<std::string>& out) {
  if (value.IsNull() || value.IsUndefined()) {
    out.reset();
    return true;
  }
  std::string text;
  if (!ReadUtf8(value, text)) return false;
  out = std::move(text);
  return true;
}

bool ReadClaimMeta(const Napi::CallbackInfo& info, std::size_t first, ClaimMeta& meta) {
  if (info.Length() < first + 5) return false;
  if (!ReadUtf8(info[first], meta.type)) return false;
  if (!ReadInt64(info[first + 1], meta.created)) return false;
  if (!ReadOptionalUtf8(info[first + 2], meta.object_id)) return false;
  if (!ReadInt64(info[first + 3], meta.lease_ms)) return false;
  const Napi::Value payload = info[first + 4];
  if (payload.IsNull() || payload.IsUndefined()) {
    meta.payload.reset();
  } else {
    ByteSource bytes;
    if (!ReadBytes(payload, bytes)) return false;
    meta.payload.emplace(reinterpret_cast<const char*>(bytes.bytes.data()), bytes.bytes.size());
  }
  return true;
}

bool ReadListQuery(const Napi::CallbackInfo& info, std::size_t first, ListQuery& query) {
  if (info.Length() < first + 4) return false;
  std::optional<std::string> status;
  if (!ReadOptionalUtf8(info[first], status)) return false;
  if (status) {
    query.status = ParseEventStatus(*status);
    if (!query.status) return false;
  }
  if (!ReadOptionalUtf8(info[first + 1], query.type)) return false;
  const Napi::Value before = info[first + 2];
  if (!before.IsNull() && !before.IsUndefined()) {
    std::int64_t ms = 0;
    if (!ReadInt64(before, ms)) return false;
    query.before_ms = ms;
  }
  std::int64_t limit = 0;
  if (!ReadInt64(info[first + 3], limit) || limit < 0) return false;
  query.limit = static_cast<std::size_t>(limit);
  return true;
}

Napi::Value ClaimToJs(Napi::Env env, const Claim& claim) {
  Napi::Object out = Napi::Object::New(env);
  const std::string_view status = ClaimStatusName(claim.status);
  out.Set("status", Napi::String::New(env, status.data(), status.size()));
  if (claim.status == ClaimStatus::kAcquired) out.Set("token", Napi::String::New(env, claim.token));
  out.Set("attempt", Napi::Number::New(env, static_cast<double>(claim.attempt)));
  return out;
}

Napi::Value FailOutcomeToJs(Napi::Env env, const FailOutcome& outcome) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("deadLettered", Napi::Boolean::New(env, outcome.dead_lettered));
  out.Set("attempt", Napi::Number::New(env, static_cast<double>(outcome.attempt)));
  if (outcome.stale) out.Set("stale", Napi::Boolean::New(env, true));
  return out;
}

Napi::Object RecordToJs(Napi::Env env, const EventRecord& record, bool include_payload) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", Napi::String::New(env, record.id));
  out.Set("type", Napi::String::New(env, record.type));
  out.Set("created", Napi::Number::New(env, static_cast<double>(record.created)));
  out.Set("objectId", OptionalString(env, record.object_id));
  const std::string_view status = EventStatusName(record.status);
  out.Set("status", Napi::String::New(env, status.data(), status.size()));
  out.Set("attempts", Napi::Number::New(env, static_cast<double>(record.attempts)));
  out.Set("lastError", OptionalString(env, record.last_error));
  out.Set("receivedAt", Napi::Number::New(env, static_cast<double>(record.received_at_ms)));
  out.Set("updatedAt", Napi::Number::New(env, static_cast<double>(record.updated_at_ms)));
  if (include_payload) {
    if (record.payload) {
      out.Set("payload",
              Napi::Buffer<char>::Copy(env, record.payload->data(), record.payload->size()));
    } else {
      out.Set("payload", env.Null());
    }
  }
  return out;
}

Napi::Error StoreErrorToJs(Napi::Env env, const StoreError& error) {
  Napi::Error js = Napi::Error::New(env, "hookwise: " + error.message);
  std::string code = "HOOKWISE_STORE_";
  for (char c : StoreErrorCodeName(error.code)) {
    code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  js.Set("code", Napi::String::New(env, code));
  return js;
}

}  // namespace hookwise::addon
