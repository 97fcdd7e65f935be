#!/usr/bin/env bash
# Builds and runs every test with Bazel (offline), then prints the closing line
# `N passed, N failed, N skipped` counting test cases. Exit code 0 only when
# nothing failed. Extra arguments are passed to `bazel test`.
set -uo pipefail
cd "$(dirname "$0")/.."

# Installs whatever is missing; a no-op (under a second) when all is present.
scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT

bazel test //... "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

python3 scripts/count-tests.py "$log" "$(bazel info bazel-testlogs 2>/dev/null)"
count_status=$?

if [ -n "${CI:-}" ]; then
  bazel shutdown >/dev/null 2>&1 || true
fi

if [ "$status" -ne 0 ] || [ "$count_status" -ne 0 ]; then
  exit 1
fi
exit 0
