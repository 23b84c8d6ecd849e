#!/usr/bin/env bash
# What an observer costs on the throughput benchmark's fetch row (20-run pages from nginx over
# 16 TLS connections): humm_peer with no observer, a counting one and the log observer at
# debug (HUMM_PEER_OBSERVER), and optionally an older humm_peer as a baseline. Each is counted
# in instructions by callgrind, which the machine's load does not change (wall clocks on a
# shared 2-core machine vary by ±20%), ROUNDS times in alternation.
# Usage: benchmarks/throughput/observer_cost.sh [PAGES [BASELINE_HUMM_PEER]]
# Needs the pages of benchmarks/throughput/run.sh (it writes them) and valgrind.
set -euo pipefail
cd "$(dirname "$0")/../.."
pages=${1:-4000}
baseline=${2:-}
bin=build/default/benchmarks/throughput
work=build/throughput
[ -f "$work/pages/meta.json" ] || { echo "observer_cost.sh: run benchmarks/throughput/run.sh first (it writes the pages)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "observer_cost.sh: valgrind is needed" >&2; exit 2; }
read -r port _ < <(benchmarks/throughput/nginx.sh start "$work/pages" "$work/nginx")
trap 'benchmarks/throughput/nginx.sh stop "$work/nginx"' EXIT
kinds="none counting log"
[ -n "$baseline" ] && kinds="baseline $kinds"
echo "round kind instructions instructions_per_page"
for round in $(seq 1 "${ROUNDS:-2}"); do
  for kind in $kinds; do
    peer=$bin/humm_peer
    [ "$kind" = baseline ] && peer=$baseline
    case $kind in counting|log) export HUMM_PEER_OBSERVER=$kind ;; *) unset HUMM_PEER_OBSERVER ;; esac
    ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$peer" fetch "https://127.0.0.1:$port" \
           "$work/nginx/cert.pem" "$work/pages" 20 16 "$pages" 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
    echo "$round $kind $ir $((ir / pages))"
  done
done
