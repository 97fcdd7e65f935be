#!/usr/bin/env bash
# The MPI example of sharded rows (examples/mpi-softmax.c): 4 ranks of one machine,
# each holding a quarter of a 2^24-float row, exchange one 8-byte pair and finish their
# quarter; rank 0 checks the result against the one-process softmax.
#   scripts/run-mpi-example.sh [NP] [N]
# Needs openmpi-bin and libopenmpi-dev (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bazel build //:shared/libtwopass.so
exec examples/mpi-softmax.sh bazel-bin/shared/libtwopass.so include "${1:-4}" "${2:-}"
