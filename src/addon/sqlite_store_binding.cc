#include "src/addon/sqlite_store_binding.h"

#include <memory>
#include <string>
#include <utility>

#include "src/addon/store_binding.h"
#include "src/addon/store_conversion.h"
#include "src/addon/value_conversion.h"
#include "src/core/sqlite_store.h"

namespace hookwise::addon {
namespace {

std::shared_ptr<StoreBackend> OpenSqliteStore(const Napi::CallbackInfo& info) {
  SqliteStoreOptions options;
  std::string durability;
  if (info.Length() < 4 || !ReadUtf8(info[0], options.path) || !info[1].IsNumber() ||
      !ReadUtf8(info[2], durability) || !info[3].IsBoolean()) {
    ThrowTypeError(info.Env(), "NativeSqliteStore(path, retentionMs, durability, keepPayloads)");
    return nullptr;
  }
  options.retention_ms = ClampToInt64(info[1].As<Napi::Number>().DoubleValue());
  options.durability = durability == "normal" ? Durability::kNormal : Durability::kFull;
  options.keep_payloads = info[3].As<Napi::Boolean>().Value();
  options.clock = std::make_shared<SystemStoreClock>();
  // Nothing is opened yet: the file and the writer thread wait for the first
  // operation.
  return std::make_shared<SqliteStore>(std::move(options));
}

}  // namespace

void InitSqliteStore(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeSqliteStore", DefineStoreClass(env, "NativeSqliteStore", OpenSqliteStore));
}

}  // namespace hookwise::addon
