#!/usr/bin/env bash
# Builds and runs every test with Bazel (offline) and the install test
# (scripts/test-install.sh); in CI (env CI set) also the operator and kernel tests under
# asan+ubsan and the threading tests under tsan (scripts/test-sanitizers.sh). Then prints
# the closing line `N passed, N failed, N skipped` counting test cases, install checks and
# sanitizer test cases. Exit code 0 only when nothing failed. Extra arguments are passed
# to the plain `bazel test`.
set -uo pipefail
cd "$(dirname "$0")/.."

# Installs whatever is missing; a no-op (under a second) when all is present.
scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
install_log=$(mktemp)
trap 'rm -f "$log" "$install_log"' EXIT

bazel test //... "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

counts=$(python3 scripts/count-tests.py "$log" "$(bazel info bazel-testlogs 2>/dev/null)")
count_status=$?

# Then the path of a project that links TwoPass: CMake build, install into a temporary
# prefix, examples built with pkg-config and find_package and run. Its checks are
# added to the counts.
scripts/test-install.sh 2>&1 | tee "$install_log"
[ "${PIPESTATUS[0]}" -eq 0 ] || count_status=1
read -r install_passed install_failed < <(sed -n \
  's/^install: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$install_log")
read -r passed failed skipped < <(echo "$counts" | sed -n \
  's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed, \([0-9][0-9]*\) skipped$/\1 \2 \3/p')

# In CI, the tests again under the sanitizers (clang-14 builds, their own bazel-out
# directories); their test cases are added to the counts. A build failure there is a
# failure here.
san_passed=0 san_failed=0 san_skipped=0
if [ -n "${CI:-}" ]; then
  san_log=$(mktemp)
  scripts/test-sanitizers.sh 2>&1 | tee "$san_log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || count_status=1
  san_passed="" san_failed="" san_skipped=""
  read -r san_passed san_failed san_skipped < <(sed -n \
    's/^sanitizers: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed, \([0-9][0-9]*\) skipped$/\1 \2 \3/p' \
    "$san_log")
  rm -f "$san_log"
fi

# A count that cannot be read is one failure.
echo "$(( ${passed:-0} + ${install_passed:-0} + ${san_passed:-0} )) passed," \
  "$(( ${failed:-1} + ${install_failed:-1} + ${san_failed:-1} )) failed," \
  "$(( ${skipped:-0} + ${san_skipped:-0} )) skipped"

if [ -n "${CI:-}" ]; then
  bazel shutdown >/dev/null 2>&1 || true
fi

if [ "$status" -ne 0 ] || [ "$count_status" -ne 0 ]; then
  exit 1
fi
exit 0
