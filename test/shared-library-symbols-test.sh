#!/usr/bin/env bash
# The shared library exports exactly the functions of include/twopass.h (no kernel,
# no C++ internals), has the SONAME libtwopass.so.<MAJOR> and no global constructor.
# A library linked without the version script must fail the same check: that proves
# the check sees kernels when they leak.
# Usage: shared-library-symbols-test.sh PUBLIC_SYMBOLS_PY HEADER LIBRARY UNFILTERED_LIBRARY
set -euo pipefail

checker="$1" header="$2" library="$3" unfiltered="$4"
work="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 "$checker" check "$header" "$library" || fail "$library exports the wrong symbols"

# Independently of the checker: every dynamic symbol starts with twopass_ and none
# is a kernel.
nm -D --defined-only "$library" | awk '$2 != "A" { print $3 }' | sed 's/@.*//' > "$work/exported"
[ -s "$work/exported" ] || fail "$library exports nothing"
if grep -v '^twopass_' "$work/exported"; then fail "symbols without the twopass_ prefix"; fi
if grep 'ukernel' "$work/exported"; then fail "kernels exported"; fi
python3 "$checker" list "$header" | sort > "$work/declared"
sort "$work/exported" | diff -u "$work/declared" - || fail "exported set != declared set"

# Negative control.
if python3 "$checker" check "$header" "$unfiltered" 2> "$work/unfiltered.err"; then
  fail "the check accepted $unfiltered, which exports everything"
fi
grep -q 'ukernel.*exported but internal kernel' "$work/unfiltered.err" ||
  fail "the check did not report the kernels of $unfiltered: $(cat "$work/unfiltered.err")"
echo "PASS: $(wc -l < "$work/exported") public functions exported, kernels hidden"
