#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each one: FUZZ_SECONDS each (default 300,
# or 10 with --smoke). Prints "fuzz-summary PASSED FAILED" last.
set -uo pipefail
cd "$(dirname "$0")/.."
build=build-fuzz
secs=${FUZZ_SECONDS:-300}
seed_opt=()
# The smoke run (part of `make test`) starts every target from the same seed, so that a run
# repeats the last one's mutations; `make fuzz` explores afresh.
[ "${1:-}" = "--smoke" ] && secs=${FUZZ_SECONDS:-10} && seed_opt=(-seed=1)

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" --buildtype=debug -Dtests=false -Dfuzz=true >/dev/null \
    || { echo "fuzz-summary 0 1"; exit 1; }
fi
ninja -C "$build" >/dev/null || { ninja -C "$build"; echo "fuzz-summary 0 1"; exit 1; }

passed=0 failed=0
mkdir -p "$build/artifacts"
for f in "$build"/fuzz/fuzz_*; do
  [ -f "$f" ] && [ -x "$f" ] || continue  # skip meson's fuzz_*.p object directories
  name=$(basename "$f")
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  seeds=fuzz/corpus/${name#fuzz_}
  if "$f" "${seed_opt[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$name-" "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) \
      >"$build/$name.log" 2>&1; then
    echo "fuzz $name: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$build/$name.log" | awk '{print $2}') runs)"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED"; tail -n 30 "$build/$name.log"
    failed=$((failed + 1))
  fi
done
echo "fuzz-summary $passed $failed"
[ "$failed" -eq 0 ]
