// Benchmarks of every f32-vscaleexpminusmax variant
// (src/f32-vscaleexpminusmax/f32-vscaleexpminusmax.inc):
// exp(x - max) * scale, reads and writes 4 B/element each.
//
//   bazel build -c opt //bench:f32_vscaleexpminusmax_bench
//   taskset -c 1 bazel-bin/bench/f32_vscaleexpminusmax_bench --benchmark_min_time=0.2
//
// Sizes, data and counters: see ukernel-bench.h.
#include <stddef.h>

#include <benchmark/benchmark.h>

#include "ukernel-bench.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"

namespace {

using Kernel = twopass::UkernelInfo<twopass_f32_vscaleexpminusmax_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscaleexpminusmax/f32-vscaleexpminusmax.inc"
#undef TWOPASS_UKERNEL
};

int Register() {
  twopass::bench::RegisterAll(
      "f32_vscaleexpminusmax", kKernels, [](benchmark::State& state, const Kernel& kernel) {
        twopass::bench::Run(state, kernel, twopass::bench::Arrays::kInputOutput,
                            /*bytes_per_element=*/8,
                            [&](size_t batch, float* input, float* output) {
                              kernel.fn(batch, input, output, 10.0f, 1.0e-3f);
                            });
      });
  return 0;
}

const int kRegistered = Register();

}  // namespace
