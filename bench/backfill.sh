#!/usr/bin/env bash
# A first `pheedsync sync` of 10,000 attendees against the sandbox with its limits lifted
# (bench_backfill.c): HighLevel calls per needed write and page, CPU per record, throughput
# against a bare HTTP loop on the same endpoint in the same run, and peak memory, each printed
# with its bound. Build with --buildtype=release for figures that mean something.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${BUILD:-build}"
"$BUILD/bench/bench_backfill" --bin "$BUILD/pheedsync" --attendees "${ATTENDEES:-10000}" "$@"
