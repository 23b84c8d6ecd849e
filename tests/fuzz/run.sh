#!/usr/bin/env bash
# Runs one fuzz target the way both its CTest smoke test and scripts/fuzz.sh do:
#   tests/fuzz/run.sh <fuzz_<name> executable> <seconds> <work directory>
# New corpus entries go to <work>/corpus/<name>/ (kept across runs, outside the repository,
# whose seeds in tests/fuzz/corpus/<name>/ stay small); an input that breaks a rule is saved
# as <work>/crash_<name>_<hash> and the run fails. tests/fuzz/<name>.dict is used if present.
set -euo pipefail
target=$1 seconds=$2 work=$3
name=${target##*/fuzz_}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/corpus/$name"
dict=()
[ -f "$here/$name.dict" ] && dict=(-dict="$here/$name.dict")
exec "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
  -artifact_prefix="$work/crash_${name}_" "$work/corpus/$name" "$here/corpus/$name"
