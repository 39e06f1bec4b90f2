#!/usr/bin/env bash
# Builds pheedsync under AddressSanitizer + UBSan with warnings as errors, runs every test
# (unit, end-to-end, contract) and each fuzzer briefly, then prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
build=${TEST_BUILD:-build-test}

scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
scripts/node-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=debug -Dwerror=true -Db_sanitize=address,undefined \
    -Dc_args=-fno-sanitize-recover=all >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C "$build" || { echo "0 passed, 1 failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
meson test -C "$build" --print-errorlogs --num-processes 2 --timeout-multiplier 2
meson_rc=$?

read -r passed failed < <(python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL", "SKIP"):
            passed += 1
        else:
            failed += 1
except FileNotFoundError:
    failed = 1
print(passed, failed)
PY
)

fuzz_out=$(scripts/fuzz.sh --smoke 2>&1)
fuzz_rc=$?
echo "$fuzz_out" | grep -v '^fuzz-summary'
read -r fp ff < <(echo "$fuzz_out" | awk '/^fuzz-summary/ {print $2, $3}')
passed=$((passed + ${fp:-0}))
failed=$((failed + ${ff:-0}))
if [ "$fuzz_rc" -ne 0 ] && [ "${ff:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
if [ "$meson_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
