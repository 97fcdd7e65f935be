// Tests of every f16-vscaleextexp variant listed in
// src/f16-vscaleextexp/f16-vscaleextexp.inc.
//
// Each output half y for input half x and scale (s, e) is checked against the
// long-double reference r = exp(x) * s * 2^e:
// - x NaN: y NaN; x = -inf: y = +0 (bits 0x0000); x = +inf: y = +inf;
// - r >= 65520 (rounds to +inf): y = +inf;
// - else |y - r| <= kHalfUlpBound half-ULPs of r. The kernels compute in f32 (error of a
//   few f32 ULP, i.e. ~2^-13 half-ULP) and round once to half, so they are correctly
//   rounded up to that noise: the bound 0.5 + 1/64 is far below the 1 ULP promised.
// On top, every f16 variant must equal, bit for bit, the f32 variant of the same name
// followed by a correctly rounded conversion (FP16 library): the templates are shared.
#include <math.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "f16-test-util.h"
#include "guarded-buffer.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

constexpr double kHalfUlpBound = 0.5 + 1.0 / 64.0;

using Kernel = UkernelInfo<twopass_f16_vscaleextexp_ukernel_fn>;
using F32Kernel = UkernelInfo<twopass_f32_vscaleextexp_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f16-vscaleextexp/f16-vscaleextexp.inc"
#undef TWOPASS_UKERNEL
};

const F32Kernel kF32Kernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscaleextexp/f32-vscaleextexp.inc"
#undef TWOPASS_UKERNEL
};

const F32Kernel* F32Twin(const Kernel& kernel) {
  for (const F32Kernel& k : kF32Kernels) {
    if (k.variant() == kernel.variant()) return &k;
  }
  return nullptr;
}

// Checks one output; returns the error in half-ULPs when measured, else -1.
double CheckOutput(uint16_t xh, uint16_t y, float s, float e, const std::string& what) {
  const float x = HalfToFloat(xh);
  if (std::isnan(x)) {
    EXPECT_TRUE(HalfIsNan(y)) << "x = NaN gave " << HalfHex(y) << ": " << what;
    return -1.0;
  }
  if (x == -INFINITY) {
    EXPECT_EQ(y, kHalfZero) << "x = -inf gave " << HalfHex(y) << ": " << what;
    return -1.0;
  }
  if (x == INFINITY) {
    EXPECT_EQ(y, kHalfPlusInf) << "x = +inf gave " << HalfHex(y) << ": " << what;
    return -1.0;
  }
  const long double r = expl(static_cast<long double>(x) + static_cast<long double>(e) * M_LN2l +
                             logl(static_cast<long double>(s)));
  if (r >= 65520.0L) {
    EXPECT_EQ(y, kHalfPlusInf) << "x = " << x << ", reference " << (double)r << ": " << what;
    return -1.0;
  }
  const double error = HalfUlpError(HalfToFloat(y), static_cast<double>(r));
  EXPECT_LE(error, kHalfUlpBound) << "x = " << x << " (" << HalfHex(xh) << ") gave "
                                  << HalfToFloat(y) << " (" << HalfHex(y) << "), reference "
                                  << (double)r << ", s = " << s << ", e = " << e << ": "
                                  << what;
  return error;
}

struct RunOptions {
  bool inplace = false;
  Guard input_guard = Guard::kAfter;
  Guard output_guard = Guard::kAfter;
};

