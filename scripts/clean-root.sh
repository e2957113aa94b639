#!/usr/bin/env bash
# A clean Debian machine for the install test (test/clean-machine/run.sh): a
# `debootstrap --variant=minbase` root from the Debian archive, with no
# compiler, no -dev package, no python, make or pkg-config, and none of the
# shared libraries the addon builds against (libsodium, simdjson, SQLite),
# plus official Node.js binaries and npm from the npm registry.
#
# Usage: scripts/clean-root.sh [amd64|arm64] [SUITE]
#   SUITE defaults to bullseye (Debian 11, glibc 2.31: the oldest glibc the
#   prebuilds promise). Prints the root's path:
#     ~/.cache/hookwise-test/roots/<suite>-<arch>
#   Node majors put in it: $HOOKWISE_ROOT_NODES (default "18 20 22 24" on amd64,
#   "22" on arm64), under /opt/node/<major>, each with its npm.
#
# The root is built once and cached outside the clone. It is rebuilt when it is
# missing or when this script changes (its hash is the root's stamp). Needs
# root (debootstrap, chroot) and reaches only deb.debian.org and the npm
# registry. arm64 is debootstrapped --foreign and finished under
# qemu-user-static through binfmt_misc (registered here if it is not yet).
set -euo pipefail
arch=${1:-amd64}
suite=${2:-bullseye}
case $arch in
  amd64) node_arch=x64 default_nodes="18 20 22 24" ;;
  arm64) node_arch=arm64 default_nodes="22" ;;
  *) echo "clean-root.sh: arch must be amd64 or arm64, not $arch" >&2; exit 2 ;;
