#!/usr/bin/env bash
# The native addon under valgrind memcheck: every outcome of every entry point
# (test/leak/workload.js, a few thousand iterations each: valgrind reports a
# leaked block however few times it leaked) in one node process, then
# test/leak/valgrind-report.js fails the run on any block definitely or
# indirectly lost, or any memory error, whose stack runs through the addon.
# Node's and V8's own reports (there are some) are counted, not failed.
#
#   bash scripts/leak-check.sh            # what `npm test` runs
#   LEAK_CHECK_SCALE=0.05 bash scripts/leak-check.sh        # more iterations
#   LEAK_CHECK_FILTER='SqliteStore' bash scripts/leak-check.sh  # some scenarios
#
# The memcheck XML stays in build-leak/memcheck.xml for a closer look. The
# addon is the ordinary local release build (forced with HOOKWISE_NATIVE_BINARY:
# the loader would otherwise pick the stripped prebuild): its symbol table names
# every function, its statically linked libraries' too, which is all the report
# needs (no -g build).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null 2>&1; then
  echo "leak-check: valgrind is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi

out=build-leak
mkdir -p "$out"
rm -f "$out/memcheck.xml"

# --num-callers: deep enough that an allocation made inside SQLite or OpenSSL
# on the addon's behalf still shows the addon's frames below it.
HOOKWISE_NATIVE_BINARY=build/Release/hookwise.node \
  valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible \
  --num-callers=40 --xml=yes --xml-file="$out/memcheck.xml" \
  node --expose-gc test/leak/valgrind-workload.js "${LEAK_CHECK_SCALE:-0.01}" "${LEAK_CHECK_FILTER:-}"
node test/leak/valgrind-report.js "$out/memcheck.xml"