// Runs the kernel on `row` with (s, e), checks every output and the f32 twin.
double RunRow(const Kernel& kernel, const std::vector<uint16_t>& row, float s, float e,
              const RunOptions& options, const std::string& what) {
  const size_t n = row.size();
  GuardedBuffer<uint16_t> x(n, options.input_guard);
  GuardedBuffer<uint16_t> y_separate(options.inplace ? 1 : n, options.output_guard);
  std::copy(row.begin(), row.end(), x.begin());
  uint16_t* y = options.inplace ? x.data() : y_separate.data();
  if (!options.inplace) std::fill(y, y + n, kHalfQuietNan);
  kernel.fn(n * sizeof(uint16_t), x.data(), y, s, e);
  double max_error = 0.0;
  for (size_t i = 0; i < n; i++) {
    max_error = std::max(max_error,
                         CheckOutput(row[i], y[i], s, e, what + " index=" + std::to_string(i)));
    if (::testing::Test::HasFailure()) return max_error;
  }
  const F32Kernel* twin = F32Twin(kernel);
  if (twin != nullptr) {
    const std::vector<float> widened = HalvesToFloats(row.data(), n);
    std::vector<float> y32(n);
    twin->fn(n * sizeof(float), widened.data(), y32.data(), s, e);
    for (size_t i = 0; i < n; i++) {
      const uint16_t expected = FloatToHalf(y32[i]);
      if (HalfIsNan(expected) && HalfIsNan(y[i])) continue;
      EXPECT_EQ(y[i], expected) << "index " << i << ": " << HalfHex(y[i]) << " but "
                                << twin->name << " rounded gives " << HalfHex(expected)
                                << " (f32 " << y32[i] << "): " << what;
      if (::testing::Test::HasFailure()) return max_error;
    }
  }
  return max_error;
}

class F16VscaleextexpTest : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { TWOPASS_TEST_REQUIRES_ISA(GetParam().isa); }
  const Kernel& kernel() const { return GetParam(); }

  // Random rows in [lo, hi]; scale as softmax would use it: s in [0.5, 2), e maps the
  // row maximum near 1.
  double RandomRows(const std::vector<size_t>& sizes, float lo, float hi, size_t iterations,
                    const RunOptions& options = RunOptions()) {
    std::mt19937 rng(TestSeed());
    std::uniform_real_distribution<float> mantissa(0.5f, 2.0f);
    double max_error = 0.0;
    for (size_t n : sizes) {
      for (size_t it = 0; it < iterations; it++) {
        const std::vector<uint16_t> row = RandomHalves(n, lo, hi, rng);
        float xmax = -INFINITY;
        for (uint16_t h : row) xmax = std::max(xmax, HalfToFloat(h));
        const float s = mantissa(rng);
        const float e = -std::rint(xmax * 0x1.715476p+0f);
        max_error = std::max(
            max_error,
            RunRow(kernel(), row, s, e, options,
                   std::string(kernel().name) + " n=" + std::to_string(n) + " range=[" +
                       std::to_string(lo) + ", " + std::to_string(hi) + "]" +
                       (options.inplace ? " inplace" : "") + " seed=" +
                       std::to_string(TestSeed()) + " iteration=" + std::to_string(it)));
        if (HasFailure()) return max_error;
      }
    }
    return max_error;
  }
};

TEST_P(F16VscaleextexpTest, HasF32Twin) {
  EXPECT_NE(F32Twin(kernel()), nullptr)
      << kernel().name << ": no f32-vscaleextexp variant with the same parameters";
}

TEST_P(F16VscaleextexpTest, RangeMinus10To10) {
  const double error = RandomRows(TileSizes(kernel().tile), -10.0f, 10.0f, 2);
  std::cout << "[ accuracy ] " << kernel().variant() << ": max error " << error
            << " half-ULP" << std::endl;
}

TEST_P(F16VscaleextexpTest, Range90To100) {
  RandomRows(TileSizes(kernel().tile), 90.0f, 100.0f, 2);
}

TEST_P(F16VscaleextexpTest, RangeMinus1e4To1e4) {
  RandomRows(TileSizes(kernel().tile), -1e4f, 1e4f, 1);
}

TEST_P(F16VscaleextexpTest, InPlace) {
  RunOptions options;
  options.inplace = true;
  RandomRows(TileSizes(kernel().tile), -10.0f, 10.0f, 1, options);
}

