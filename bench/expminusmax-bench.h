// Shared driver of the three-pass kernel benchmarks (f32-rmax, f32-vscale and
// the three exp(x - max) families).
//
// Sizes: 4096 and 65536 elements reuse one row (L1/L2 resident); 2^24 elements
// rotate over rows adding up to >= 256 MiB per array (input, and output where
// the kernel writes one), one call per iteration, so every call streams from
// memory. Inputs uniform in [-10, 10] (fixed seed), max = 10. Counters: items/s
// (elements) and bytes/s (bytes the kernel itself reads and writes).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "twopass/isa.h"
#include "twopass/ukernel-list.h"

namespace twopass {
namespace bench {

constexpr size_t kRotationBytes = size_t(256) << 20;

// Rows of n floats: one row in cache, or enough rows for kRotationBytes.
class Rows {
 public:
  explicit Rows(size_t n, bool fill) : n_(n) {
    const size_t row_bytes = n * sizeof(float);
    count_ = row_bytes >= (size_t(16) << 20) ? std::max<size_t>(1, kRotationBytes / row_bytes) : 1;
    data_.resize(n * count_);
    if (fill) {
      std::mt19937 rng(0x7770A55u);
      std::uniform_real_distribution<float> uniform(-10.0f, 10.0f);
      std::generate(data_.begin(), data_.end(), [&] { return uniform(rng); });
    }
  }
  size_t count() const { return count_; }
  float* row(size_t i) { return data_.data() + i * n_; }

 private:
  size_t n_;
  size_t count_;
  std::vector<float> data_;
};

// Calls call(n, input_row, output_row) once per iteration, rotating rows.
// bytes_per_element: what the kernel moves (4 per array read or written).
template <typename Fn, typename Call>
void Run(benchmark::State& state, const UkernelInfo<Fn>& kernel, bool has_output,
         size_t bytes_per_element, Call call) {
  if (!twopass_isa_supported(kernel.isa)) {
    state.SkipWithError("CPU lacks the ISA");
    return;
  }
  const size_t n = static_cast<size_t>(state.range(0));
  Rows input(n, /*fill=*/true);
  Rows output(has_output ? n : 1, /*fill=*/false);
  size_t row = 0;
  for (auto _ : state) {
    call(n * sizeof(float), input.row(row), has_output ? output.row(row) : nullptr);
    benchmark::ClobberMemory();
    if (++row == input.count()) row = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(n * bytes_per_element));
}

// Registers "<family>/<variant>/<n>" for n in 4096, 65536, 2^24.
template <typename Fn, size_t N, typename Body>
void RegisterAll(const char* family, const UkernelInfo<Fn> (&kernels)[N], Body body) {
  for (const UkernelInfo<Fn>& kernel : kernels) {
    benchmark::RegisterBenchmark((std::string(family) + "/" + kernel.variant()).c_str(),
                                 [&kernel, body](benchmark::State& state) { body(state, kernel); })
        ->Arg(4096)
        ->Arg(65536)
        ->Arg(1 << 24)
        ->UseRealTime();
  }
}

}  // namespace bench
}  // namespace twopass
