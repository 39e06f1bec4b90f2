#!/usr/bin/env bash
# Webhook to write with `pheedsync run`, coalescing off, 100 changes per second for 20 s through
# the sandbox's UI routes (bench_webhook_latency.c): p50, p99, max and count of the time from a
# change to its write landing on the other side, and p99 against 100 ms. Build with
# --buildtype=release for figures that mean something.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${BUILD:-build}"
"$BUILD/bench/bench_webhook_latency" --bin "$BUILD/pheedsync" --rate "${RATE:-100}" \
    --seconds "${SECONDS_RUN:-20}" "$@"
