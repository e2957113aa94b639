#include "src/addon/store_conversion.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <variant>
#include <vector>

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

// A number argument that may be any double (clamped; NaN reads as 0).
bool ReadClampedInt64(const Napi::Value& value, std::int64_t& out) {
  if (!value.IsNumber()) return false;
  out = ClampToInt64(value.As<Napi::Number>().DoubleValue());
  return true;
}

// One reader per operation, over the arguments of its JS method.
struct ArgumentReader {
  const Napi::CallbackInfo& info;
  bool keep_payload;

  bool operator()(ClaimOp& op) const {
    if (info.Length() < 6) return false;
    ClaimMeta& meta = op.meta;
    if (!ReadUtf8(info[0], op.id) || !ReadUtf8(info[1], meta.type) ||
        !ReadInt64(info[2], meta.created) || !ReadOptionalUtf8(info[3], meta.object_id) ||
        !ReadInt64(info[4], meta.lease_ms)) {
      return false;
    }
    // meta.order (atomic ordering): objectId, created, rank; a null objectId means none.
    meta.order.reset();
    if (info.Length() >= 9 && !info[6].IsNull() && !info[6].IsUndefined()) {
      OrderKey order;
      if (!ReadUtf8(info[6], order.object_id) || !ReadInt64(info[7], order.created) ||
          !ReadInt64(info[8], order.rank)) {
        return false;
      }
      meta.order = std::move(order);
    }
    const Napi::Value payload = info[5];
    meta.payload.reset();
    if (payload.IsNull() || payload.IsUndefined()) return true;
    ByteSource bytes;
    if (!ReadBytes(payload, bytes)) return false;
    if (keep_payload) {
      meta.payload.emplace(reinterpret_cast<const char*>(bytes.bytes.data()), bytes.bytes.size());
    }
    return true;
  }
  bool operator()(CompleteOp& op) const {
    return ReadUtf8(info[0], op.id) && ReadUtf8(info[1], op.token);
  }
  bool operator()(FailOp& op) const {
    return ReadUtf8(info[0], op.id) && ReadUtf8(info[1], op.token) && ReadUtf8(info[2], op.error) &&
           ReadClampedInt64(info[3], op.max_attempts);
  }
  bool operator()(LastAppliedOp& op) const { return ReadUtf8(info[0], op.object_id); }
  bool operator()(MarkAppliedOp& op) const {
    return ReadUtf8(info[0], op.object_id) && ReadClampedInt64(info[1], op.created) &&
           ReadUtf8(info[2], op.event_id);
  }
  bool operator()(GetOp& op) const { return ReadUtf8(info[0], op.id); }
  bool operator()(ListOp& op) const {
    if (info.Length() < 4) return false;
    ListQuery& query = op.query;
    std::optional<std::string> status;
    if (!ReadOptionalUtf8(info[0], status)) return false;
    if (status) {
      query.status = ParseEventStatus(*status);
      if (!query.status) return false;
    }
    if (!ReadOptionalUtf8(info[1], query.type)) return false;
    const Napi::Value before = info[2];
    if (!before.IsNull() && !before.IsUndefined()) {
      std::int64_t ms = 0;
      if (!ReadInt64(before, ms)) return false;
      query.before_ms = ms;
    }
    std::int64_t limit = 0;
    if (!ReadInt64(info[3], limit) || limit < 0) return false;
    query.limit = static_cast<std::size_t>(limit);
    return true;
  }
  bool operator()(RequeueOp& op) const { return ReadUtf8(info[0], op.id); }
  bool operator()(PurgeOp& op) const { return ReadClampedInt64(info[0], op.older_than_ms); }
  bool operator()(BillingGetOp& op) const { return ReadUtf8(info[0], op.customer_id); }
  bool operator()(BillingFindOp& op) const { return ReadUtf8(info[0], op.user_id); }
  bool operator()(BillingPutOp& op) const {
    return info.Length() >= 5 && ReadUtf8(info[0], op.customer_id) &&
           ReadOptionalUtf8(info[1], op.user_id) && ReadUtf8(info[2], op.record) &&
           ReadInt64(info[3], op.updated_at_ms) && ReadInt64(info[4], op.expected_version);
  }
};

