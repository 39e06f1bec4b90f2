#!/usr/bin/env bash
# Installs the npm tools the tests use (the OpenAPI validator), pinned by the lock file.
set -euo pipefail
cd "$(dirname "$0")/../tests/contract"
[ -x node_modules/.bin/prism ] && exit 0
npm ci --no-audit --no-fund --loglevel=error >/dev/null
