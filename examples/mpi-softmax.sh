#!/usr/bin/env bash
# Builds examples/mpi-softmax.c with mpicc against a TwoPass shared library and runs it
# on NP ranks (default 4) of one machine:
#   examples/mpi-softmax.sh LIBTWOPASS_SO INCLUDE_DIR [NP] [N]
# Used by scripts/run-mpi-example.sh (the README's command) and by
# //test:mpi_softmax_test. Needs Debian's openmpi-bin and libopenmpi-dev
# (scripts/setup.sh).
set -euo pipefail

lib="$1"
include="$2"
np="${3:-4}"
n="${4:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# A short private folder: Open MPI's session directory and sockets live under TMPDIR,
# whose path must stay short (Bazel's test folders are too long).
work="$(mktemp -d /tmp/twopass-mpi.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# The library's SONAME is libtwopass.so.0: link and load it under that name.
cp "$lib" "$work/libtwopass.so.0"
ln -s libtwopass.so.0 "$work/libtwopass.so"
mpicc -O2 -Wall -Wextra -I"$include" "$here/mpi-softmax.c" -o "$work/mpi-softmax" \
  -L"$work" -ltwopass -Wl,-rpath,"$work" -lm

# Root in containers needs --allow-run-as-root; --oversubscribe lets 4 ranks share fewer
# cores. Shared memory between the ranks of one machine (no ptrace single copy, which
# containers often forbid).
export TMPDIR="$work"
export OMPI_MCA_btl_vader_single_copy_mechanism=none
mpirun --allow-run-as-root --oversubscribe -np "$np" "$work/mpi-softmax" $n
