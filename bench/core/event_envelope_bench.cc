// The envelope parser next to its floor, per body size (pretty-printed,
// invoice-shaped bodies like bench/parse.js uses).
//
//   BM_SimdjsonDomFloor: simdjson's DOM parse of an already padded body, the
//                        validation every call must do.
//   BM_EnvelopeCopied:   hookwise::ParseEventEnvelope (copies into the
//                        per-thread padded buffer, then walks the members).
//   BM_EnvelopePadded:   hookwise::ParsePaddedEventEnvelope (the addon's path:
//                        the caller's buffer already has the padding).
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <memory>
#include <string>

#include "src/core/event_envelope.h"

namespace {

std::string Line(int i) {
  return R"json(
        {
          "id": "il_1QmX7a2eZvKYlo2C)json" +
         std::to_string(10000000 + i) + R"json(",
          "object": "line_item",
          "amount": 1999,
          "currency": "usd",
          "description": "1 × Pro plan seat (at $19.99 / month)",
          "metadata": { "seat": "3", "team": "Équipe Zürich ☕" },
          "period": { "end": 1743465600, "start": 1740787200 },
          "pricing": { "price_details": { "price": "price_1QmX6b", "product": "prod_RfGh" }, "type": "price_details" },
          "quantity": 1,
          "taxes": []
        })json";
}

std::string Body(std::size_t size) {
  std::string body = R"json({
  "id": "evt_1QmXA32eZvKYlo2CiNvPaId0",
  "object": "event",
  "api_version": "2025-03-31.basil",
  "created": 1740787262,
  "data": {
    "object": {
      "id": "in_1QmXA02eZvKYlo2CaBcDeFgH",
      "object": "invoice",
      "lines": {
        "object": "list",
        "data": [)json";
  for (int i = 0; body.size() + 200 < size; ++i) body += (i ? "," : "") + Line(i);
  body += R"json(
        ]
      }
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": { "id": null, "idempotency_key": null },
  "type": "invoice.paid"
}
)json";
  return body;
}

std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void BM_SimdjsonDomFloor(benchmark::State& state) {
  const simdjson::padded_string body(Body(static_cast<std::size_t>(state.range(0))));
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element root;
    if (parser.parse(body).get(root) != simdjson::SUCCESS) state.SkipWithError("invalid");
    benchmark::DoNotOptimize(root);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_EnvelopeCopied(benchmark::State& state) {
  const std::string body = Body(static_cast<std::size_t>(state.range(0)));
  auto envelope = std::make_unique<hookwise::EventEnvelope>();
  for (auto _ : state) {
    hookwise::ParseEventEnvelope(AsBytes(body), false, *envelope);
    if (envelope->status != hookwise::EnvelopeStatus::kOk) state.SkipWithError("fell back");
    benchmark::DoNotOptimize(envelope->members[4].value.end);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_EnvelopePadded(benchmark::State& state) {
  std::string body = Body(static_cast<std::size_t>(state.range(0)));
  const std::size_t size = body.size();
  body.append(hookwise::kEnvelopePadding, ' ');
  auto envelope = std::make_unique<hookwise::EventEnvelope>();
  for (auto _ : state) {
    hookwise::ParsePaddedEventEnvelope(AsBytes(std::string_view(body).substr(0, size)), false,
                                       *envelope);
    if (envelope->status != hookwise::EnvelopeStatus::kOk) state.SkipWithError("fell back");
    benchmark::DoNotOptimize(envelope->members[4].value.end);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

}  // namespace

BENCHMARK(BM_SimdjsonDomFloor)->Arg(2000)->Arg(14000)->Arg(130000)->Arg(1300000);
BENCHMARK(BM_EnvelopeCopied)->Arg(2000)->Arg(14000)->Arg(130000)->Arg(1300000);
BENCHMARK(BM_EnvelopePadded)->Arg(2000)->Arg(14000)->Arg(130000)->Arg(1300000);
BENCHMARK_MAIN();
