// The core's verification next to the raw OpenSSL HMAC floor, per body size.
//
//   BM_OpenSslHmacFloor: one-shot HMAC() over a contiguous "t.body" buffer,
//                        the least work any verifier must do.
//   BM_CoreVerify:       hookwise::VerifyWebhook, header parse + streaming
//                        HMAC + hex + constant-time compare + timestamp.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "src/core/hmac_sha256.h"
#include "src/core/webhook_verifier.h"

namespace {

constexpr std::string_view kSecret = "whsec_bench_secret_0123456789abcdef";
constexpr std::string_view kTimestamp = "1760000000";

std::string Body(std::size_t size) {
  std::string body = R"({"id":"evt_bench","object":"event","data":{"pad":")";
  while (body.size() + 3 < size) body.push_back('x');
  body += "\"}}";
  return body;
}

std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void BM_OpenSslHmacFloor(benchmark::State& state) {
  const std::string signed_text =
      std::string(kTimestamp) + "." + Body(static_cast<std::size_t>(state.range(0)));
  unsigned char out[32];
  unsigned int len = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
         reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), out, &len);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_CoreVerify(benchmark::State& state) {
  const std::string body = Body(static_cast<std::size_t>(state.range(0)));
  hookwise::Sha256Digest digest{};
  hookwise::ComputeHmacSha256(AsBytes(kSecret), AsBytes(std::string(kTimestamp) + "." + body),
                              digest);
  const std::string header = "t=" + std::string(kTimestamp) + ",v1=" + hookwise::ToLowerHex(digest);
  std::string_view secrets[] = {kSecret};
  hookwise::VerifyRequest request;
  request.payload = AsBytes(body);
  request.header = header;
  request.secrets = secrets;
  request.tolerance_seconds = 0;
  for (auto _ : state) {
    auto status = hookwise::VerifyWebhook(request);
    if (status != hookwise::VerifyStatus::kOk) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(status);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

}  // namespace

BENCHMARK(BM_OpenSslHmacFloor)->Arg(1600)->Arg(10 * 1024)->Arg(90 * 1024)->Arg(1024 * 1024);
BENCHMARK(BM_CoreVerify)->Arg(1600)->Arg(10 * 1024)->Arg(90 * 1024)->Arg(1024 * 1024);
BENCHMARK_MAIN();
