// Shared driver of the kernel benchmarks (one <family>_bench per table).
//
// Sizes: 4096 and 65536 elements reuse one row (cache resident); 2^24 elements
// rotate over rows adding up to >= 256 MiB (see Arrays), one call per
// iteration, so every call streams from memory. Inputs uniform in [-10, 10]
// (fixed seed; max = 10), stored as float or as IEEE half bits (uint16_t).
// Counters: items/s (elements) and bytes/s (bytes the kernel itself reads and
// writes; write-allocate traffic not counted).
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
// Rows at least this large rotate; smaller ones stay in cache by design.
constexpr size_t kRotateFromBytes = size_t(16) << 20;

// Which arrays a kernel touches, and how rotating rows share kRotationBytes.
enum class Arrays {
  kInput,            // input only (reductions; in-place kernels)
  kInputOutput,      // input and output, each spanning kRotationBytes
  kInputOutputPair,  // input and output together spanning kRotationBytes
};

inline float FloatFromFloat(float x) { return x; }

// count rows of n elements of T, filled from uniform [-10, 10] through
// from_float when from_float is given.
template <typename T>
class Rows {
 public:
  Rows(size_t n, size_t count, T (*from_float)(float)) : n_(n), count_(count), data_(n * count) {
    if (from_float != nullptr) {
      std::mt19937 rng(0x7770A55u);
      std::uniform_real_distribution<float> uniform(-10.0f, 10.0f);
      std::generate(data_.begin(), data_.end(), [&] { return from_float(uniform(rng)); });
    }
  }
  size_t count() const { return count_; }
  T* row(size_t i) { return data_.data() + i * n_; }

 private:
  size_t n_;
  size_t count_;
  std::vector<T> data_;
};

// Calls call(batch_bytes, input_row, output_row) once per iteration, rotating
// rows; output_row is nullptr for Arrays::kInput. bytes_per_element: what the
// kernel moves (sizeof(T) per array read or written). from_float converts the
// float test data to T (identity for float; fp16_ieee_from_fp32_value for f16).
template <typename T = float, typename Fn, typename Call>
void Run(benchmark::State& state, const UkernelInfo<Fn>& kernel, Arrays arrays,
         size_t bytes_per_element, Call call, T (*from_float)(float) = FloatFromFloat) {
  if (!twopass_isa_supported(kernel.isa)) {
    state.SkipWithError("CPU lacks the ISA");
    return;
  }
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t row_bytes = n * sizeof(T);
  const bool has_output = arrays != Arrays::kInput;
  const size_t span = arrays == Arrays::kInputOutputPair ? 2 * row_bytes : row_bytes;
  const size_t count =
      row_bytes >= kRotateFromBytes ? std::max<size_t>(1, kRotationBytes / span) : 1;
  Rows<T> input(n, count, from_float);
  Rows<T> output(has_output ? n : 0, has_output ? count : 0, nullptr);
  size_t row = 0;
  for (auto _ : state) {
    call(row_bytes, input.row(row), has_output ? output.row(row) : nullptr);
    benchmark::ClobberMemory();
    if (++row == count) row = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(n * bytes_per_element));
}

// Registers "<family>/<variant>/<n>" for n in 4096, 65536, 2^24; body(state,
// kernel) runs one of them (usually through Run).
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
