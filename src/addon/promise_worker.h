// The base of every addon call that runs on the libuv thread pool: an
// AsyncWorker that settles one promise (resolved from OnOK through Resolve,
// rejected with the error of a failed Execute).
//
// A worker owns its inputs: whatever Execute reads on the pool thread is
// copied on the JS thread before the worker is queued (or is memory only
// hookwise can reach, held by a persistent reference), never a view into a
// caller's buffer, which the caller may transfer or detach at once.
//
// Create a worker only for a call that will be queued, i.e. after its
// arguments are read and checked: a promise that is never settled keeps its
// napi_deferred, and so the promise, alive for ever. Start() queues the worker
// (which deletes itself once settled) and returns its promise.
#pragma once

#include <napi.h>

namespace hookwise::addon {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  static Napi::Promise Start(PromiseWorker* worker) {
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

 protected:
  PromiseWorker(Napi::Env env, const char* resource_name)
      : Napi::AsyncWorker(env, resource_name), deferred_(Napi::Promise::Deferred::New(env)) {}

  void Resolve(Napi::Value value) { deferred_.Resolve(value); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
};

}  // namespace hookwise::addon
