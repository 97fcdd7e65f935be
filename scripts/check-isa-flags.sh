#!/usr/bin/env bash
# Verifies with `bazel aquery` that ISA flags (-msse2/-mavx*/-mfma/-mf16c) reach
# only the generated kernel files of that ISA, and that every other C++ file of
# the library is compiled without them. The one deliberate exception: the
# emulated-AVX512F test libraries (build_defs.bzl, <family>_avx512f_emulated)
# compile the avx512f kernel files with the AVX2 flags, -mno-avx512f and the
# SIMDe shim (-Ithird_party/simde-shim); the shim must reach nothing else.
# Exit 1 on any violation, or when aquery fails or finds no kernel compile.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
if ! bazel aquery 'mnemonic("CppCompile", deps(//...))' --output=text > "$out" 2> "$err"; then
  cat "$err" >&2
  echo "check-isa-flags: bazel aquery failed"
  exit 1
fi

python3 - "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
AVX2 = {"-mavx2", "-mfma", "-mf16c"}
EXPECTED = {
    None: set(), "scalar": set(), "sse2": {"-msse2"},
    "avx2": AVX2,
    "avx512f": {"-mavx512f"} | AVX2,
}
SHIM = "-Ithird_party/simde-shim"
bad = 0
checked = kernels = emulated = 0
for action in text.split("\naction ")[1:]:
    # aquery prints one argument per line, joined by " \" continuations.
    command = re.sub(r"\s*\\\n\s*", " ", action)
    src = re.search(r" -c (\S+\.(?:cc|c))\b", command)
    if not src:
        continue
    path = src.group(1)
    enabled = set(re.findall(r"-m(?:sse\d?|avx\w*|fma|f16c)\b", command))
    m = re.search(r"/gen/[\w-]+?-(scalar|sse2|avx2|avx512f)-", path)
    isa = m.group(1) if m else None
    # Tools may compile their own per-ISA files (e.g. the bandwidth-floor kernels).
    if isa is None and re.search(r"-(avx512f|avx2|sse2)\.cc$", path):
        continue
    checked += 1
    kernels += isa is not None
    if SHIM in command:
        emulated += 1
        if isa != "avx512f" or enabled != AVX2 or " -mno-avx512f " not in command + " ":
            bad += 1
            print(f"{path}: SIMDe shim with ISA flags {sorted(enabled)}; only avx512f kernel "
                  f"files may use it, with {sorted(AVX2)} and -mno-avx512f")
        continue
    if enabled != EXPECTED[isa]:
        bad += 1
        print(f"{path}: ISA flags {sorted(enabled)}, expected {sorted(EXPECTED[isa])}")
print(f"check-isa-flags: {checked} compile actions checked ({kernels} kernel files, "
      f"{emulated} of them emulated avx512f), {bad} with unexpected ISA flags")
if kernels == 0:
    print("check-isa-flags: no kernel compile action found; aquery output not understood")
    bad += 1
sys.exit(1 if bad else 0)
PY
