#include "src/addon/memory_store_binding.h"

#include <memory>
#include <optional>
#include <string>

#include "src/addon/store_binding.h"
#include "src/addon/store_conversion.h"
#include "src/addon/value_conversion.h"
#include "src/core/memory_store.h"

namespace hookwise::addon {
namespace {

std::shared_ptr<StoreBackend> OpenMemoryStore(const Napi::CallbackInfo& info) {
  std::optional<std::string> name;
  if (info.Length() < 3 || !ReadOptionalUtf8(info[0], name) || !info[1].IsNumber() ||
      !info[2].IsNumber()) {
    ThrowTypeError(info.Env(), "NativeMemoryStore(name, maxEntries, retentionMs)");
    return nullptr;
  }
  MemoryStore::Options options;
  options.max_entries = static_cast<std::size_t>(info[1].As<Napi::Number>().DoubleValue());
  options.retention_ms = ClampToInt64(info[2].As<Napi::Number>().DoubleValue());
  options.clock = std::make_shared<SystemStoreClock>();
  if (name) return OpenNamedMemoryStore(*name, options);
  return std::make_shared<MemoryStore>(options);
}

}  // namespace

void InitMemoryStore(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeMemoryStore", DefineStoreClass(env, "NativeMemoryStore", OpenMemoryStore));
}

}  // namespace hookwise::addon
