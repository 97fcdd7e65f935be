// Benchmarks of every f16-raddextexp variant (src/f16-raddextexp/f16-raddextexp.inc).
//
//   bazel build -c opt //bench:f16_raddextexp_bench
//   taskset -c 1 bazel-bin/bench/f16_raddextexp_bench --benchmark_min_time=0.2
//
// Sizes: 4096 and 65536 elements reuse one buffer (cache resident); 2^24 elements
// rotate over buffers adding up to >= 256 MiB, one call per iteration, so every call
// reads from memory. Counters: items/s (elements) and bytes/s (2 bytes read each).
#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fp16.h>

#include "twopass/isa.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"

namespace {

using Kernel = twopass::UkernelInfo<twopass_f16_raddextexp_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f16-raddextexp/f16-raddextexp.inc"
#undef TWOPASS_UKERNEL
};

constexpr size_t kRotationBytes = size_t(256) << 20;

void Run(benchmark::State& state, const Kernel& kernel) {
  if (!twopass_isa_supported(kernel.isa)) {
    state.SkipWithError("CPU lacks the ISA");
    return;
  }
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t row_bytes = n * sizeof(uint16_t);
  const size_t rows =
      row_bytes >= (size_t(16) << 20) ? std::max<size_t>(1, kRotationBytes / row_bytes) : 1;
  std::vector<uint16_t> data(n * rows);
  std::mt19937 rng(0x7770A55u);
  std::uniform_real_distribution<float> uniform(-10.0f, 10.0f);
  std::generate(data.begin(), data.end(), [&] { return fp16_ieee_from_fp32_value(uniform(rng)); });

  float sum[2];
  size_t row = 0;
  for (auto _ : state) {
    kernel.fn(row_bytes, data.data() + row * n, sum);
    benchmark::DoNotOptimize(sum);
    if (++row == rows) row = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(row_bytes));
}

int RegisterAll() {
  for (const Kernel& kernel : kKernels) {
    benchmark::RegisterBenchmark(("f16_raddextexp/" + kernel.variant()).c_str(),
                                 [&kernel](benchmark::State& state) { Run(state, kernel); })
        ->Arg(4096)
        ->Arg(65536)
        ->Arg(1 << 24)
        ->UseRealTime();
  }
  return 0;
}

const int kRegistered = RegisterAll();

}  // namespace
