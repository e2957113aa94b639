#!/usr/bin/env bash
# Prints the path of a sysroot to build the prebuilt addon against, made once
# from Debian packages and cached outside the clone:
#   ~/.cache/hookwise-test/sysroot/<recipe-hash>-<debian arch>
# Why: the prebuild must load on glibc 2.31 (Debian 11, Ubuntu 20.04, Amazon
# Linux 2023), so it links against Debian 11 (bullseye)'s C library, and its
# static libsodium and SQLite (built against that glibc). libcrypto.a comes
# from Debian 12 (OpenSSL 3.0: the EVP_MAC API the core uses); the glibc
# symbols it needs are checked by the prebuild's test. The host's g++ 12
# (or its aarch64 cross compiler) compiles against it.
# Usage: scripts/sysroot.sh amd64|arm64
set -euo pipefail
arch=${1:?usage: sysroot.sh amd64|arm64}
here=$(cd "$(dirname "$0")" && pwd)
cache=${HOOKWISE_TEST_CACHE:-$HOME/.cache/hookwise-test}/sysroot

# What goes in, by Debian release. A change here changes the hash, so a cached
# sysroot made by another recipe is never reused.
# libstdc++6 and libgcc-s1 only so that an official arm64 node runs under
# qemu-aarch64 -L <sysroot> (scripts/prebuild-check); the addon links its own
# libstdc++ statically from the compiler.
bullseye=(libc6 libc6-dev linux-libc-dev libsodium-dev libstdc++6 libgcc-s1)
bookworm=(libssl-dev libsqlite3-dev)
recipe="v2 ${bullseye[*]} / ${bookworm[*]}"
hash=$(printf '%s' "$recipe" | sha256sum | cut -c1-12)
root=$cache/$hash-$arch
if [[ -f $root/.complete ]]; then
  echo "$root"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$work/sources.list" <<LIST
deb [arch=$arch signed-by=$keyring] http://deb.debian.org/debian bullseye main
deb [arch=$arch signed-by=$keyring] http://deb.debian.org/debian bookworm main
LIST
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
  -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o Debug::NoLocking=1 -o APT::Sandbox::User=root
)
apt-get "${apt_opts[@]}" update -qq >&2
pkgs=()
for p in "${bullseye[@]}"; do pkgs+=("$p:$arch/bullseye"); done
for p in "${bookworm[@]}"; do pkgs+=("$p:$arch/bookworm"); done
(cd "$work/debs" && apt-get "${apt_opts[@]}" download -qq "${pkgs[@]}" >&2)

rm -rf "$root.tmp"
mkdir -p "$root.tmp"
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$root.tmp"; done
# The C++ standard library's headers are the compiler's own (g++ 12), not the
# sysroot's: link them in where g++ looks under a --sysroot.
triplet=$( [[ $arch == amd64 ]] && echo x86_64-linux-gnu || echo aarch64-linux-gnu )
ln -s /usr/include/c++ "$root.tmp/usr/include/c++"
if [[ $arch == amd64 ]]; then
  ln -s "/usr/include/$triplet/c++" "$root.tmp/usr/include/$triplet/c++"
fi
# Debian's -dev symlinks are absolute (libpthread.so -> /lib/.../libpthread.so.0):
# inside a sysroot they would point at the host's newer libraries. Make every
# absolute link relative to the sysroot.
find "$root.tmp" -type l | while read -r link; do
  target=$(readlink "$link")
  [[ $target == /* ]] || continue
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root.tmp$target")" "$link"
done
# libc.so and friends are linker scripts with absolute paths; under --sysroot
# the linker prefixes them, which is what we want. Nothing else to fix.
printf '%s\n' "$recipe" >"$root.tmp/.recipe"
touch "$root.tmp/.complete"
rm -rf "$root"
mv "$root.tmp" "$root"
echo "$root"
