// Benchmarks of every f32-rmax variant (src/f32-rmax/f32-rmax.inc):
// row maximum, reads 4 B/element.
//
//   bazel build -c opt //bench:f32_rmax_bench
//   taskset -c 1 bazel-bin/bench/f32_rmax_bench --benchmark_min_time=0.2
//
// Sizes, data and counters: see ukernel-bench.h.
#include <stddef.h>

#include <benchmark/benchmark.h>

#include "ukernel-bench.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"

namespace {

using Kernel = twopass::UkernelInfo<twopass_f32_rmax_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-rmax/f32-rmax.inc"
#undef TWOPASS_UKERNEL
};

int Register() {
  twopass::bench::RegisterAll(
      "f32_rmax", kKernels, [](benchmark::State& state, const Kernel& kernel) {
        twopass::bench::Run(state, kernel, twopass::bench::Arrays::kInput,
                            /*bytes_per_element=*/4,
                            [&](size_t batch, float* input, float* output) {
                              float max;
                              kernel.fn(batch, input, &max);
                              benchmark::DoNotOptimize(max);
                              (void)output;
                            });
      });
  return 0;
}

const int kRegistered = Register();

}  // namespace
