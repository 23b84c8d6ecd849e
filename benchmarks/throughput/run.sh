#!/usr/bin/env bash
# The throughput benchmark, side by side in one run: installs what it needs (nginx, wrk,
# libcurl, Python's aiohttp), builds the peers, writes the page files, starts nginx on a free
# port of 127.0.0.1, runs every peer through throughput_report and stops nginx. The table
# and the chart go to benchmarks/results/.
# Usage: benchmarks/throughput/run.sh [throughput_report options, e.g. --repeat 7, or
#        --baseline-humm-history FILE to compare with humm-history built from another commit]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup.sh nginx-light wrk libcurl4-openssl-dev openssl python3-aiohttp
cmake --preset default >/dev/null
cmake --build --preset default --target page_files humm_peer curl_multi_peer throughput_report humm-history

bin=build/default/benchmarks/throughput
work=build/throughput
# 200 schedules of 1,000 runs: 10,000 pages of 20 and 2,000 of 100; one 1,000-page walk.
if [ ! "$work/pages/meta.json" -nt "$bin/page_files" ]; then
  rm -rf "$work/pages"
  "$bin/page_files" "$work/pages" 200 1000 1000
fi

read -r port status_port < <(benchmarks/throughput/nginx.sh start "$work/pages" "$work/nginx")
trap 'benchmarks/throughput/nginx.sh stop "$work/nginx"' EXIT
"$bin/throughput_report" --bin "$bin" --data "$work/pages" --port "$port" --status-port "$status_port" \
  --ca "$work/nginx/cert.pem" --lua benchmarks/throughput/wrk_pages.lua --aiohttp benchmarks/throughput/aiohttp_peer.py \
  --humm-history build/default/humm-history/humm-history --batch-output "$work/batch.ndjson" \
  --out benchmarks/results "$@"
