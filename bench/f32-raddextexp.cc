// Benchmarks of every f32-raddextexp variant (src/f32-raddextexp/f32-raddextexp.inc):
// sum of exp(x) as (mantissa, exponent), reads 4 B/element.
//
//   bazel build -c opt //bench:f32_raddextexp_bench
//   taskset -c 1 bazel-bin/bench/f32_raddextexp_bench --benchmark_min_time=0.2
//
// Sizes, data and counters: see ukernel-bench.h.
#include <stddef.h>

#include <benchmark/benchmark.h>

#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-bench.h"

namespace {

using Kernel = twopass::UkernelInfo<twopass_f32_raddextexp_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-raddextexp/f32-raddextexp.inc"
#undef TWOPASS_UKERNEL
};

int Register() {
  twopass::bench::RegisterAll(
      "f32_raddextexp", kKernels, [](benchmark::State& state, const Kernel& kernel) {
        twopass::bench::Run(state, kernel, twopass::bench::Arrays::kInput,
                            /*bytes_per_element=*/4,
                            [&](size_t batch, float* input, float* output) {
                              float sum[2];
                              kernel.fn(batch, input, sum);
                              benchmark::DoNotOptimize(sum);
                              (void)output;
                            });
      });
  return 0;
}

const int kRegistered = Register();

}  // namespace
