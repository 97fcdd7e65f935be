// Benchmarks of every f16-raddextexp variant (src/f16-raddextexp/f16-raddextexp.inc):
// sum of exp(x) of half-precision inputs as (mantissa, exponent), reads
// 2 B/element.
//
//   bazel build -c opt //bench:f16_raddextexp_bench
//   taskset -c 1 bazel-bin/bench/f16_raddextexp_bench --benchmark_min_time=0.2
//
// Sizes, data and counters: see ukernel-bench.h.
#include <stddef.h>
#include <stdint.h>

#include <benchmark/benchmark.h>
#include <fp16.h>

#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-bench.h"

namespace {

using Kernel = twopass::UkernelInfo<twopass_f16_raddextexp_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f16-raddextexp/f16-raddextexp.inc"
#undef TWOPASS_UKERNEL
};

int Register() {
  twopass::bench::RegisterAll(
      "f16_raddextexp", kKernels, [](benchmark::State& state, const Kernel& kernel) {
        twopass::bench::Run(
            state, kernel, twopass::bench::Arrays::kInput, /*bytes_per_element=*/2,
            [&](size_t batch, uint16_t* input, uint16_t* output) {
              float sum[2];
              kernel.fn(batch, input, sum);
              benchmark::DoNotOptimize(sum);
              (void)output;
            },
            fp16_ieee_from_fp32_value);
      });
  return 0;
}

const int kRegistered = Register();

}  // namespace
