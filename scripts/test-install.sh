#!/usr/bin/env bash
# The whole path of a project that uses TwoPass: CMake configure + build (library
# only, -O2, ninja) + install into a temporary prefix, then build the examples against
# the installed files with pkg-config (examples/Makefile) and with find_package
# (examples/CMakeLists.txt), and run them. The prefix given to `cmake --install` is not
# the configured one, so the installed pkg-config file and CMake package must be
# relocatable. Prints `install: N passed, N failed` last; exit code 0 only when
# nothing failed. Usage: scripts/test-install.sh [--keep] (keep the temporary folder)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)

keep=0
[ "${1:-}" = "--keep" ] && keep=1
work=$(mktemp -d "${TMPDIR:-/tmp}/twopass-install.XXXXXX")
if [ "$keep" -eq 0 ]; then trap 'rm -rf "$work"' EXIT; else echo "install: keeping $work"; fi
prefix="$work/prefix"

passed=0 failed=0 blocked=0
# check NAME COMMAND...: runs COMMAND with its output in a log, shown only on failure.
# After a failed step that later ones need (blocked=1), those count as failed unrun.
check() {
  local name="$1"; shift
  if [ "$blocked" -ne 0 ]; then
    echo "install: FAIL $name (not run: an earlier step failed)"
    failed=$((failed + 1)); return 1
  fi
  local log="$work/log.$((passed + failed))"
  if "$@" > "$log" 2>&1; then
    echo "install: ok   $name"
    passed=$((passed + 1)); return 0
  fi
  echo "install: FAIL $name: $*"
  tail -n 30 "$log" | sed 's/^/    /'
  failed=$((failed + 1)); return 1
}

start=$(date +%s)

# ---- The library ---------------------------------------------------------------
check "cmake configure (library only)" \
  cmake -S "$root" -B "$work/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DTWOPASS_BUILD_TESTS=OFF -DTWOPASS_BUILD_BENCHMARKS=OFF \
    -DCMAKE_INSTALL_PREFIX=/nonexistent/configured-prefix || blocked=1
check "cmake build" cmake --build "$work/build" || blocked=1
check "cmake install --prefix $prefix" cmake --install "$work/build" --prefix "$prefix" ||
  blocked=1

libdir=$(cd "$prefix" 2>/dev/null && dirname "$(find . -name twopass.pc | head -n 1)")
libdir="$prefix/${libdir%/pkgconfig}"
installed_files() {
  local missing=0
  for file in "$prefix/include/twopass.h" "$libdir/libtwopass.a" "$libdir/libtwopass.so" \
              "$libdir/libtwopass.so.0" "$libdir/pkgconfig/twopass.pc" \
              "$libdir/cmake/twopass/twopassConfig.cmake" \
              "$libdir/cmake/twopass/twopassConfigVersion.cmake"; do
    [ -e "$file" ] || { echo "missing: $file"; missing=1; }
  done
  # libtwopass.so -> libtwopass.so.0 -> libtwopass.so.MAJOR.MINOR.PATCH
  [ "$(readlink "$libdir/libtwopass.so")" = "libtwopass.so.0" ] || { echo "bad symlink"; missing=1; }
  return "$missing"
}
check "installed files" installed_files || blocked=1
library_blocked=$blocked
check "shared library exports only the public API" \
  python3 scripts/public-symbols.py check include/twopass.h "$libdir/libtwopass.so"

# ---- Examples with pkg-config (plain make) -------------------------------------
blocked=$library_blocked
mkdir -p "$work/pkg-config"
check "examples: make with pkg-config" \
  env PKG_CONFIG_PATH="$libdir/pkgconfig" make -C examples OUT="$work/pkg-config" \
    CFLAGS="-O2 -Wall -Wextra -Werror -std=c99" CXXFLAGS="-O2 -Wall -Wextra -Werror" ||
  blocked=1
check "examples: run example_c (pkg-config)" "$work/pkg-config/example_c"
check "examples: run example_cc (pkg-config)" "$work/pkg-config/example_cc"

# ---- Examples with find_package (CMake) ----------------------------------------
blocked=$library_blocked
check "examples: cmake find_package(twopass)" \
  cmake -S examples -B "$work/examples" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" \
    -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" || blocked=1
check "examples: cmake build" cmake --build "$work/examples" || blocked=1
check "examples: run example_c (find_package)" "$work/examples/example_c"
check "examples: run example_cc (find_package)" "$work/examples/example_cc"
check "examples: run example_c_static (find_package, libtwopass.a)" \
  "$work/examples/example_c_static"

echo "install: took $(( $(date +%s) - start )) s"
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
