#include "src/addon/parallel_parse.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace hookwise::addon {
namespace {

enum class JobState { kIdle, kQueued, kRunning, kDone };

struct Helper {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable done;
  JobState state = JobState::kIdle;
  std::span<const std::uint8_t> body;
  bool skip_bom = false;
  EventEnvelope* out = nullptr;

  void Loop() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return state == JobState::kQueued; });
      state = JobState::kRunning;
      lock.unlock();
      ParsePaddedEventEnvelope(body, skip_bom, *out);
      lock.lock();
      state = JobState::kDone;
      done.notify_all();
    }
  }
};

// Created once and never destroyed: the thread waits on it for the life of
// the process, and static destruction at exit must not pull it away.
Helper& TheHelper() {
  static Helper* helper = [] {
    auto* h = new Helper;
    std::thread([h] { h->Loop(); }).detach();
    return h;
  }();
  return *helper;
}

}  // namespace

void ParallelParse::Start(std::span<const std::uint8_t> body, bool skip_bom, EventEnvelope* out) {
  body_ = body;
  skip_bom_ = skip_bom;
  out_ = out;
  Helper& helper = TheHelper();
  std::unique_lock lock(helper.mutex, std::try_to_lock);
  if (!lock.owns_lock() || helper.state != JobState::kIdle) return;  // busy: parse inline later
  helper.body = body;
  helper.skip_bom = skip_bom;
  helper.out = out;
  helper.state = JobState::kQueued;
  handed_off_ = true;
  helper.wake.notify_one();
}

void ParallelParse::Finish(bool need_result) {
  if (out_ == nullptr) return;
  if (handed_off_) {
    Helper& helper = TheHelper();
    std::unique_lock lock(helper.mutex);
    if (helper.state == JobState::kQueued) {
      helper.state = JobState::kIdle;  // not picked up yet: take it back
      handed_off_ = false;
    } else {
      helper.done.wait(lock, [&] { return helper.state == JobState::kDone; });
      helper.state = JobState::kIdle;
    }
  }
  if (!handed_off_ && need_result) ParsePaddedEventEnvelope(body_, skip_bom_, *out_);
  out_ = nullptr;
  handed_off_ = false;
}

}  // namespace hookwise::addon
