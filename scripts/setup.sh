#!/usr/bin/env bash
# Installs the system packages hookwise needs to build and test, on Debian or
# Ubuntu, when run as root with apt. Anywhere else it prints exactly what is
# missing and stops. Safe to run repeatedly: it installs only what is missing.
set -euo pipefail

# Build and test dependencies (Debian package names).
# (simdjson comes from the npm package @nozbe/simdjson, compiled in; see
# scripts/native-deps.js.) This is the developer's and CI's list: a user who
# builds the addon from source needs only g++, make, python3 and the three
# -dev packages, as README's install section says.
packages=(
  build-essential python3 pkg-config cmake
  libssl-dev libsodium-dev libsqlite3-dev
  catch2 libbenchmark-dev clang libclang-rt-dev
  # the prebuilt binaries (scripts/prebuild.js): the arm64 cross compiler,
  # dpkg-deb/apt for the glibc 2.31 sysroot, qemu to run the arm64 one
  g++-aarch64-linux-gnu qemu-user-static
  # the clean-machine test's Debian roots
  debootstrap
  # the addon's leak check under memcheck (scripts/leak-check.sh)
  valgrind
  # real servers for the RedisStore / PostgresStore tests (test/js/support/services.js)
  redis-server postgresql
  # headless browser for the examples' browser checks (test/js/support/chromium.js, puppeteer-core)
  chromium
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "hookwise setup: this is not a Debian/Ubuntu system with apt." >&2
  echo "Install the equivalents of these Debian packages with your package manager:" >&2
  echo "  ${missing[*]}" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "hookwise setup: missing Debian packages: ${missing[*]}" >&2
  echo "Run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "hookwise setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
