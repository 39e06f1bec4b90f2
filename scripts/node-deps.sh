#!/usr/bin/env bash
# Installs the npm tools the tests use, each pinned by its lock file: the OpenAPI validator
# (tests/contract) and playwright-core, which drives Debian's chromium in the browser test
# (tests/browser; it downloads no browser of its own).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# DIR: where package.json and its lock are; MARK: a file that is there once installed.
install() {
  [ -e "$root/$1/$2" ] && return 0
  (cd "$root/$1" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
install tests/contract node_modules/.bin/prism
install tests/browser node_modules/playwright-core/package.json
