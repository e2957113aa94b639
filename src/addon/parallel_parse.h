// Parsing a large body on a helper thread while the calling thread computes
// its HMAC, so that a verify + parse costs max(HMAC, parse) instead of their
// sum. Threading belongs to the addon, so this lives here, not in the core.
//
// There is one helper thread per process, started on first use. A caller
// that finds it busy (another JS thread is using it) parses inline instead,
// as does a caller whose job the helper has not picked up by the time the
// HMAC is done (a loaded machine): never slower than the serial order by
// more than a lock and a wake-up.
//
// The parse may run before the signature is known to be good. That is safe
// (the parser is fuzzed and never trusts its input) and its result is thrown
// away unless the signature verifies.
#pragma once

#include <cstdint>
#include <span>

#include "src/core/event_envelope.h"

namespace hookwise::addon {

class ParallelParse {
 public:
  ParallelParse() = default;
  ParallelParse(const ParallelParse&) = delete;
  ParallelParse& operator=(const ParallelParse&) = delete;
  ~ParallelParse() { Finish(/*need_result=*/false); }

  // Hands the parse to the helper thread if it is idle. `body` must have
  // kEnvelopePadding readable bytes after it; `body` and `out` must stay valid
  // until Finish returns. `body` is hookwise's own copy (the snapshot, or a
  // string's UTF-8 encoding), never the caller's buffer: nothing can detach it
  // while the helper reads it.
  void Start(std::span<const std::uint8_t> body, bool skip_bom, EventEnvelope* out);

  // Waits for the helper's result, or parses inline if the helper never took
  // the job; afterwards `out` holds the result either way. With
  // `need_result` false (the signature failed) it only makes sure the helper
  // no longer reads `body`.
  void Finish(bool need_result);

 private:
  std::span<const std::uint8_t> body_;
  bool skip_bom_ = false;
  EventEnvelope* out_ = nullptr;
  bool handed_off_ = false;
};

}  // namespace hookwise::addon
