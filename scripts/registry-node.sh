#!/usr/bin/env bash
# Prints the path of an official Node.js binary (the builds nodejs.org, nvm,
# setup-node and the node:NN Docker images ship), taken from the npm registry's
# node-linux-<arch> package and cached outside the clone, so a fresh CI clone
# reuses it. Usage: scripts/registry-node.sh MAJOR [x64|arm64]
#   prints  ~/.cache/hookwise-test/node/<version>-linux-<arch>/bin/node
# The binary's directory also holds include/node (the headers node-gyp needs).
set -euo pipefail
major=${1:?usage: registry-node.sh MAJOR [x64|arm64]}
arch=${2:-x64}
cache=${HOOKWISE_TEST_CACHE:-$HOME/.cache/hookwise-test}/node
pkg=node-linux-$arch

# Newest published version of that major (resolved once, then remembered).
pin=$cache/.latest-$major-$arch
if [[ -s $pin && -x $(cat "$pin")/bin/node ]]; then
  echo "$(cat "$pin")/bin/node"
  exit 0
fi
version=$(npm view "$pkg@$major" version --json 2>/dev/null | node -e '
  const v = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const list = Array.isArray(v) ? v : [v];
  list.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  process.stdout.write(list[list.length - 1]);')
dir=$cache/$version-linux-$arch
if [[ ! -x $dir/bin/node ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
  mkdir -p "$tmp/x"
  tar -xzf "$tmp"/*.tgz -C "$tmp/x"
  mkdir -p "$cache"
  rm -rf "$dir"
  mv "$tmp/x/package" "$dir"
fi
echo "$dir" >"$pin"
echo "$dir/bin/node"
