// Fencing tokens (src/core/store_rules.cc NewFencingToken): drawn from the
// CSPRNG in batches, so these check what the batching must not change.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "src/core/store_rules.h"

using hookwise::NewFencingToken;

namespace {

bool IsLowerHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

TEST_CASE("fencing tokens: 32 lowercase hex digits, none repeated across many batches",
          "[store][token]") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string token = NewFencingToken();
    REQUIRE(token.size() == 32);
    REQUIRE(IsLowerHex(token));
    REQUIRE(seen.insert(token).second);
  }
}

TEST_CASE("fencing tokens: threads drawing at once never hand out the same token",
          "[store][token]") {
  constexpr int kThreads = 4;
  constexpr int kEach = 2000;
  std::vector<std::vector<std::string>> drawn(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&drawn, t] {
      for (int i = 0; i < kEach; ++i) drawn[t].push_back(NewFencingToken());
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& tokens : drawn) all.insert(tokens.begin(), tokens.end());
  CHECK(all.size() == static_cast<std::size_t>(kThreads * kEach));
}

TEST_CASE("fencing tokens: a forked child does not repeat its parent's next token",
          "[store][token]") {
  // The parent has a batch drawn and partly used; without the fork handler,
  // the child would hand out the same next token as the parent.
  (void)NewFencingToken();
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const std::string token = NewFencingToken();
    const ssize_t n = write(fds[1], token.data(), token.size());
    _exit(n == static_cast<ssize_t>(token.size()) ? 0 : 1);
  }
  close(fds[1]);
  const std::string parent_token = NewFencingToken();
  std::string child_token(32, '\0');
  ssize_t got = 0;
  while (got < 32) {
    const ssize_t n = read(fds[0], child_token.data() + got, 32 - got);
    if (n <= 0) break;
    got += n;
  }
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(got == 32);
  CHECK(child_token != parent_token);
}
