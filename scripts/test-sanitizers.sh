#!/usr/bin/env bash
# Runs the operator and kernel tests under AddressSanitizer + UndefinedBehaviorSanitizer
# (bazel --config=asan) and the threading tests under ThreadSanitizer (--config=tsan),
# both built with clang-14 (.bazelrc; docs/testing.md). Prints, per sanitizer, the
# closing line of scripts/count-tests.py prefixed with its name, then
# `sanitizers: N passed, N failed, N skipped` last. A target that fails to build, or a
# run in which nothing reported a status, counts as a failure. Exit code 0 only when
# nothing failed. Usage: scripts/test-sanitizers.sh [asan|tsan]... (default: both);
# extra `bazel test` arguments go in TWOPASS_SANITIZER_BAZEL_ARGS.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

# asan: every test target but these, each left out for a reason:
# - //test:softmax_nc_long_row_test: one 2^26-element row (512 MiB of buffers plus
#   shadow); its code paths (chunks, scratch) are those of the threading and accuracy
#   tests at smaller sizes.
# - //test:shared_library_symbols_test, //tools:*: checks of the build (exported
#   symbols, generated files), not of the library's memory behaviour.
# - //test:softmax_nc_output_hash_test: hashes recorded from the gcc build; a clang
#   build may round differently. Its shapes run in the operator tests above.
# - //test:mpi_softmax_test: links the shared library into a program built with mpicc,
#   without the sanitizer runtimes; the calls it makes run in //test:softmax_partial_test.
# The *_avx512f_emulated_test targets stay: they run the AVX512F kernels' tails
# against guard pages on machines without AVX512F.
ASAN_TARGETS=(
  //test:all
  -//test:softmax_nc_long_row_test
  -//test:shared_library_symbols_test
  -//test:softmax_nc_output_hash_test
  -//test:mpi_softmax_test
)
# tsan: the threading tests (pools of 1..8 threads, split rows, std::threads). They
# link test/tsan-pthreadpool.cc, which the other operator tests do not.
TSAN_TARGETS=(
  //test:softmax_nc_threading_test
  //test:softmax_nc_concurrency_test
)

sanitizers=("$@")
[ ${#sanitizers[@]} -eq 0 ] && sanitizers=(asan tsan)
read -r -a extra_args <<< "${TWOPASS_SANITIZER_BAZEL_ARGS:-}"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
total_passed=0 total_failed=0 total_skipped=0 status=0
for sanitizer in "${sanitizers[@]}"; do
  case "$sanitizer" in
    asan) targets=("${ASAN_TARGETS[@]}") ;;
    tsan) targets=("${TSAN_TARGETS[@]}") ;;
    *) echo "test-sanitizers: unknown sanitizer '$sanitizer' (asan or tsan)"; exit 2 ;;
  esac
  start=$(date +%s)
  bazel test --config="$sanitizer" "${extra_args[@]}" -- "${targets[@]}" 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  testlogs=$(bazel info --config="$sanitizer" bazel-testlogs 2>/dev/null)
  counts=$(python3 scripts/count-tests.py "$log" "$testlogs") || status=1
  read -r passed failed skipped < <(echo "$counts" | sed -n \
    's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed, \([0-9][0-9]*\) skipped$/\1 \2 \3/p')
  # A count that cannot be read is one failure.
  passed=${passed:-0} failed=${failed:-1} skipped=${skipped:-0}
  [ "$failed" -eq 0 ] || status=1
  echo "$sanitizer: $passed passed, $failed failed, $skipped skipped" \
    "($(( $(date +%s) - start )) s)"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
done
echo "sanitizers: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$status"
