#!/usr/bin/env python3
"""Python's aiohttp as a throughput_report peer: the pages humm_peer's fetch mode takes, over
CONNECTIONS keep-alive TLS connections (one worker task per connection), each body parsed
with json.loads (Python has no typed mapping to compare, so this is the lighter work).

Usage: aiohttp_peer.py BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES]
PAGES defaults to a fifth of the page list: this peer is far slower than the C++ ones, and
a fifth still takes it longer than they take for all. The clock starts once every
connection is open (one page each, not counted), as in the C++ peers.
Prints one JSON line: pages, runs, seconds, p50_ms, p99_ms.
"""

import asyncio
import json
import ssl
import sys
import time

import aiohttp


def read_pages(data_dir, page_size):
    with open(f"{data_dir}/pages-{page_size}.txt") as f:
        return [(schedule, int(offset)) for schedule, offset in (line.split() for line in f if line.strip())]


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[int(p / 100 * (len(ordered) - 1))]


async def main(base_url, ca_file, data_dir, page_size, connections, pages):
    page_list = read_pages(data_dir, page_size)
    with open(f"{data_dir}/meta.json") as f:
        organization = json.load(f)["organization_id"]
    if pages is None:
        pages = max(connections, len(page_list) // 5)
    headers = {"Authorization": "Bearer benchmark-token", "Accept": "application/json",
               "User-Agent": "aiohttp-peer"}
    tls = ssl.create_default_context(cafile=ca_file)
    connector = aiohttp.TCPConnector(limit=connections, ssl=tls)

    def url(index):
        schedule, offset = page_list[index % len(page_list)]
        return (f"{base_url}/reports/schedules/{schedule}/runs?organization_id={organization}"
                f"&limit={page_size}&offset={offset}")

    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        async def fetch(index):
            async with session.get(url(index)) as response:
                if response.status != 200:
                    raise RuntimeError(f"HTTP status {response.status}")
                body = await response.read()
            return len(json.loads(body)["runs"])

        # Every connection opened, outside the clock.
        await asyncio.gather(*(fetch(i) for i in range(connections)))

        next_index = 0
        runs = 0
        latencies = []

        async def worker():
            nonlocal next_index, runs
            while next_index < pages:
                index = next_index
                next_index += 1
                start = time.perf_counter()
                page_runs = await fetch(index)  # not `runs += await ...`: that reads runs first
                runs += page_runs
                latencies.append((time.perf_counter() - start) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        seconds = time.perf_counter() - started

    print(json.dumps({"pages": len(latencies), "runs": runs, "seconds": seconds,
                      "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}))


if __name__ == "__main__":
    if len(sys.argv) < 6:
        sys.exit("usage: aiohttp_peer.py BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES]")
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
                     int(sys.argv[6]) if len(sys.argv) > 6 else None))
