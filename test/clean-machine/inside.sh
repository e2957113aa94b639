#!/bin/bash
# Runs inside the clean Debian root (test/clean-machine/run.sh chroots into it):
# checks that the machine is clean, installs the packed hookwise tarball into
# two empty projects (npm's defaults, and --ignore-scripts), and runs
# smoke.mjs in each project with each Node.js given.
#
#   bash /smoke/inside.sh NODE_ARCH "NODE_MAJORS" INSTALL_NODE_MAJOR STRIPE_VERSION
# Prints `smoke-result` / `install-result` lines for run.sh to summarise.
set -uo pipefail
node_arch=$1 majors=$2 install_major=$3 stripe_version=$4
cd /smoke || exit 1
export HOME=/root
base_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
failures=0
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

path_for() { echo "/opt/node/$1/bin:$base_path"; }

echo "--- the machine is clean"
export PATH=$base_path
clean=ok
for cmd in cc gcc g++ c++ cpp clang clang++ make gmake cmake python python3 pkg-config pkgconf node nodejs npm node-gyp; do
  if command -v "$cmd" >/dev/null 2>&1; then echo "not clean: $cmd is $(command -v "$cmd")"; clean=no; fi
done
pkgs=$(dpkg-query -W -f='${Package}\n' | grep -E -- '-dev$|^gcc(-[0-9]+)?$|^g\+\+|^cpp|^clang|^llvm|^make$|^python|^pkg-?conf|^build-essential|^libsodium|^libsimdjson|^libsqlite3|^libssl[0-9]|^nodejs' || true)
[[ -z $pkgs ]] || { echo "not clean: packages installed: $(tr "\n" " " <<<"$pkgs")"; clean=no; }
libs=$(find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /smoke \) -prune -o \
  \( -name cc1 -o -name cc1plus -o -name 'libsodium.so*' -o -name 'libsimdjson.so*' -o -name 'libsqlite3.so*' -o -name 'libcrypto.so*' -o -name 'libssl.so*' \) -print)
[[ -z $libs ]] || { echo "not clean: compiler or shared libraries present: $(tr "\n" " " <<<"$libs")"; clean=no; }
[[ ! -e /usr/include ]] || [[ -z $(ls -A /usr/include 2>/dev/null) ]] || { echo "not clean: /usr/include has headers"; clean=no; }
echo "glibc $(getconf GNU_LIBC_VERSION), $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -m)"
if [[ $clean != ok ]]; then
  echo "install-result {\"project\":\"(machine)\",\"ok\":false,\"why\":\"the root is not clean\"}"
  exit 1
fi
echo "ok - no compiler, make, python, pkg-config, -dev package, headers, system Node, or shared libsodium/simdjson/SQLite/OpenSSL"

tarball=$(ls /smoke/hookwise-*.tgz)
for project in default ignore-scripts; do
  echo "--- npm install in an empty project ($project), Node $install_major, npm $(PATH=$(path_for "$install_major") npm --version)"
  dir=/smoke/$project
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
  export PATH; PATH=$(path_for "$install_major")
  echo '{ "name": "clean-machine-app", "version": "1.0.0", "private": true }' >package.json
  flags=(--no-audit --no-fund)
  # --foreground-scripts only shows the install scripts' output (npm hides it
  # by default), so the log below can prove nothing was compiled.
  if [[ $project == default ]]; then flags+=(--foreground-scripts); else flags+=(--ignore-scripts); fi
  t0=$(now)
  npm install "${flags[@]}" "$tarball" "stripe@$stripe_version" >install.log 2>&1
  status=$?
  took=$(secs "$t0")
  sed 's/^/  | /' install.log | tail -40
  why=
  if ((status != 0)); then
    why="npm install exited $status"
  elif grep -q '^hookwise: ' install.log; then
    # With a prebuild that loads, the install script prints nothing: words from
    # it mean none matched (it tried to build from source).
    why="the install script reported: $(grep -m1 '^hookwise: ' install.log | tr -d '"\\')"
  elif grep -Eq 'gyp (info|ERR|WARN)|cc1plus|CXX\(target\)|SOLINK|make(\[[0-9]+\])?: ' install.log; then
    why="the install ran node-gyp or a compiler (see its log above)"
  elif [[ -e node_modules/hookwise/build ]]; then
    why="node_modules/hookwise/build exists: something was built"
  fi
  ran_script=$(grep -Ec '^> hookwise@[^ ]+ (pre|post)?install' install.log || true)
  if [[ -n $why ]]; then
    echo "not ok - install ($project): $why"
    echo "install-result {\"project\":\"$project\",\"ok\":false,\"seconds\":$took,\"why\":\"$why\"}"
    failures=$((failures + 1))
    continue
  fi
  echo "ok - installed in ${took}s, nothing compiled (hookwise install scripts run: $ran_script)"
  echo "install-result {\"project\":\"$project\",\"ok\":true,\"seconds\":$took,\"installScripts\":$ran_script}"
  cp /smoke/smoke.mjs /smoke/fixture.json "$dir/"
  for major in $majors; do
    echo "--- smoke: $project, Node $major ($node_arch)"
    PATH=$(path_for "$major")
    t0=$(now)
    SMOKE_EXPECT_PREBUILD=linux-$node_arch node smoke.mjs fixture.json 2>&1 | tee "smoke-$major.log" | sed 's/^smoke-result .*//;/^$/d'
    status=${PIPESTATUS[0]}
    line=$(grep '^smoke-result ' "smoke-$major.log" | tail -1 | sed 's/^smoke-result //')
    [[ -n $line ]] || line='{"ok":false}'
    echo "smoke-result {\"project\":\"$project\",\"major\":$major,\"seconds\":$(secs "$t0"),\"status\":$status,\"result\":$line}"
    ((status == 0)) || failures=$((failures + 1))
  done
done
exit $((failures > 0))
