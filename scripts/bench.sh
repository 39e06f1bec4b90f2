#!/usr/bin/env bash
# Runs every benchmark in bench/ against a release build and prints their figures.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/*.sh; do
  [ -x "$b" ] || continue
  echo "== $b"
  "$b"
done
