#!/usr/bin/env bash
# `npm test`: everything CI checks, from a fresh clone on a fresh Debian machine.
#   1. system packages (scripts/setup.sh: installs what is missing, as root)
#   2. npm dependencies and the addon (npm install runs scripts/build-addon.js)
#   3. the C++ core's Catch2 suite through CTest, normal and ASan+UBSan builds
#   4. the node:test suite
#   5. the addon's leak check under valgrind (scripts/leak-check.sh); its
#      memory-flat check is in the node:test suite (test/js/addon-memory.test.js)
# The prebuilt binaries (scripts/prebuild.js) are made right after the local
# build; the loader prefers them, so the JS suites test what ships. The core
# JS suites then run again under official Node 18, 20, 22, 24 and 26
# (scripts/node-matrix.sh). Registry Node binaries and the glibc 2.31 sysroots
# are cached under ~/.cache/hookwise-test. Then the packed tarball is installed
# on clean Debian roots (no compiler, no -dev packages; x64 with Node 18-24 and
# arm64 under qemu) and smoke-tested there (test/clean-machine/run.sh; the
# roots are cached there too).
# Two suites run at a time where they are independent (the C++ builds beside
# the JS suite; the leak check and fuzzers beside the Node matrix and the clean
# machine): 2 cores, and each of these leaves one of them mostly idle.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "system packages"
bash scripts/setup.sh

step "npm dependencies and the native addon"
# Native devDependencies (better-sqlite3, for bench/store.js) build with
# node-gyp: point it at this Node's own headers, as scripts/build-addon.js does
# for the addon, so nothing is downloaded whatever the user's npm config says.
node_prefix=$(node -p "require('path').resolve(process.execPath, '..', '..')")
if [[ -f $node_prefix/include/node/node_api.h ]]; then
  export npm_config_nodedir=$node_prefix
fi
if ! npm ls --depth=0 >/dev/null 2>&1; then
  npm install --no-audit --no-fund
else
  node scripts/build-addon.js
fi
# The ES-module declarations (index.d.mts, …) are generated from the .d.ts files, not kept in git.
node scripts/esm-declarations.js

step "prebuilt binaries (linux-x64, linux-arm64 against glibc 2.31)"
node scripts/prebuild.js

jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p build

# Independent suites run two at a time (2 cores here): one in the background
# with its output in build/test-<name>.log, printed when it ends, one in the
# foreground. A failure in either fails the run.
declare -A bg_pids=()
background() {
  local name=$1
  shift
  printf '\n==> %s (in the background: build/test-%s.log)\n' "$name" "$name"
  ("$@") >"build/test-$name.log" 2>&1 &
  bg_pids[$name]=$!
}
finish_background() {
  local status=0 name
  for name in "${!bg_pids[@]}"; do
    if wait "${bg_pids[$name]}"; then
      printf '\n==> %s: passed; its output:\n' "$name"
    else
      status=1
      printf '\n==> %s: FAILED; its output:\n' "$name"
    fi
    cat "build/test-$name.log"
  done
  bg_pids=()
  return $status
}

core_tests() {
  local variant dir flags
  for variant in release asan; do
    step "C++ core tests ($variant)"
    dir="build-core-$variant"
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
    [[ $variant == asan ]] && flags+=(-DHOOKWISE_SANITIZE=ON)
    cmake -S . -B "$dir" "${flags[@]}" >/dev/null
    cmake --build "$dir" -j "$jobs"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --test-dir "$dir" --output-on-failure -j "$jobs"
  done
}

leak_and_fuzz() {
  step "leak check: the addon under valgrind memcheck"
  bash scripts/leak-check.sh
  step "fuzzers (libFuzzer + ASan/UBSan, ${FUZZ_SECONDS:-30}s each)"
  bash fuzz/run
}

status=0
background core-tests core_tests
step "JavaScript tests (node:test)"
node --test test/js/*.test.js || status=1
finish_background || status=1

background leak-and-fuzz leak_and_fuzz
step "core JS suites under official Node.js 18, 20, 22, 24, 26"
bash scripts/node-matrix.sh || status=1
step "clean machine: the packed tarball installed and smoke-tested on Debian roots without compilers"
# The prebuilds were made above; run.sh only packs.
HOOKWISE_CLEAN_PREBUILD=skip bash test/clean-machine/run.sh || status=1
finish_background || status=1

if ((status != 0)); then
  printf '\n==> npm test: FAILED (see the failing steps above)\n'
  exit 1
fi
printf '\n==> npm test: every suite passed\n'
