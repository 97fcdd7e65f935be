#!/usr/bin/env bash
# TwoPass side by side with XNNPACK's softmax operator and oneDNN's softmax
# primitive (bench/peers.cc). Installs Debian's libxnnpack-dev and libdnnl-dev
# when they are missing, builds //bench:peers_bench with optimizations and runs
# it with the arguments given. Not part of scripts/test.sh, scripts/bench.sh or
# CI: nothing else needs these packages.
#
#   scripts/bench-peers.sh                               every shape, 1 thread
#   scripts/bench-peers.sh --shapes 1x2^26,1000x128 --threads 2
#   scripts/bench-peers.sh --csv > peers.csv
#   scripts/bench-peers.sh --help                        every option
#
# Set TWOPASS_BENCH_CPU=N to pin the run to CPU N with taskset (recommended for
# single-thread figures: pick a core nothing else runs on).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

PACKAGES=(libxnnpack-dev libdnnl-dev)
missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg -s "$pkg" 2> /dev/null | grep -q "^Status: install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench-peers: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -q
  $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q "${missing[@]}"
fi

bazel build -c opt //bench:peers_bench
bin="$(bazel info -c opt bazel-bin 2> /dev/null)/bench/peers_bench"

pin=()
if [ -n "${TWOPASS_BENCH_CPU:-}" ]; then
  pin=(taskset -c "$TWOPASS_BENCH_CPU")
fi
"${pin[@]}" "$bin" "$@"
