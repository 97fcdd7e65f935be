// Benchmarks of every f32-vscaleextexp variant (src/f32-vscaleextexp/f32-vscaleextexp.inc):
// exp(x) * scale with an extended-exponent scale, reads and writes 4 B/element
// each; input and output rows together rotate over 256 MiB.
//
//   bazel build -c opt //bench:f32_vscaleextexp_bench
//   taskset -c 1 bazel-bin/bench/f32_vscaleextexp_bench --benchmark_min_time=0.2
//
// Sizes, data and counters: see ukernel-bench.h.
#include <stddef.h>

#include <benchmark/benchmark.h>

#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-bench.h"

namespace {

using Kernel = twopass::UkernelInfo<twopass_f32_vscaleextexp_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscaleextexp/f32-vscaleextexp.inc"
#undef TWOPASS_UKERNEL
};

int Register() {
  twopass::bench::RegisterAll(
      "f32_vscaleextexp", kKernels, [](benchmark::State& state, const Kernel& kernel) {
        twopass::bench::Run(state, kernel, twopass::bench::Arrays::kInputOutputPair,
                            /*bytes_per_element=*/8,
                            [&](size_t batch, float* input, float* output) {
                              // A softmax-like scale: 1/m and -e for a row whose sum
                              // is about 2^14.
                              kernel.fn(batch, input, output, /*scale_mantissa=*/0.75f,
                                        /*scale_exponent=*/-14.0f);
                            });
      });
  return 0;
}

const int kRegistered = Register();

}  // namespace
