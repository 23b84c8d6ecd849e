#!/usr/bin/env bash
# Runs each fuzz target (tests/fuzz/) for a while: scripts/fuzz.sh [seconds per target, default 60].
# Builds the fuzz preset first (clang-14, installed if missing), then runs each target through
# tests/fuzz/run.sh: new corpus entries are kept across runs in build/fuzz/corpus/<target>/,
# and an input that breaks a rule is saved as build/fuzz/crash_<target>_*, reported, and makes
# the script fail once every target has run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/setup.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
status=0
for target in build/fuzz/tests/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  echo "== ${target##*/}: ${seconds}s" >&2
  tests/fuzz/run.sh "$target" "$seconds" build/fuzz || status=1
done
exit $status
