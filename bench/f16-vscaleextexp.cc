// Benchmarks of every f16-vscaleextexp variant (src/f16-vscaleextexp/f16-vscaleextexp.inc):
// exp(x) * scale of half-precision inputs with an extended-exponent scale, reads
// and writes 2 B/element each; input and output rows together rotate over 256 MiB.
//
//   bazel build -c opt //bench:f16_vscaleextexp_bench
//   taskset -c 1 bazel-bin/bench/f16_vscaleextexp_bench --benchmark_min_time=0.2
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

using Kernel = twopass::UkernelInfo<twopass_f16_vscaleextexp_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f16-vscaleextexp/f16-vscaleextexp.inc"
#undef TWOPASS_UKERNEL
};

int Register() {
  twopass::bench::RegisterAll(
      "f16_vscaleextexp", kKernels, [](benchmark::State& state, const Kernel& kernel) {
        twopass::bench::Run(
            state, kernel, twopass::bench::Arrays::kInputOutputPair, /*bytes_per_element=*/4,
            [&](size_t batch, uint16_t* input, uint16_t* output) {
              // Softmax-like scale: outputs in (0, 1].
              kernel.fn(batch, input, output, /*scale_mantissa=*/0.75f,
                        /*scale_exponent=*/-15.0f);
            },
            fp16_ieee_from_fp32_value);
      });
  return 0;
}

const int kRegistered = Register();

}  // namespace
