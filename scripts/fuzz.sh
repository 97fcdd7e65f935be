#!/usr/bin/env bash
# Builds the libFuzzer fuzzers (test/fuzz/, bazel --config=fuzz: clang-14, asan+ubsan)
# and runs them all at once, each for SECONDS seconds with JOBS parallel jobs (default
# 1), each from a temporary copy of its seed corpus (test/fuzz/corpus/<fuzzer>/; the
# repository's corpora never grow). Prints, per fuzzer,
#   fuzz: <name>: N executions, no finding
# or the finding and the path of the crash file it keeps, then last
#   fuzz: N passed, N failed
# (one case per fuzzer; a finding, a crash, a run that reports no statistics or a
# fuzzer that fails to build is failed). Exit code 0 only when nothing failed.
#
# Usage:
#   scripts/fuzz.sh SECONDS [JOBS]                 build with bazel, then run
#   scripts/fuzz.sh --build-only DIR               build, then copy the three fuzzers, the
#                                                  shared libraries they need that are not
#                                                  glibc's, the seed corpora and this
#                                                  script into DIR
#   scripts/fuzz.sh --run-prebuilt DIR SECONDS JOBS   run the copies in DIR (no bazel, no
#                                                  compiler: x86-64 Linux, glibc >= 2.36)
# Findings are kept under $TWOPASS_FUZZ_ARTIFACTS (default: a new directory in /tmp).
# Extra libFuzzer flags may be given in TWOPASS_FUZZ_FLAGS.
set -uo pipefail

FUZZERS=(api_fuzzer f32_diff_fuzzer f16_diff_fuzzer)

usage() {
  sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

# Builds the fuzzers; prints the bazel-bin directory that holds them.
build() {
  local repo
  repo="$(cd "$(dirname "$0")/.." && pwd)" || return 1
  cd "$repo" || return 1
  local targets=()
  for name in "${FUZZERS[@]}"; do targets+=("//test/fuzz:$name"); done
  bazel build --config=fuzz "${targets[@]}" >&2 || return 1
  echo "$(bazel info --config=fuzz bazel-bin 2>/dev/null)/test/fuzz"
}

# run_all BIN_DIR CORPUS_DIR SECONDS JOBS: runs every fuzzer and prints the lines.
# One fuzzer: runs it, then writes its report lines to $result and "passed" or
# "failed" as the last line.
run_one() {
  local name=$1 bin_dir=$2 corpus_dir=$3 seconds=$4 jobs=$5 artifacts=$6 result=$7
  shift 7
  local extra=("$@")
  local binary="$bin_dir/$name"
  if [ ! -x "$binary" ]; then
    printf 'fuzz: %s: not built\nfailed\n' "$name" > "$result"
    return
  fi
  local work
  work=$(mktemp -d /tmp/twopass-fuzz.XXXXXX)
  mkdir -p "$work/corpus" "$artifacts/$name"
  if [ -d "$corpus_dir/$name" ]; then cp -r "$corpus_dir/$name/." "$work/corpus/"; fi
  local flags=(-max_total_time="$seconds" -print_final_stats=1 -timeout=120
               -artifact_prefix="$artifacts/$name/" "${extra[@]}")
  local status logs=()
  if [ "$jobs" -eq 1 ]; then
    (cd "$work" && timeout -k 10 $((seconds + 300)) "$binary" "${flags[@]}" corpus \
      > "$work/fuzz-0.log" 2>&1)
    status=$?
  else
    (cd "$work" && timeout -k 10 $((seconds + 300)) "$binary" "${flags[@]}" \
      -jobs="$jobs" -workers="$jobs" corpus > "$work/fuzz.log" 2>&1)
    status=$?
  fi
  logs=("$work"/fuzz-*.log)
  local executions=0 reported=0 log
  for log in "${logs[@]}"; do
    [ -f "$log" ] || continue
    local n
    n=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\)$/\1/p' "$log" | tail -1)
    if [ -n "$n" ]; then
      executions=$((executions + n))
      reported=$((reported + 1))
    fi
  done
  local findings
  findings=$(find "$artifacts/$name" -type f 2>/dev/null | sort)
  if [ "$status" -eq 0 ] && [ -z "$findings" ] && [ "$reported" -eq "$jobs" ]; then
    printf 'fuzz: %s: %s executions, no finding\npassed\n' "$name" "$executions" > "$result"
    rm -rf "$work"
    return
  fi
  {
    echo "fuzz: $name: FAILED (exit status $status, $executions executions," \
      "$reported of $jobs job(s) reported statistics); logs kept in $work"
    for log in "${logs[@]}"; do
      [ -f "$log" ] || continue
      grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|FUZZ CHECK FAILED|ERROR: libFuzzer' \
        "$log" | sed "s|^|fuzz: $name: |"
    done
    local file
    for file in $findings; do echo "fuzz: $name: finding kept: $file"; done
    echo failed
  } > "$result"
}

