#!/usr/bin/env bash
# The README's test command: set up, then build and run the whole suite in the normal build
# and under AddressSanitizer + UndefinedBehaviorSanitizer, then the tests that run the client
# on several threads or cancel it (label `threads`) under ThreadSanitizer, then a short run
# of each fuzz target (clang-14, tests/fuzz/). What each preset builds and runs is said in
# CMakePresets.json: tsan builds only the executables it runs, fuzz only the fuzz targets.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --fuzz
for preset in default asan tsan fuzz; do
  echo "== $preset: build" >&2
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  echo "== $preset: test" >&2
  ctest --preset "$preset"
done
