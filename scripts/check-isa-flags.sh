#!/usr/bin/env bash
# Verifies with `bazel aquery` that ISA flags (-msse2/-mavx*/-mfma/-mf16c) reach
# only the generated kernel files of that ISA, and that every other C++ file of
# the library is compiled without them. Exit 1 on any violation.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp)
trap 'rm -f "$out"' EXIT
bazel aquery 'mnemonic("CppCompile", deps(//...))' --output=text 2>/dev/null > "$out"

python3 - "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
bad = 0
checked = 0
for action in text.split("\naction ")[1:]:
    src = re.search(r"-c (\S+\.(?:cc|c))", action)
    if not src:
        continue
    path = src.group(1)
    flags = set(re.findall(r"-m(?:sse\d?|avx\w*|fma|f16c)\b", action))
    flags = {f for f in flags if not f.startswith("-mno-")}
    m = re.search(r"/gen/[\w-]+?-(scalar|sse2|avx2|avx512f)-", path)
    isa = m.group(1) if m else None
    expected = {
        None: set(), "scalar": set(), "sse2": {"-msse2"},
        "avx2": {"-mavx2", "-mfma", "-mf16c"},
        "avx512f": {"-mavx512f", "-mavx2", "-mfma", "-mf16c"},
    }
    # Tools may compile their own per-ISA files (e.g. the bandwidth-floor kernels).
    if isa is None and re.search(r"-(avx512f|avx2|sse2)\.cc$", path):
        continue
    checked += 1
    if flags != expected[isa]:
        bad += 1
        print(f"{path}: ISA flags {sorted(flags)}, expected {sorted(expected[isa])}")
print(f"check-isa-flags: {checked} compile actions checked, {bad} with unexpected ISA flags")
sys.exit(1 if bad else 0)
PY
