#!/usr/bin/env bash
# The clean-machine proof (issue 12): the packed tarball installs and works on
# a fresh Debian without compilers, -dev packages or the shared libraries the
# addon builds against, x64 on Node 18/20/22/24 and arm64 under qemu.
#
#   bash test/clean-machine/run.sh            (as root; `npm test` runs it)
#
# 1. `npm run prebuild` if package.json has it (HOOKWISE_CLEAN_PREBUILD=skip
#    when the caller already built them), then `npm pack` of this checkout;
# 2. for each target, a cached Debian root (scripts/clean-root.sh), chrooted
#    into with /proc and /dev mounted, where test/clean-machine/inside.sh
#    installs the tarball into two empty projects (npm's defaults;
#    --ignore-scripts) and runs test/clean-machine/smoke.mjs with each Node.
#
# HOOKWISE_CLEAN_TARGETS overrides the targets, entries "suite:arch:majors",
# e.g. "bullseye:amd64:22" for a quick run. Exit 1 if anything failed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
cache=${HOOKWISE_TEST_CACHE:-$HOME/.cache/hookwise-test}
work=$cache/clean-machine
targets=${HOOKWISE_CLEAN_TARGETS:-"bullseye:amd64:18,20,22,24 bookworm:amd64:24 bullseye:arm64:22"}
start_all=$SECONDS
say() { printf '\n==> clean machine: %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "clean machine: needs root (debootstrap, chroot, mount)" >&2
  exit 1
fi

# One run at a time on this machine (the roots and $work are shared by every
# clone's npm test).
mkdir -p "$cache"
exec 9>"$cache/clean-machine.lock"
if ! flock -n 9; then
  echo "clean machine: waiting for another run to finish ($cache/clean-machine.lock)"
  flock 9
fi

# 1. The tarball, as `npm publish` would make it.
rm -rf "$work" && mkdir -p "$work"
if [[ $(node -p "Boolean(require('./package.json').scripts?.prebuild)") == true && ${HOOKWISE_CLEAN_PREBUILD:-} != skip ]]; then
  say "npm run prebuild"
  t=$SECONDS
  npm run prebuild
  echo "(prebuild took $((SECONDS - t)) s)"
elif [[ ${HOOKWISE_CLEAN_PREBUILD:-} != skip ]]; then
  say "package.json has no prebuild script: packing what is there"
fi
say "npm pack"
tarball=$work/$(npm pack --silent --pack-destination "$work" | tail -1)
size=$(stat -c %s "$tarball")
unpacked=$(tar -xzOf "$tarball" | wc -c)
echo "$(basename "$tarball"): $size bytes packed ($((size / 1024)) KiB), $((unpacked / 1024)) KiB unpacked"
prebuilds=$(tar -tzvf "$tarball" | awk '$NF ~ /prebuilds\/.*\.node$/ { print $NF " (" $3 " bytes)" }')
echo "prebuilds in it: ${prebuilds:-none}"
stripe_version=$(node -p "require('./package.json').devDependencies?.stripe ?? 'latest'")

# 2. Each target in its root.
mounted=()
unmount() {
  local m
  for m in "$@"; do
    if mountpoint -q "$m"; then umount -R "$m" 2>/dev/null || umount -l "$m"; fi
  done
}
cleanup() {
  unmount "${mounted[@]}"
  mounted=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

summary=()
failed=0
for target in $targets; do
  IFS=: read -r suite arch majors <<<"$target"
  majors=${majors//,/ }
  case $arch in amd64) node_arch=x64 ;; arm64) node_arch=arm64 ;; esac
  install_major=${majors##* } # the newest Node (and npm 11) installs
  say "$suite $arch (Node $majors)"
  t=$SECONDS
  if ! root=$(HOOKWISE_ROOT_NODES="$majors" bash scripts/clean-root.sh "$arch" "$suite"); then
    summary+=("$suite-$arch: FAIL (no root)")
    failed=1
    continue
  fi
  echo "(root ready in $((SECONDS - t)) s: $root)"
  rm -rf "$root/smoke" && mkdir -p "$root/smoke"
  cp "$tarball" test/clean-machine/smoke.mjs test/clean-machine/inside.sh "$root/smoke/"
  cp test/fixtures/events/checkout.session.completed.json "$root/smoke/fixture.json"
  unmount "$root/dev" "$root/proc" # left by a run that was killed
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" && mounted+=("$root/dev")
  env=(TERM=dumb LANG=C.UTF-8 NO_COLOR=1 PATH=/usr/sbin:/usr/bin:/sbin:/bin)
  [[ -f $root/etc/hookwise-host-ca.crt ]] && env+=(NODE_EXTRA_CA_CERTS=/etc/hookwise-host-ca.crt)
  t=$SECONDS
  set +e
  chroot "$root" /usr/bin/env -i "${env[@]}" \
    /bin/bash /smoke/inside.sh "$node_arch" "$majors" "$install_major" "$stripe_version" 2>&1 | tee "$work/$suite-$arch.log"
  status=${PIPESTATUS[0]}
  set -e
  cleanup
  took=$((SECONDS - t))
  results=$(grep -E '^(smoke|install)-result ' "$work/$suite-$arch.log" || true)
  line="$suite-$arch ($took s):"
  while read -r kind json; do
    [[ -n $kind ]] || continue
    line+=$(node -e '
      const [kind, r] = [process.argv[1], JSON.parse(process.argv[2])];
      if (kind === "install-result") process.stdout.write(` install ${r.project} ${r.ok ? "ok" : "FAIL"}${r.seconds !== undefined ? ` ${r.seconds}s` : ""};`);
      else process.stdout.write(` ${r.project}/node${r.major} ${r.status === 0 ? "ok" : "FAIL" + (r.result.failed ? ` (${r.result.failed})` : "")} ${r.seconds}s;`);
    ' "$kind" "$json")
  done <<<"$results"
  ((status == 0)) || { failed=1; line+=" => FAIL"; }
  summary+=("$line")
done

say "summary ($((SECONDS - start_all)) s; $(basename "$tarball") $((size / 1024)) KiB)"
printf '  %s\n' "${summary[@]}"
exit "$failed"
