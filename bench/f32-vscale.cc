// Benchmarks of every f32-vscale variant (src/f32-vscale/f32-vscale.inc):
// in place (as in the operator: y *= 1/sum), reads and writes 4 B/element
// each. A scale of 0.5 keeps the values finite over repeated calls.
//
//   bazel build -c opt //bench:f32_vscale_bench
//   taskset -c 1 bazel-bin/bench/f32_vscale_bench --benchmark_min_time=0.2
//
// Sizes, data and counters: see ukernel-bench.h.
#include <stddef.h>

#include <benchmark/benchmark.h>

#include "ukernel-bench.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"

namespace {

using Kernel = twopass::UkernelInfo<twopass_f32_vscale_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscale/f32-vscale.inc"
#undef TWOPASS_UKERNEL
};

int Register() {
  twopass::bench::RegisterAll(
      "f32_vscale", kKernels, [](benchmark::State& state, const Kernel& kernel) {
        twopass::bench::Run(state, kernel, twopass::bench::Arrays::kInput,
                            /*bytes_per_element=*/8,
                            [&](size_t batch, float* input, float* output) {
                              kernel.fn(batch, input, input, 0.5f);
                              (void)output;
                            });
      });
  return 0;
}

const int kRegistered = Register();

}  // namespace
