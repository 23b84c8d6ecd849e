#!/usr/bin/env bash
# The README's main job: set up, build the humm-history tool, and run its demo (a walk
# through the real client against the embedded fake API: no token or network needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default --target humm-history
exec build/default/humm-history/humm-history demo "$@"
