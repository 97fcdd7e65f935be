// Benchmarks of every f32-raddstoreexpminusmax variant
// (src/f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc):
// exp(x - max) stored and summed, reads and writes 4 B/element each.
//
//   bazel build -c opt //bench:f32_raddstoreexpminusmax_bench
//   taskset -c 1 bazel-bin/bench/f32_raddstoreexpminusmax_bench --benchmark_min_time=0.2
//
// Sizes, data and counters: see ukernel-bench.h.
#include <benchmark/benchmark.h>
#include <math.h>
#include <stddef.h>

#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-bench.h"

namespace {

using Kernel = twopass::UkernelInfo<twopass_f32_raddstoreexpminusmax_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc"
#undef TWOPASS_UKERNEL
};

int Register() {
  twopass::bench::RegisterAll(
      "f32_raddstoreexpminusmax", kKernels, [](benchmark::State& state, const Kernel& kernel) {
        twopass::bench::Run(state, kernel, twopass::bench::Arrays::kInputOutput,
                            /*bytes_per_element=*/8,
                            [&](size_t batch, float* input, float* output) {
                              // The max and no clamp (the classic reload's call).
                              const float max[2] = {10.0f, INFINITY};
                              float sum;
                              kernel.fn(batch, input, max, output, &sum);
                              benchmark::DoNotOptimize(sum);
                            });
      });
  return 0;
}

const int kRegistered = Register();

}  // namespace
