#!/usr/bin/env bash
# Checks docs/integration.md's Bazel recipe: a workspace outside this checkout that
# depends on @twopass//:twopass (static) and @twopass//:shared/libtwopass.so builds,
# and a program that runs softmax through it gives the right answer.
# Uses its own Bazel server (shut down at the end); about a minute when cold.
# Usage: scripts/test-bazel-consumer.sh [WORK_DIR]   (default: $TMPDIR/twopass-bazel-consumer,
# kept between runs so that Bazel's cache is reused)
set -euo pipefail
cd "$(dirname "$0")/.."
twopass=$(pwd)
work="${1:-${TMPDIR:-/tmp}/twopass-bazel-consumer}"
mkdir -p "$work"
cd "$work"
trap 'bazel shutdown > /dev/null 2>&1 || true' EXIT

# ---- The lines of docs/integration.md ("Bazel"), with the checkout's path ------
cat > WORKSPACE <<EOF
workspace(name = "consumer")

TWOPASS = "$twopass"

local_repository(name = "twopass", path = TWOPASS)

# Bazel 4 asks for these even for C++-only builds; TwoPass's stubs answer offline.
local_repository(name = "rules_cc", path = TWOPASS + "/third_party/stubs/rules_cc")
local_repository(name = "rules_java", path = TWOPASS + "/third_party/stubs/rules_java")
local_repository(name = "remote_coverage_tools", path = TWOPASS + "/third_party/stubs/remote_coverage_tools")

# TwoPass's dependencies: Debian's packages, with TwoPass's BUILD files.
new_local_repository(name = "cpuinfo", path = "/usr", build_file = "@twopass//third_party:cpuinfo.BUILD")
new_local_repository(name = "pthreadpool", path = "/usr", build_file = "@twopass//third_party:pthreadpool.BUILD")
new_local_repository(name = "FP16", path = "/usr", build_file = "@twopass//third_party:FP16.BUILD")
EOF

cat > .bazelrc <<'EOF'
build --experimental_repository_disable_download
build --nosandbox_debug
build --cxxopt=-std=c++17
build --host_cxxopt=-std=c++17
build --incompatible_strict_action_env
EOF

cat > BUILD.bazel <<'EOF'
cc_binary(
    name = "softmax_demo",
    srcs = ["softmax_demo.c"],
    deps = [
        "@pthreadpool",
        "@twopass//:twopass",
    ],
)
EOF

# ---- A program: softmax of two rows on a two-thread pool -----------------------
cat > softmax_demo.c <<'EOF'
#include <math.h>
#include <stdio.h>

#include <pthreadpool.h>
#include <twopass.h>

int main(void) {
  const float x[6] = {1, 2, 3, 14, 15, 16};
  float y[6];
  if (twopass_initialize() != twopass_status_success) return 1;
  pthreadpool_t pool = pthreadpool_create(2);
  if (pool == NULL) return 1;
  const enum twopass_status status = twopass_run_softmax_nc_f32(3, 3, 3, 2, x, y, 0, pool);
  pthreadpool_destroy(pool);
  if (status != twopass_status_success) return 1;
  /* Both rows are softmax([0, 1, 2]). */
  const double sum = 1.0 + exp(1.0) + exp(2.0);
  for (int i = 0; i < 6; i++) {
    const double r = exp(i % 3) / sum;
    if (!(fabs(y[i] - r) <= 1e-6 * r)) {
      printf("y[%d] = %.9g, expected %.9g\n", i, y[i], r);
      return 1;
    }
  }
  printf("softmax_demo: OK (twopass %u, %s)\n", (unsigned) twopass_version(),
         twopass_isa_name());
  return 0;
}
EOF

bazel run //:softmax_demo
bazel build @twopass//:shared/libtwopass.so
python3 "$twopass/scripts/public-symbols.py" check "$twopass/include/twopass.h" \
  "$(bazel info bazel-bin)/external/twopass/shared/libtwopass.so"
echo "bazel consumer: OK"
