// The addon's entry point: registers each binding. No logic lives here.
#include <napi.h>

#include "src/addon/event_binding.h"
#include "src/addon/hmac_binding.h"
#include "src/addon/memory_store_binding.h"
#include "src/addon/sqlite_store_binding.h"
#include "src/addon/standard_webhook_binding.h"
#include "src/addon/store_binding.h"
#include "src/addon/verify_binding.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  hookwise::addon::InitVerify(env, exports);
  hookwise::addon::InitHmac(env, exports);
  hookwise::addon::InitMemoryStore(env, exports);
  hookwise::addon::InitSqliteStore(env, exports);
  exports.Set("claimResultLayout", hookwise::addon::ClaimResultLayout(env));
  hookwise::addon::InitEvent(env, exports);
  hookwise::addon::InitStandardWebhook(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(hookwise, Init)