# The fuzzers run at the same time (CI's 2 cores: 60 s of wall time for all three, not
# 180), then report in FUZZERS' order.
run_all() {
  local bin_dir=$1 corpus_dir=$2 seconds=$3 jobs=$4
  local artifacts=${TWOPASS_FUZZ_ARTIFACTS:-}
  if [ -z "$artifacts" ]; then
    artifacts=$(mktemp -d /tmp/twopass-fuzz-findings.XXXXXX)
  fi
  mkdir -p "$artifacts"
  local extra=()
  read -r -a extra <<< "${TWOPASS_FUZZ_FLAGS:-}"
  local results
  results=$(mktemp -d /tmp/twopass-fuzz-results.XXXXXX)
  local name
  for name in "${FUZZERS[@]}"; do
    run_one "$name" "$bin_dir" "$corpus_dir" "$seconds" "$jobs" "$artifacts" \
      "$results/$name" "${extra[@]}" &
  done
  wait
  local passed=0 failed=0
  for name in "${FUZZERS[@]}"; do
    if [ -f "$results/$name" ] && [ "$(tail -n 1 "$results/$name")" = passed ]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      [ -f "$results/$name" ] || echo "fuzz: $name: FAILED (no report)"
    fi
    [ -f "$results/$name" ] && sed '$d' "$results/$name"
  done
  rm -rf "$results"
  rmdir "$artifacts"/* "$artifacts" 2>/dev/null
  echo "fuzz: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

case "${1:-}" in
  --build-only)
    [ $# -eq 2 ] || usage
    mkdir -p "$2" || exit 1
    dest=$(cd "$2" && pwd)
    bin_dir=$(build) || { echo "fuzz: build failed"; exit 1; }
    repo="$(cd "$(dirname "$0")/.." && pwd)"
    for name in "${FUZZERS[@]}"; do
      cp -f "$bin_dir/$name" "$dest/" || exit 1
      # Every shared library the fuzzer loads, except glibc's own (libc, libm,
      # libpthread, libdl, librt, the loader), which any x86-64 Linux has.
      ldd "$bin_dir/$name" | awk '/=> \// { print $3 }' | while read -r lib; do
        case "$(basename "$lib")" in
          libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*|libresolv.so.*) ;;
          *) cp -fL "$lib" "$dest/" ;;
        esac
      done
    done
    rm -rf "$dest/corpus"
    cp -r "$repo/test/fuzz/corpus" "$dest/corpus"
    cp -f "$0" "$dest/fuzz.sh"
    echo "fuzz: copied to $dest:" $(cd "$dest" && ls)
    echo "fuzz: run there with: $dest/fuzz.sh --run-prebuilt $dest SECONDS JOBS"
    ;;
  --run-prebuilt)
    [ $# -eq 4 ] && is_count "$3" && is_count "$4" || usage
    dir=$(cd "$2" && pwd) || exit 1
    export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    # Symbolized reports when an llvm-symbolizer is at hand; raw addresses otherwise.
    run_all "$dir" "$dir/corpus" "$3" "$4"
    ;;
  -h|--help|"")
    usage
    ;;
  *)
    seconds=$1
    jobs=${2:-1}
    is_count "$seconds" && is_count "$jobs" && [ $# -le 2 ] || usage
    bin_dir=$(build)
    if [ $? -ne 0 ]; then
      for name in "${FUZZERS[@]}"; do echo "fuzz: $name: FAILED TO BUILD"; done
      echo "fuzz: 0 passed, ${#FUZZERS[@]} failed"
      exit 1
    fi
    repo="$(cd "$(dirname "$0")/.." && pwd)"
    export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-14/bin/llvm-symbolizer}
    run_all "$bin_dir" "$repo/test/fuzz/corpus" "$seconds" "$jobs"
    ;;
esac
