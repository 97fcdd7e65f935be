#!/usr/bin/env bash
# TwoPass side by side with its peers, in two programs run one after the other:
# - bench/peers.cc (//bench:peers_bench): XNNPACK's softmax operator and oneDNN's softmax
#   primitive against TwoPass in C++. Installs Debian's libxnnpack-dev and libdnnl-dev
#   when they are missing and builds the target with `bazel build -c opt`.
# - bench/peers_torch.py: PyTorch's torch.softmax against TwoPass through C and through
#   Python (the `twopass` package, built in place with CMake for Debian's
#   /usr/bin/python3), plus the binding's per-call overhead. Without PyTorch
#   (python3-torch, installed by scripts/setup.sh) it says so and measures TwoPass alone.
# Not part of scripts/test.sh, scripts/bench.sh or CI: nothing else needs these packages.
#
#   scripts/bench-peers.sh                         every shape; 1 thread (peers_bench),
#                                                  1 thread and all cores (peers_torch)
#   scripts/bench-peers.sh --shapes 1x2^26,1000x128 --threads 1,all
#   scripts/bench-peers.sh --contenders twopass-c,twopass-python,torch,twopass-python-alloc,torch-alloc
#                                                  the PyTorch side only
#   scripts/bench-peers.sh --csv > peers.csv       one CSV (peers_bench's columns)
#   scripts/bench-peers.sh --help                  every option of both programs
#
# Options are passed to both programs, with these rules: --threads takes a comma-separated
# list of counts or `all` (every core): peers_bench runs once per count (its tables one
# after the other), peers_torch takes the list; --contenders names the contenders of
# either program, and each runs its own (a program with none asked for is skipped, and so
# is the peers_bench build); --overhead-shapes goes to peers_torch only.
#
# Set TWOPASS_BENCH_CPU=N to pin the run to CPU N with taskset (recommended for
# single-thread figures: pick a core nothing else runs on).
set -euo pipefail
cd "$(dirname "$0")/.."

TORCH_CONTENDERS=",twopass-c,twopass-python,torch,twopass-python-alloc,torch-alloc,"
PYTHON=/usr/bin/python3

# Split the arguments: common ones, the thread list, the contender lists, torch-only ones.
common=() torch_only=() threads="" contenders="" help=0 csv=0
while [ $# -gt 0 ]; do
  arg="$1"
  case "$arg" in
    -t|--threads) threads="${2:?$arg needs a value}"; shift 2 ;;
    --threads=*) threads="${arg#*=}"; shift ;;
    -c|--contenders) contenders="${2:?$arg needs a value}"; shift 2 ;;
    --contenders=*) contenders="${arg#*=}"; shift ;;
    --overhead-shapes) torch_only+=("$arg" "${2?$arg needs a value}"); shift 2 ;;
    --overhead-shapes=*) torch_only+=("$arg"); shift ;;
    -h|--help) help=1; shift ;;
    --csv) csv=1; common+=("$arg"); shift ;;
    *) common+=("$arg"); shift ;;
  esac
done

cpp_contenders="" py_contenders="" run_cpp=1 run_py=1
if [ -n "$contenders" ]; then
  IFS=, read -r -a names <<< "$contenders"
  for name in "${names[@]}"; do
    if [[ "$TORCH_CONTENDERS" == *",$name,"* ]]; then
      py_contenders+="${py_contenders:+,}$name"
    else
      cpp_contenders+="${cpp_contenders:+,}$name"
    fi
  done
  [ -n "$cpp_contenders" ] || run_cpp=0
  [ -n "$py_contenders" ] || run_py=0
fi
cpp_threads=(1)
if [ -n "$threads" ]; then
  cpp_threads=()
  IFS=, read -r -a counts <<< "$threads"
  for count in "${counts[@]}"; do
    if [ "$count" = all ]; then count=$(nproc); fi
    cpp_threads+=("$count")
  done
fi

pin=()
if [ -n "${TWOPASS_BENCH_CPU:-}" ]; then
  pin=(taskset -c "$TWOPASS_BENCH_CPU")
fi

# Installs what is missing; where that fails (offline), goes on with what is installed:
# peers_torch then says what it lacks.
scripts/setup.sh >&2 ||
  echo "bench-peers: scripts/setup.sh failed; going on with the packages installed" >&2

if [ "$run_cpp" -eq 1 ]; then
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
    $SUDO apt-get -o DPkg::Lock::Timeout=900 update -q >&2
    $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q "${missing[@]}" >&2
  fi
  bazel build -c opt //bench:peers_bench >&2
  bin="$(bazel info -c opt bazel-bin 2> /dev/null)/bench/peers_bench"
  if [ "$help" -eq 1 ]; then
    "$bin" --help
  else
    first=1
    for count in "${cpp_threads[@]}"; do
      args=("${common[@]}" --threads "$count")
      [ -z "$cpp_contenders" ] || args+=(--contenders "$cpp_contenders")
      if [ "$csv" -eq 1 ] && [ "$first" -eq 0 ]; then
        "${pin[@]}" "$bin" "${args[@]}" | tail -n +2  # one CSV header in all
      else
        "${pin[@]}" "$bin" "${args[@]}"
      fi
      first=0
    done
  fi
fi

if [ "$run_py" -eq 1 ]; then
  # The extension module, built in place as scripts/test.sh builds it (same directory).
  if ! { cmake -S python -B python/build/cmake-tests -G Ninja -DCMAKE_BUILD_TYPE=Release \
           -DPYTHON_EXECUTABLE="$PYTHON" > /dev/null &&
         cmake --build python/build/cmake-tests --target _twopass > /dev/null; }; then
    echo "bench-peers: the twopass Python module did not build; PyTorch rows left out" >&2
    exit 1
  fi
  args=("${common[@]}" "${torch_only[@]}")
  [ -z "$threads" ] || args+=(--threads "$threads")
  [ -z "$py_contenders" ] || args+=(--contenders "$py_contenders")
  [ "$help" -eq 0 ] || args=(--help)
  if [ "$csv" -eq 1 ] && [ "$run_cpp" -eq 1 ]; then
    PYTHONPATH="$(pwd)/python" "${pin[@]}" "$PYTHON" bench/peers_torch.py "${args[@]}" |
      tail -n +2  # peers_bench printed the header
  else
    PYTHONPATH="$(pwd)/python" "${pin[@]}" "$PYTHON" bench/peers_torch.py "${args[@]}"
  fi
fi