// Outputs across the subnormal half range (2^-24 .. 2^-14) and below: scale (1, 0)
// with x in [-18, -9] gives exp(x) from 1.5e-8 to 1.2e-4.
TEST_P(F16VscaleextexpTest, SubnormalOutputsCorrectlyRounded) {
  std::mt19937 rng(TestSeed());
  const size_t n = 4 * kernel().tile + kernel().tile / 2 + 1;
  size_t subnormals = 0, zeros = 0;
  for (int it = 0; it < 8; it++) {
    const std::vector<uint16_t> row = RandomHalves(n, -18.0f, -9.0f, rng);
    GuardedBuffer<uint16_t> y(n);
    kernel().fn(n * sizeof(uint16_t), row.data(), y.data(), 1.0f, 0.0f);
    for (size_t i = 0; i < n; i++) {
      subnormals += y[i] != 0 && (y[i] & 0x7C00) == 0;
      zeros += y[i] == 0;
    }
    RunRow(kernel(), row, 1.0f, 0.0f, RunOptions(), "subnormal outputs");
    if (HasFailure()) return;
  }
  EXPECT_GT(subnormals, n) << "the test did not reach subnormal outputs";
  EXPECT_GT(zeros, 0u) << "the test did not reach outputs that round to zero";
}

// Overflow to +inf and the largest half: exp(11) * 1 = 59874 (finite), exp(11.1) rounds
// to +inf; scale (1, 0).
TEST_P(F16VscaleextexpTest, LargeOutputs) {
  std::vector<uint16_t> row;
  for (float x = 10.5f; x <= 12.0f; x += 1.0f / 64) row.push_back(FloatToHalf(x));
  RunRow(kernel(), row, 1.0f, 0.0f, RunOptions(), "large outputs");
}

// Every tail length with guard pages on both sides of input and output, and in place.
TEST_P(F16VscaleextexpTest, GuardPagesEveryTail) {
  std::vector<size_t> sizes;
  for (size_t n = 1; n <= 2 * kernel().tile; n++) sizes.push_back(n);
  for (Guard in : {Guard::kAfter, Guard::kBefore}) {
    for (Guard out : {Guard::kAfter, Guard::kBefore}) {
      RunOptions options;
      options.input_guard = in;
      options.output_guard = out;
      RandomRows(sizes, -10.0f, 10.0f, 1, options);
    }
    RunOptions options;
    options.inplace = true;
    options.input_guard = in;
    RandomRows(sizes, -10.0f, 10.0f, 1, options);
  }
}

// Special halves at the first, middle, last and every tail position.
TEST_P(F16VscaleextexpTest, SpecialValuesEveryPosition) {
  const size_t tile = kernel().tile;
  std::vector<size_t> sizes = {3 * tile - 1, 2 * tile, 1};
  for (size_t tail = 1; tail < tile; tail += (tile > 16 ? 5 : 1)) sizes.push_back(tile + tail);
  std::mt19937 rng(TestSeed());
  for (size_t n : sizes) {
    const std::vector<uint16_t> row = RandomHalves(n, -10.0f, 0.0f, rng);
    std::vector<size_t> positions = {0, n / 2, n - 1};
    for (size_t i = n - n % tile; i < n; i++) positions.push_back(i);
    for (uint16_t special : SpecialHalves()) {
      // +65504 and +inf with a softmax-like scale: e from the special itself.
      const float xs = HalfToFloat(special);
      const float e = std::isfinite(xs) && xs > 0 ? -std::rint(xs * 0x1.715476p+0f) : 0.0f;
      for (size_t position : positions) {
        std::vector<uint16_t> r = row;
        r[position] = special;
        RunRow(kernel(), r, 0.75f, e, RunOptions(),
               std::string(kernel().name) + " n=" + std::to_string(n) + " special=" +
                   HalfHex(special) + " at " + std::to_string(position));
        if (HasFailure()) return;
      }
    }
  }
}

std::string VariantName(const ::testing::TestParamInfo<Kernel>& info) {
  return info.param.variant();
}

INSTANTIATE_TEST_SUITE_P(Variants, F16VscaleextexpTest, ::testing::ValuesIn(kKernels),
                         VariantName);

}  // namespace
}  // namespace testing
}  // namespace twopass
