// dudect-style timing check of signature rejection, in C++ so that nothing
// but the core runs between the two clock reads (the JS version,
// bench/constant-time.js, also times Node-API and V8 string handling).
//
//   build-core-release/constant_time_check [samples-per-class]
//
// Three classes of forged v1 signatures for one body and timestamp, chosen at
// random per call and timed with the TSC:
//   first: the right signature with its first hex digit changed
//   last:  the right signature with its last hex digit changed
//   first': the first hex digit changed to another wrong value (an A/A control:
//           same position, different bytes; its t shows the harness's noise)
// Welch's t between first and last, and between first and first'. |t| > 4.5 is
// dudect's threshold for "likely a timing difference". Printed for several
// crops (dropping the slowest samples, as dudect does).
#include <x86intrin.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "src/core/hmac_sha256.h"
#include "src/core/webhook_verifier.h"

namespace {

std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

struct Stats {
  double mean = 0, t = 0;
};

Stats Welch(const std::vector<double>& a, const std::vector<double>& b) {
  auto mean = [](const std::vector<double>& x) {
    double s = 0;
    for (double v : x) s += v;
    return s / static_cast<double>(x.size());
  };
  auto var = [](const std::vector<double>& x, double m) {
    double s = 0;
    for (double v : x) s += (v - m) * (v - m);
    return s / static_cast<double>(x.size() - 1);
  };
  const double ma = mean(a), mb = mean(b);
  const double se = std::sqrt(var(a, ma) / static_cast<double>(a.size()) +
                              var(b, mb) / static_cast<double>(b.size()));
  return {ma - mb, (ma - mb) / se};
}

std::vector<double> Crop(const std::vector<double>& x, double cut) {
  std::vector<double> out;
  for (double v : x)
    if (v <= cut) out.push_back(v);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const long samples = argc > 1 ? std::atol(argv[1]) : 1000000;
  const std::string secret = "whsec_constant_time_0123456789";
  const std::string body(1024, 'x');
  const std::string t = "1760000000";
  hookwise::Sha256Digest digest{};
  hookwise::ComputeHmacSha256(AsBytes(secret), AsBytes(t + "." + body), digest);
  const std::string good = hookwise::ToLowerHex(digest);
  auto with_digit = [&](std::size_t index, char avoid_a, char avoid_b) {
    std::string sig = good;
    for (char c : std::string("0123456789abcdef")) {
      if (c != good[index] && c != avoid_a && c != avoid_b) {
        sig[index] = c;
        break;
      }
    }
    return "t=" + t + ",v1=" + sig;
  };
  const std::string first = with_digit(0, 0, 0);
  const std::string last = with_digit(63, 0, 0);
  const std::string first_alt =
      with_digit(0, first[16], 0);  // "t=" + 10 digits + ",v1=": the digit is at 16
  const std::string headers[3] = {first, last, first_alt};

  std::string_view secrets[] = {secret};
  hookwise::VerifyRequest request;
  request.payload = AsBytes(body);
  request.secrets = secrets;
  request.tolerance_seconds = 0;

  std::mt19937_64 rng(12345);
  std::vector<double> times[3];
  for (auto& v : times) v.reserve(static_cast<std::size_t>(samples) + samples / 10);
  for (int i = 0; i < 20000; ++i) {  // warm-up
    request.header = headers[i % 3];
    (void)hookwise::VerifyWebhook(request);
  }
  for (long i = 0; i < 3 * samples; ++i) {
    const int cls = static_cast<int>(rng() % 3);
    request.header = headers[cls];
    _mm_lfence();
    const unsigned long long t0 = __rdtsc();
    _mm_lfence();
    const auto status = hookwise::VerifyWebhook(request);
    _mm_lfence();
    const unsigned long long t1 = __rdtsc();
    if (status != hookwise::VerifyStatus::kSignatureMismatch) {
      std::fprintf(stderr, "unexpected status %d\n", static_cast<int>(status));
      return 1;
    }
    times[cls].push_back(static_cast<double>(t1 - t0));
  }

  std::vector<double> all;
  for (auto& v : times) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  std::printf("%ld samples per class, body %zu bytes, TSC ticks per verification\n", samples,
              body.size());
  std::printf("%-8s %12s %12s %12s %10s %12s\n", "crop", "first", "last", "first'", "t(f,l)",
              "t(f,f') A/A");
  double worst = 0, worst_control = 0;
  for (double pct : {1.0, 0.99, 0.9, 0.75, 0.5}) {
    const double cut = all[std::min(all.size() - 1, static_cast<std::size_t>(all.size() * pct))];
    auto f = Crop(times[0], cut), l = Crop(times[1], cut), fa = Crop(times[2], cut);
    const Stats fl = Welch(f, l), ff = Welch(f, fa);
    double mf = 0, ml = 0, mfa = 0;
    for (double v : f) mf += v;
    for (double v : l) ml += v;
    for (double v : fa) mfa += v;
    std::printf("<=p%-5.0f %12.1f %12.1f %12.1f %10.2f %12.2f\n", pct * 100, mf / f.size(),
                ml / l.size(), mfa / fa.size(), fl.t, ff.t);
    worst = std::max(worst, std::fabs(fl.t));
    worst_control = std::max(worst_control, std::fabs(ff.t));
  }
  std::printf("max |t| first vs last = %.2f (A/A control: %.2f) -> %s\n", worst, worst_control,
              worst > 4.5 ? "timing difference detected" : "no evidence of a timing difference");
  return 0;
}