esac
nodes=${HOOKWISE_ROOT_NODES:-$default_nodes}
here=$(cd "$(dirname "$0")" && pwd)
cache=${HOOKWISE_TEST_CACHE:-$HOME/.cache/hookwise-test}
root=$cache/roots/$suite-$arch
mirror=${HOOKWISE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
log() { printf 'clean-root(%s-%s): %s\n' "$suite" "$arch" "$*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  echo "clean-root.sh: needs root (debootstrap and chroot)" >&2
  exit 1
fi

# Host tools, installed like scripts/setup.sh installs the build's.
need=(debootstrap)
[[ $arch == arm64 && $(uname -m) != aarch64 ]] && need+=(qemu-user-static)
missing=()
for pkg in "${need[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# arm64 binaries on an x64 host run through binfmt_misc + qemu-user-static.
# The F flag (Debian's registration has it) keeps the interpreter usable
# inside the chroot.
ensure_binfmt() {
  [[ $arch == arm64 && $(uname -m) != aarch64 ]] || return 0
  local bm=/proc/sys/fs/binfmt_misc
  if [[ ! -e $bm/register ]]; then
    mount -t binfmt_misc binfmt_misc "$bm" 2>/dev/null || true
  fi
  if [[ ! -e $bm/register ]]; then
    echo "clean-root.sh: binfmt_misc is not available here (cannot mount $bm); arm64 needs it" >&2
    return 3
  fi
  if [[ ! -e $bm/qemu-aarch64 ]]; then
    log "registering qemu-aarch64 with binfmt_misc"
    cat /usr/lib/binfmt.d/qemu-aarch64.conf >"$bm/register"
  fi
  grep -q '^enabled' "$bm/qemu-aarch64" || echo 1 >"$bm/qemu-aarch64"
}
ensure_binfmt

# The recipe. Its own text (with the suite, arch and mirror) is the root's
# stamp: editing it rebuilds the root, editing the rest of this script does not.
umount_in() {
  local dir=$1
  if mountpoint -q "$dir/dev"; then umount -R "$dir/dev" 2>/dev/null || umount -l "$dir/dev"; fi
  if mountpoint -q "$dir/proc"; then umount "$dir/proc" 2>/dev/null || umount -l "$dir/proc"; fi
}
build_root() {
  local tmp=$1 log=$1.log
  local opts=(--variant=minbase --arch="$arch")
  if [[ $arch == arm64 && $(uname -m) != aarch64 ]]; then
    log "debootstrap --foreign (first stage)"
    debootstrap "${opts[@]}" --foreign "$suite" "$tmp" "$mirror" >"$log" 2>&1 \
      || { tail -20 "$log" >&2; return 1; }
    log "second stage under qemu-user-static (slow)"
    mount -t proc proc "$tmp/proc"
    mount --rbind /dev "$tmp/dev" && mount --make-rslave "$tmp/dev"
    chroot "$tmp" /debootstrap/debootstrap --second-stage >>"$log" 2>&1 \
      || { tail -20 "$log" >&2; umount_in "$tmp"; return 1; }
    umount_in "$tmp"
  else
    log "debootstrap"
    debootstrap "${opts[@]}" "$suite" "$tmp" "$mirror" >"$log" 2>&1 \
      || { tail -20 "$log" >&2; return 1; }
  fi
  rm -f "$log"
  # Smaller: no package lists, cached .debs, docs, man pages or locales.
  chroot "$tmp" apt-get clean
  rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/usr/share/doc/* "$tmp"/usr/share/man/* "$tmp"/usr/share/locale/*
  mkdir -p "$tmp/opt/node" "$tmp/root"
}

mkdir -p "$cache/roots"
exec 8>"$cache/roots/.$suite-$arch.lock"
flock 8

stamp=$( { declare -f build_root umount_in; echo "$suite $arch $mirror"; } | sha256sum | cut -c1-16)
if [[ ! -f $root/.hookwise-root || $(cat "$root/.hookwise-root") != "$stamp" ]]; then
  start=$SECONDS
  tmp=$root.tmp.$$
  # shellcheck disable=SC2064
  trap "umount_in '$tmp'; rm -rf --one-file-system '$tmp' '$tmp.log'" EXIT
  build_root "$tmp"
  echo "$stamp" >"$tmp/.hookwise-root"
  rm -rf --one-file-system "$root"
  mv "$tmp" "$root"
  trap - EXIT
  log "built in $((SECONDS - start)) s ($(du -sh "$root" | cut -f1))"
fi

# minbase pulls in the shared OpenSSL (krb5 and tirpc depend on it). A clean
# machine may well lack it, and the prebuild must not need it: take it out
# (nothing the test runs uses it; Node has its own OpenSSL).
for pkg in libssl1.1 libssl3 libssl3t64; do
  # shellcheck disable=SC2016 # ${Status} is dpkg-query's, not the shell's
  if [[ $(chroot "$root" dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == "install ok installed" ]]; then
    log "removing $pkg"
    chroot "$root" dpkg --purge --force-depends "$pkg" >/dev/null 2>&1
  fi
done

# npm is not in the node-linux-* packages: the npm package itself, from the
# registry, cached as a tarball (newest of each major, resolved once).
npm_cache=$cache/npm
mkdir -p "$npm_cache"
npm_tarball() { # major -> path of the cached npm-<version>.tgz
  local major=$1 pin=$npm_cache/.latest-$1 version t
  if [[ ! -s $pin ]]; then
    npm view "npm@$major" version --json | node -e '
      const v = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const list = Array.isArray(v) ? v : [v];
      list.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      process.stdout.write(list[list.length - 1]);' >"$pin.tmp"
    mv "$pin.tmp" "$pin"
  fi
  version=$(cat "$pin")
  if [[ ! -s $npm_cache/npm-$version.tgz ]]; then
    t=$(mktemp -d)
    (cd "$t" && npm pack --silent "npm@$version" >/dev/null)
    mv "$t"/npm-*.tgz "$npm_cache/npm-$version.tgz"
    rm -rf "$t"
  fi
  echo "$npm_cache/npm-$version.tgz"
}

# Official Node.js distributions (scripts/registry-node.sh caches them), one
# directory per version, /opt/node/<major> pointing at it, each with npm laid
# out as in the nodejs.org tarballs (lib/node_modules/npm, bin/npm, bin/npx):
# npm 10 for Node 18, npm 11 for the others (it needs Node ^20.17 || >=22.9).
for major in $nodes; do
  bin=$(bash "$here/registry-node.sh" "$major" "$node_arch")
  dist=$(dirname "$(dirname "$bin")")
  name=$(basename "$dist")
  dest=$root/opt/node/$name
  if [[ ! -x $dest/bin/node ]]; then
    log "adding Node.js $name"
    rm -rf "$dest.tmp"
    cp -a "$dist" "$dest.tmp"
    mv "$dest.tmp" "$dest"
  fi
  if ((major < 20)); then npm_major=10; else npm_major=11; fi
  tgz=$(npm_tarball "$npm_major")
  npm_version=$(basename "$tgz" .tgz)
  npm_version=${npm_version#npm-}
  if [[ $(grep -m1 '"version"' "$dest/lib/node_modules/npm/package.json" 2>/dev/null) != *"\"$npm_version\""* ]]; then
    log "adding npm $npm_version to Node.js $name"
    rm -rf "$dest/lib/node_modules/npm"
    mkdir -p "$dest/lib/node_modules/npm"
    tar -xzf "$tgz" -C "$dest/lib/node_modules/npm" --strip-components=1
    ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$dest/bin/npm"
    ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$dest/bin/npx"
  fi
  ln -sfn "$name" "$root/opt/node/$major"
done
rm -rf "$root/opt/npm"

# The host's npm configuration (registry and its settings), resolver and
# extra CA certificates (a TLS-inspecting proxy's, if the host trusts one:
# run.sh passes it as NODE_EXTRA_CA_CERTS), so npm in the root reaches the same
# registry the same way. nodedir is left out: it names the host's Node
# headers, is build configuration rather than registry access, and npm 11
# warns about it.
if [[ -f $HOME/.npmrc ]]; then
  grep -v '^[[:space:]]*nodedir[[:space:]]*=' "$HOME/.npmrc" >"$root/root/.npmrc" || true
  chmod 600 "$root/root/.npmrc"
fi
extra_ca=${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}
if [[ -n $extra_ca && $extra_ca != null && -f $extra_ca ]]; then
  cp -L "$extra_ca" "$root/etc/hookwise-host-ca.crt"
else
  rm -f "$root/etc/hookwise-host-ca.crt"
fi
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
[[ -f /etc/hosts ]] && cp -L /etc/hosts "$root/etc/hosts"

echo "$root"
