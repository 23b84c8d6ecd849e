#!/usr/bin/env bash
# Installs the Debian 12 packages the build needs, only those missing; as root or through
# sudo. Quick when everything is already there. Arguments name further packages (the
# benchmarks' nginx, wrk and libcurl); --fuzz adds clang-14 and its libFuzzer runtime, for
# the fuzz preset (scripts/test.sh and scripts/fuzz.sh ask for it).
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-test1.81-dev
  libssl-dev zlib1g-dev libcli11-dev
  tinyproxy parallel  # tests only: a real HTTP proxy the proxy tests start themselves; shards run as a job runner would
)
for arg in "$@"; do
  if [ "$arg" = --fuzz ]; then
    packages+=(clang-14 libclang-rt-14-dev)
  else
    packages+=("$arg")
  fi
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "setup: missing packages (${missing[*]}) and no sudo to install them; run as root" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
