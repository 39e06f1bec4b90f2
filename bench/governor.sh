#!/usr/bin/env bash
# The rate governor: 2,000 requests against the HighLevel emulator's limiter set to 100 per 1 s;
# passes when none is refused and they take at most 1.05 x the theoretical 20 s.
set -euo pipefail
cd "$(dirname "$0")/.."
"${BUILD:-build}/bench/bench_governor" --requests 2000 --max 100 --interval-ms 1000 --workers 16
