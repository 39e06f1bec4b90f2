#!/usr/bin/env bash
# The rate governor through the real HighLevel client: the sandbox's HighLevel limit set to 100
# requests per 1 s window (PUT /_sandbox/settings), then 2,000 ghl_client_get_contact calls from
# 16 threads. Passes when the sandbox answered no 429 and they took at most 1.05 x the
# theoretical 20 s; prints requests, elapsed, minimum, ratio and the 429 count.
set -euo pipefail
cd "$(dirname "$0")/.."
"${BUILD:-build}/bench/bench_governor" --requests 2000 --max 100 --interval-ms 1000 --workers 16
