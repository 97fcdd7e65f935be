#!/usr/bin/env bash
# Installs every Debian package TwoPass needs to build, test and benchmark.
# Idempotent: packages already present are skipped; waits for the apt lock.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap
  build-essential
  python3
  python3-matplotlib
  pkg-config
  cmake
  ninja-build
  libcpuinfo-dev
  libpthreadpool-dev
  libfp16-dev
  libfxdiv-dev
  libpsimd-dev
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  libsimde-dev
  llvm-16
  python3-dev
  python3-numpy
  python3-pip
  python3-pybind11
  pybind11-dev
  python3-pytest
  python3-setuptools
  python3-torch
  # Sanitizer and fuzzer builds (.bazelrc --config=asan/tsan/fuzz): clang, its sanitizer
  # runtimes and libFuzzer (libclang-rt-14-dev), llvm-symbolizer for readable reports.
  clang-14
  libclang-rt-14-dev
  llvm-14
  # The MPI example of sharded rows (examples/mpi-softmax.c, //test:mpi_softmax_test).
  openmpi-bin
  libopenmpi-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}"
