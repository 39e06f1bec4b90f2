#!/usr/bin/env bash
# Installs the Debian packages pheedsync builds, tests and runs with. Idempotent.
#   scripts/deps.sh         everything: the build, the tests, the fuzzers, the benchmarks
#   scripts/deps.sh --run   only what building and running pheedsync needs (`make run`), so that
#                           the demo does not wait for a browser and a second compiler
set -euo pipefail
packages=(
  build-essential pkg-config meson ninja-build
  libcurl4-openssl-dev libmicrohttpd-dev libjansson-dev libsqlite3-dev
  libssl-dev libinih-dev libpq-dev
)
if [ "${1:-}" != "--run" ]; then
  packages+=(
    clang libcmocka-dev  # the fuzzers, the tests
    postgresql  # the store contract against a throwaway PostgreSQL server
    wrk curl python3
    chromium  # the status page's browser test (headless, driven by playwright-core)
  )
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (with npm inside): only the commands matter.
if [ "${1:-}" != "--run" ]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
