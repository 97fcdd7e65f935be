#!/usr/bin/env bash
# The benchmark command: installs what is missing, builds the microbenchmark
# CLI with optimizations and runs it.
#
#   scripts/bench.sh                      default comparison (< 1 minute)
#   scripts/bench.sh --sizes 2^26 --isa avx512f,avx2 --repetitions 21
#   scripts/bench.sh --csv=results.csv    then: scripts/plot-bench.py results.csv
#   scripts/bench.sh --help               every option of twopass-bench
#   scripts/bench.sh --suite [ARGS]       the Google Benchmark suites in bench/
#                                         instead, each run with ARGS (e.g.
#                                         --benchmark_filter=softmax/two_pass)
#
# Set TWOPASS_BENCH_CPU=N to pin the run to CPU N with taskset (recommended
# for single-thread figures on a shared machine). With CI set and no
# arguments, a very short smoke run replaces the default run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

pin=()
if [ -n "${TWOPASS_BENCH_CPU:-}" ]; then
  pin=(taskset -c "$TWOPASS_BENCH_CPU")
fi

finish() {
  if [ -n "${CI:-}" ]; then bazel shutdown > /dev/null 2>&1 || true; fi
}
trap finish EXIT

if [ "${1:-}" = "--suite" ]; then
  shift
  mapfile -t suites < <(bazel query --noshow_progress 'kind("cc_binary", //bench:*) except attr(tags, manual, //bench:*)' 2> /dev/null)
  if [ ${#suites[@]} -eq 0 ]; then
    echo "bench.sh: no benchmark suites found in bench/" >&2
    exit 1
  fi
  bazel build -c opt "${suites[@]}"
  args=("$@")
  if [ -n "${CI:-}" ] && [ ${#args[@]} -eq 0 ]; then
    args=(--benchmark_min_time=0.01)
  fi
  bin="$(bazel info -c opt bazel-bin 2> /dev/null)"
  for suite in "${suites[@]}"; do
    name="${suite#//bench:}"
    echo "== $name"
    "${pin[@]}" "$bin/bench/$name" "${args[@]}"
  done
  exit 0
fi

bazel build -c opt //tools:twopass-bench
bin="$(bazel info -c opt bazel-bin 2> /dev/null)/tools/twopass-bench"
if [ $# -eq 0 ] && [ -n "${CI:-}" ]; then
  set -- --sizes 4096,2^20 --repetitions 3 --total-memory 64M
fi
"${pin[@]}" "$bin" "$@"
