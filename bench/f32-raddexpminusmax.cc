// Benchmarks of every f32-raddexpminusmax variant
// (src/f32-raddexpminusmax/f32-raddexpminusmax.inc):
// sum of exp(x - max), reads 4 B/element.
//
//   bazel build -c opt //bench:f32_raddexpminusmax_bench
//   taskset -c 1 bazel-bin/bench/f32_raddexpminusmax_bench --benchmark_min_time=0.2
//
// Sizes, data and counters: see ukernel-bench.h.
#include <stddef.h>

#include <benchmark/benchmark.h>

#include "ukernel-bench.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"

namespace {

using Kernel = twopass::UkernelInfo<twopass_f32_raddexpminusmax_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-raddexpminusmax/f32-raddexpminusmax.inc"
#undef TWOPASS_UKERNEL
};

int Register() {
  twopass::bench::RegisterAll(
      "f32_raddexpminusmax", kKernels, [](benchmark::State& state, const Kernel& kernel) {
        twopass::bench::Run(state, kernel, twopass::bench::Arrays::kInput,
                            /*bytes_per_element=*/4,
                            [&](size_t batch, float* input, float* output) {
                              float sum;
                              kernel.fn(batch, input, &sum, 10.0f);
                              benchmark::DoNotOptimize(sum);
                              (void)output;
                            });
      });
  return 0;
}

const int kRegistered = Register();

}  // namespace
