#!/usr/bin/env bash
# Sets up, builds (normal and ASan+UBSan), runs every test in both builds and the threading tests
# under ThreadSanitizer, runs each benchmark
# briefly (figures printed, no times asserted) and ends with "N passed, N failed".
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<'EOF'
Usage: bash scripts/test.sh
  Installs the packages, builds build/ (release) and build-asan/ (ASan+UBSan), runs every test in
  both, the threading tests in build-tsan/ (ThreadSanitizer), runs each benchmark briefly (figures
  only) and ends with "N passed, N failed".
EOF
  exit 0
fi
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/build.sh --asan || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
count() { # $1: meson testlog.json
  local p f
  p=$(grep -c '"result": "OK"' "$1" || true)
  f=$(grep -c -E '"result": "(FAIL|ERROR|TIMEOUT|UNEXPECTEDPASS)"' "$1" || true)
  passed=$((passed + p)); failed=$((failed + f))
}
echo "=== tests (release build)"
meson test -C build --print-errorlogs --num-processes 2 ; count build/meson-logs/testlog.json
echo "=== tests (ASan + UBSan build)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 4
count build-asan/meson-logs/testlog.json
echo "=== threading tests (ThreadSanitizer build, target_clones off)"
# Only the tests with threads: the worker/state/run() race test, the swaps, the inline display.
if bash scripts/build.sh --tsan >/dev/null; then
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    meson test -C build-tsan --no-rebuild --print-errorlogs --num-processes 2 \
    --timeout-multiplier 4 plugin_threads plugin_swap ui_inline_glue
  count build-tsan/meson-logs/testlog.json
else
  echo "TSan build failed"; failed=$((failed + 1))
fi
echo "=== benchmarks (brief; figures only)"
EMOVOX_BENCH_QUICK=1 meson test -C build --benchmark --verbose --num-processes 1
count build/meson-logs/testlog.json
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
