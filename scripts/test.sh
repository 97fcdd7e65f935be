#!/usr/bin/env bash
# Builds and runs every test with Bazel (offline), the install test
# (scripts/test-install.sh) and the Python package's pytest suite (python/tests); in CI
# (env CI set) also the operator and kernel tests under asan+ubsan and the threading
# tests under tsan (scripts/test-sanitizers.sh), and each fuzzer for 60 s
# (scripts/fuzz.sh). Then prints the closing line `N passed, N failed, N skipped`
# counting test cases, install checks, Python and sanitizer test cases and fuzzers. Exit code 0 only when nothing failed. Extra arguments are
# passed to the plain `bazel test`.
set -uo pipefail
cd "$(dirname "$0")/.."

# Installs whatever is missing; a no-op (under a second) when all is present.
scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
install_log=$(mktemp)
trap 'rm -f "$log" "$install_log"' EXIT

# Seconds each part took, printed before the closing line (where CI time goes).
times="" mark=$SECONDS
took() { times+="${times:+, }$1 $((SECONDS - mark)) s"; mark=$SECONDS; }

bazel test //... "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
took bazel

counts=$(python3 scripts/count-tests.py "$log" "$(bazel info bazel-testlogs 2>/dev/null)")
count_status=$?

# Then the path of a project that links TwoPass: CMake build, install into a temporary
# prefix, examples built with pkg-config and find_package and run. Its checks are
# added to the counts.
scripts/test-install.sh 2>&1 | tee "$install_log"
[ "${PIPESTATUS[0]}" -eq 0 ] || count_status=1
read -r install_passed install_failed < <(sed -n \
  's/^install: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$install_log")
took install
read -r passed failed skipped < <(echo "$counts" | sed -n \
  's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed, \([0-9][0-9]*\) skipped$/\1 \2 \3/p')

# Then the Python package (python/): the extension module built in place with CMake for
# Debian's Python (/usr/bin/python3, never a pyenv one first on PATH) and the pytest suite
# in python/tests. Its test cases (JUnit XML) are added to the counts; a build that fails,
# a pytest that cannot run or reports nothing, or a pytest exit code that its report
# does not explain counts as one failure.
py_passed=0 py_failed=1 py_skipped=0
py_xml=$(mktemp --suffix=.xml)
trap 'rm -f "$log" "$install_log" "$py_xml"' EXIT
if cmake -S python -B python/build/cmake-tests -G Ninja -DCMAKE_BUILD_TYPE=Release \
     -DPYTHON_EXECUTABLE=/usr/bin/python3 >/dev/null &&
   cmake --build python/build/cmake-tests --target _twopass; then
  PYTHONPATH="$(pwd)/python${PYTHONPATH:+:$PYTHONPATH}" /usr/bin/python3 -m pytest -q \
    -p no:cacheprovider --junitxml="$py_xml" python/tests 2>&1
  py_status=$?
  read -r py_passed py_failed py_skipped < <(/usr/bin/python3 - "$py_xml" "$py_status" <<'PY'
import sys
import xml.etree.ElementTree as ET
path, status = sys.argv[1], int(sys.argv[2])
try:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    passed = tests - failed - skipped
except (OSError, ET.ParseError, ValueError):
    passed, failed, skipped = 0, 1, 0
if (status != 0 and failed == 0) or passed + failed + skipped == 0:
    failed += 1
print(passed, failed, skipped)
PY
  )
  echo "python: ${py_passed:-0} passed, ${py_failed:-1} failed, ${py_skipped:-0} skipped"
else
  echo "python: the extension module did not build"
fi
[ "${py_failed:-1}" -eq 0 ] || count_status=1
took python

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
  took sanitizers
fi

# In CI, the fuzzers (test/fuzz/, clang-14 libFuzzer + asan/ubsan builds in their own
# bazel-out directory) for 60 s each from their seed corpora: one case per fuzzer, a
# finding or a build failure is a failure (scripts/fuzz.sh prints where the crash
# file is kept).
fuzz_passed=0 fuzz_failed=0
if [ -n "${CI:-}" ]; then
  fuzz_log=$(mktemp)
  scripts/fuzz.sh 60 2>&1 | tee "$fuzz_log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || count_status=1
  fuzz_passed="" fuzz_failed=""
  read -r fuzz_passed fuzz_failed < <(sed -n \
    's/^fuzz: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$fuzz_log")
  rm -f "$fuzz_log"
  took fuzz
fi
echo "test.sh: time per part: $times (total $SECONDS s)"

# A count that cannot be read is one failure.
echo "$(( ${passed:-0} + ${install_passed:-0} + ${py_passed:-0} + ${san_passed:-0} +
          ${fuzz_passed:-0} )) passed," \
  "$(( ${failed:-1} + ${install_failed:-1} + ${py_failed:-1} + ${san_failed:-1} +
       ${fuzz_failed:-1} )) failed," \
  "$(( ${skipped:-0} + ${py_skipped:-0} + ${san_skipped:-0} )) skipped"

if [ -n "${CI:-}" ]; then
  bazel shutdown >/dev/null 2>&1 || true
fi

if [ "$status" -ne 0 ] || [ "$count_status" -ne 0 ]; then
  exit 1
fi
exit 0