struct Signatures {
  const char* operator()(const ClaimOp&) const {
    return "claim(id, type, created, objectId, leaseMs, payload)";
  }
  const char* operator()(const CompleteOp&) const { return "complete(id, token)"; }
  const char* operator()(const FailOp&) const { return "fail(id, token, error, maxAttempts)"; }
  const char* operator()(const LastAppliedOp&) const { return "lastApplied(objectId)"; }
  const char* operator()(const MarkAppliedOp&) const {
    return "markApplied(objectId, created, eventId)";
  }
  const char* operator()(const GetOp&) const { return "get(id)"; }
  const char* operator()(const ListOp&) const { return "list(status, type, before, limit)"; }
  const char* operator()(const RequeueOp&) const { return "requeue(id)"; }
  const char* operator()(const PurgeOp&) const { return "purge(olderThanMs)"; }
  const char* operator()(const BillingGetOp&) const { return "billingGet(customerId)"; }
  const char* operator()(const BillingFindOp&) const { return "billingFind(userId)"; }
  const char* operator()(const BillingPutOp&) const {
    return "billingPut(customerId, userId, record, updatedAt, expectedVersion)";
  }
};

Napi::Value OptionalString(Napi::Env env, const std::optional<std::string>& value) {
  if (!value) return env.Null();
  return Napi::String::New(env, *value);
}

Napi::Value Number(Napi::Env env, std::int64_t value) {
  return Napi::Number::New(env, static_cast<double>(value));
}

Napi::Value Name(Napi::Env env, std::string_view name) {
  return Napi::String::New(env, name.data(), name.size());
}

Napi::Object RecordToJs(Napi::Env env, const EventRecord& record, bool include_payload) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", Napi::String::New(env, record.id));
  out.Set("type", Napi::String::New(env, record.type));
  out.Set("created", Number(env, record.created));
  out.Set("objectId", OptionalString(env, record.object_id));
  out.Set("status", Name(env, EventStatusName(record.status)));
  out.Set("attempts", Number(env, record.attempts));
  out.Set("lastError", OptionalString(env, record.last_error));
  out.Set("receivedAt", Number(env, record.received_at_ms));
  out.Set("updatedAt", Number(env, record.updated_at_ms));
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

Napi::Object BillingDocumentToJs(Napi::Env env, const BillingDocument& doc) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("customerId", Napi::String::New(env, doc.customer_id));
  out.Set("userId", OptionalString(env, doc.user_id));
  out.Set("record", Napi::String::New(env, doc.record));
  out.Set("version", Number(env, doc.version));
  out.Set("updatedAt", Number(env, doc.updated_at_ms));
  return out;
}

// One conversion per result type (complete and requeue share bool; lastApplied
// and billingPut an optional number; billingGet and billingFind a document).
struct ValueWriter {
  Napi::Env env;
  bool include_payload;

  Napi::Value operator()(const Claim& claim) const {
    Napi::Object out = Napi::Object::New(env);
    out.Set("status", Name(env, ClaimStatusName(claim.status)));
    if (claim.status == ClaimStatus::kAcquired)
      out.Set("token", Napi::String::New(env, claim.token));
    out.Set("attempt", Number(env, claim.attempt));
    return out;
  }
  Napi::Value operator()(bool flag) const { return Napi::Boolean::New(env, flag); }
  Napi::Value operator()(const FailOutcome& outcome) const {
    Napi::Object out = Napi::Object::New(env);
    out.Set("deadLettered", Napi::Boolean::New(env, outcome.dead_lettered));
    out.Set("attempt", Number(env, outcome.attempt));
    if (outcome.stale) out.Set("stale", Napi::Boolean::New(env, true));
    return out;
  }
  Napi::Value operator()(const std::optional<std::int64_t>& created) const {
    if (!created) return env.Null();
    return Number(env, *created);
  }
  Napi::Value operator()(std::monostate) const { return env.Undefined(); }
  Napi::Value operator()(const std::optional<EventRecord>& record) const {
    if (!record) return env.Null();
    return RecordToJs(env, *record, include_payload);
  }
  Napi::Value operator()(const std::vector<EventRecord>& records) const {
    Napi::Array out = Napi::Array::New(env, records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      out.Set(static_cast<std::uint32_t>(i), RecordToJs(env, records[i], include_payload));
    }
    return out;
  }
  Napi::Value operator()(std::int64_t count) const { return Number(env, count); }
  Napi::Value operator()(const std::optional<BillingDocument>& doc) const {
    if (!doc) return env.Null();
    return BillingDocumentToJs(env, *doc);
  }
};

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

bool ReadStoreOp(const Napi::CallbackInfo& info, bool keep_payload, StoreOp& op) {
  return std::visit(ArgumentReader{info, keep_payload}, op);
}

const char* StoreOpSignature(const StoreOp& op) { return std::visit(Signatures{}, op); }

Napi::Value StoreValueToJs(Napi::Env env, const StoreValue& value, bool include_payload) {
  return std::visit(ValueWriter{env, include_payload}, value);
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
