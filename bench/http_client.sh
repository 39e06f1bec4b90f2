#!/usr/bin/env bash
# What one request costs pheedsync's HTTP client (bench_http_client.c): wall time, CPU and
# context switches per request, from one thread and from several, against a loopback server in
# another process. Build with --buildtype=release for figures that mean something.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${BUILD:-build}"
"$BUILD/bench/bench_http_client" --requests "${REQUESTS:-20000}" "$@"
