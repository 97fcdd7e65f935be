#!/usr/bin/env bash
# LLVM's static throughput model (llvm-mca-16) of every AVX2 and AVX512F kernel's
# main loop: cycles per loop iteration and per 16 elements, per CPU model
# (AVX512F: znver4, icelake-server, skylake-avx512; AVX2: znver3, znver4, skylake).
# Needs no AVX512 machine. Each kernel is compiled with the build's flags
# (build_defs.bzl ISA_COPTS + Bazel's -c opt flags) to assembly; nothing is changed
# in the generated code. How the loop is chosen: scripts/mca-kernels.py.
#
#   scripts/mca-kernels.sh                      every AVX2 and AVX512F kernel
#   scripts/mca-kernels.sh raddextexp vscale    kernels whose symbol/file contains a word
#   scripts/mca-kernels.sh --isa avx512f --json FILE --show-asm
#   scripts/mca-kernels.sh --self-test          quick check of the loop extraction
#   scripts/mca-kernels.sh --help               every option
#
# llvm-mca-16 comes from Debian's llvm-16 (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/python3 ]; then
  echo "mca-kernels: /usr/bin/python3 not found; run scripts/setup.sh" >&2
  exit 1
fi
self_test=0
for arg in "$@"; do
  case "$arg" in --self-test) self_test=1 ;; esac
done
# The self-test checks the extraction without llvm; everything else needs it.
if [ "$self_test" = 0 ]; then
  for tool in "${LLVM_MCA:-llvm-mca-16}" "${CXX:-g++}"; do
    if ! command -v "$tool" > /dev/null; then
      echo "mca-kernels: $tool not found; run scripts/setup.sh (Debian packages llvm-16, build-essential)" >&2
      exit 1
    fi
  done
fi
exec /usr/bin/python3 scripts/mca-kernels.py "$@"
