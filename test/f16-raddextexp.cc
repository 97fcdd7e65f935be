// Tests of every f16-raddextexp variant listed in src/f16-raddextexp/f16-raddextexp.inc.
//
// Rows are halves; the reference and the contract checks are those of the f32 family
// (CheckRaddextexp in raddextexp-microkernel-tester.h) applied to the exactly widened inputs. On
// top, every f16 variant must agree bit for bit with the f32 variant of the same name
// on the widened row: the templates are shared and widening is exact, so any
// difference is a conversion or tail-handling bug.
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
#include "raddextexp-microkernel-tester.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f16_raddextexp_ukernel_fn>;
using F32Kernel = UkernelInfo<twopass_f32_raddextexp_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f16-raddextexp/f16-raddextexp.inc"
#undef TWOPASS_UKERNEL
};

const F32Kernel kF32Kernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-raddextexp/f32-raddextexp.inc"
#undef TWOPASS_UKERNEL
};

// The f32 variant generated from the same template with the same parameters.
const F32Kernel* F32Twin(const Kernel& kernel) {
  for (const F32Kernel& k : kF32Kernels) {
    if (k.variant() == kernel.variant()) return &k;
  }
  return nullptr;
}

// Runs `kernel` on `row` (copied against a guard page) and checks the f32 contract on
// the widened row, then bitwise agreement with the f32 twin. Returns the relative
// error (or -1 when not measured).
double CheckRow(const Kernel& kernel, const std::vector<uint16_t>& row, Guard guard,
                const std::string& what) {
  const size_t n = row.size();
  GuardedBuffer<uint16_t> x(n, guard);
  std::copy(row.begin(), row.end(), x.begin());
  float sum[2] = {NAN, NAN};
  kernel.fn(n * sizeof(uint16_t), x.data(), sum);
  const std::vector<float> widened = HalvesToFloats(row.data(), n);
  const double error = CheckRaddextexp(widened.data(), n, sum, what);
  const F32Kernel* twin = F32Twin(kernel);
  if (twin != nullptr) {
    float sum32[2] = {NAN, NAN};
    twin->fn(n * sizeof(float), widened.data(), sum32);
    // NaN results need not share payloads; everything else must match bit for bit.
    if (!(std::isnan(sum[0]) && std::isnan(sum32[0]))) {
      EXPECT_EQ(FloatBits(sum[0]), FloatBits(sum32[0]))
          << "mantissa differs from " << twin->name << ": " << sum[0] << " vs " << sum32[0]
          << ", " << what;
    }
    if (!(std::isnan(sum[1]) && std::isnan(sum32[1]))) {
      EXPECT_EQ(FloatBits(sum[1]), FloatBits(sum32[1]))
          << "exponent differs from " << twin->name << ", " << what;
    }
  }
  return error;
}

class F16RaddextexpTest : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { TWOPASS_TEST_REQUIRES_ISA(GetParam().isa); }
  const Kernel& kernel() const { return GetParam(); }

  // `iterations` random rows per size, uniform in [lo, hi] (rounded to half).
  double RandomRows(const std::vector<size_t>& sizes, float lo, float hi, size_t iterations,
                    Guard guard = Guard::kAfter) {
    std::mt19937 rng(TestSeed());
    double max_error = 0.0;
    for (size_t n : sizes) {
      for (size_t it = 0; it < iterations; it++) {
        const std::vector<uint16_t> row = RandomHalves(n, lo, hi, rng);
        max_error = std::max(
            max_error, CheckRow(kernel(), row, guard,
                                std::string(kernel().name) + " n=" + std::to_string(n) +
                                    " range=[" + std::to_string(lo) + ", " +
                                    std::to_string(hi) + "] seed=" +
                                    std::to_string(TestSeed()) + " iteration=" +
                                    std::to_string(it)));
        if (HasFailure()) return max_error;
      }
    }
    return max_error;
  }
};

TEST_P(F16RaddextexpTest, HasF32Twin) {
  EXPECT_NE(F32Twin(kernel()), nullptr)
      << kernel().name << ": no f32-raddextexp variant with the same parameters";
}

TEST_P(F16RaddextexpTest, RangeMinus10To10) {
  RandomRows(TileSizes(kernel().tile), -10.0f, 10.0f, 2);
}

// f32 exp overflows beyond 88.7 (and half beyond 11.1): only the extended exponent keeps
// the sum finite.
TEST_P(F16RaddextexpTest, Range90To100) { RandomRows(TileSizes(kernel().tile), 90.0f, 100.0f, 2); }

TEST_P(F16RaddextexpTest, RangeMinus1e4To1e4) {
  RandomRows(TileSizes(kernel().tile), -1e4f, 1e4f, 2);
}

// The whole half range: the contract (finite, positive, integer exponent) and the
// bitwise agreement with f32; accuracy is checked where |x| <= 1e4.
TEST_P(F16RaddextexpTest, FullHalfRange) {
  RandomRows(TileSizes(kernel().tile), -65504.0f, 65504.0f, 2);
}

// The hardest case for the 1e-6 bound: 4096 terms of similar size.
TEST_P(F16RaddextexpTest, Accuracy4096NearlyEqualTerms) {
  const double error = RandomRows({4096}, -0.5f, 0.5f, 10);
  const double error_wide = RandomRows({4096}, -3.0f, 3.0f, 10);
  std::cout << "[ accuracy ] " << kernel().variant() << ": max relative error "
            << std::max(error, error_wide) << " over 20 rows of 4096" << std::endl;
}

// Every tail length against a guard page after and before the row.
// Rows of equal halves, every length up to 4096 and beyond (see EqualRowValues in
// raddextexp-microkernel-tester.h); the reference uses the value the half widens to.
TEST_P(F16RaddextexpTest, EqualValues) {
  const std::vector<size_t> lengths = EqualRowLengths();
  std::vector<uint16_t> row(lengths.back());
  double max_error = 0.0;
  for (float value : EqualRowValues()) {
    const uint16_t h = FloatToHalf(value);
    const float v = HalfToFloat(h);
    std::fill(row.begin(), row.end(), h);
    for (size_t n : lengths) {
      float sum[2] = {NAN, NAN};
      kernel().fn(n * sizeof(uint16_t), row.data(), sum);
      max_error = std::max(max_error, CheckEqualRowSum(sum, v, n, std::string(kernel().name) +
                                                                      " all " + HalfHex(h) +
                                                                      " n=" + std::to_string(n)));
      if (HasFailure()) return;
    }
  }
  std::cout << "[ accuracy ] " << kernel().variant() << ": max relative error " << max_error
            << " on rows of equal values" << std::endl;
}

TEST_P(F16RaddextexpTest, GuardPagesEveryTail) {
  std::vector<size_t> sizes;
  for (size_t n = 1; n <= 2 * kernel().tile; n++) sizes.push_back(n);
  RandomRows(sizes, -10.0f, 10.0f, 1, Guard::kAfter);
  RandomRows(sizes, -10.0f, 10.0f, 1, Guard::kBefore);
}

// f16 NaN (several payloads), ±inf, ±65504, subnormals and zeros at the first, a middle,
// the last and every tail position; both guard sides.
TEST_P(F16RaddextexpTest, SpecialValuesEveryPosition) {
  const size_t tile = kernel().tile;
  std::vector<size_t> sizes = {3 * tile - 1, 2 * tile, 1};
  for (size_t tail = 1; tail < tile; tail += (tile > 16 ? 5 : 1)) sizes.push_back(tile + tail);
  std::mt19937 rng(TestSeed());
  for (size_t n : sizes) {
    const std::vector<uint16_t> row = RandomHalves(n, -10.0f, 10.0f, rng);
    std::vector<size_t> positions = {0, n / 2, n - 1};
    for (size_t i = n - n % tile; i < n; i++) positions.push_back(i);
    for (uint16_t special : SpecialHalves()) {
      for (size_t position : positions) {
        std::vector<uint16_t> r = row;
        r[position] = special;
        for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
          CheckRow(kernel(), r, guard,
                   std::string(kernel().name) + " n=" + std::to_string(n) + " special=" +
                       HalfHex(special) + " at " + std::to_string(position));
        }
        if (HasFailure()) return;
      }
    }
  }
}

// Masked logits: -inf and -65504 next to ordinary values add exactly nothing.
TEST_P(F16RaddextexpTest, MaskedLogitsContributeExactlyZero) {
  const size_t tile = kernel().tile;
  std::mt19937 rng(TestSeed());
  for (size_t n : {tile, 2 * tile + 1, 3 * tile + tile / 2 + 1}) {
    const std::vector<uint16_t> row = RandomHalves(n, -5.0f, 5.0f, rng);
    for (size_t stride : {3, 8}) {  // rotating over the lanes; one lane of every vector
      std::vector<uint16_t> r_lowest = row, r_inf = row;
      for (size_t i = 0; i < n; i += stride) {
        r_lowest[i] = kHalfLowest;
        r_inf[i] = kHalfMinusInf;
      }
      float sum_lowest[2], sum_inf[2];
      kernel().fn(n * sizeof(uint16_t), r_lowest.data(), sum_lowest);
      kernel().fn(n * sizeof(uint16_t), r_inf.data(), sum_inf);
      EXPECT_FALSE(std::isnan(sum_inf[0])) << "n=" << n;
      EXPECT_EQ(FloatBits(sum_lowest[0]), FloatBits(sum_inf[0]))
          << "n=" << n << " stride " << stride;
      EXPECT_EQ(sum_lowest[1], sum_inf[1]) << "n=" << n;
      CheckRow(kernel(), r_inf, Guard::kAfter, "masked with -inf n=" + std::to_string(n));
    }
  }
}

TEST_P(F16RaddextexpTest, AllNegativeInfinity) {
  for (size_t n : TileSizes(kernel().tile)) {
    std::vector<uint16_t> row(n, kHalfMinusInf);
    float sum[2] = {NAN, NAN};
    kernel().fn(n * sizeof(uint16_t), row.data(), sum);
    EXPECT_EQ(FloatBits(sum[0]), 0u) << "n=" << n << " sum[0]=" << sum[0];
    EXPECT_FALSE(std::isnan(sum[1])) << "n=" << n;
    if (HasFailure()) return;
  }
}

// Rows of only ±65504 or only subnormals.
TEST_P(F16RaddextexpTest, AllExtremeFinite) {
  for (uint16_t value : {kHalfLowest, kHalfMax, kHalfMinSubnormal, kHalfMinusMinSubnormal}) {
    for (size_t n : {size_t(1), kernel().tile, 2 * kernel().tile + 3}) {
      CheckRow(kernel(), std::vector<uint16_t>(n, value), Guard::kAfter,
               std::string(kernel().name) + " all " + HalfHex(value));
      if (HasFailure()) return;
    }
  }
}

std::string VariantName(const ::testing::TestParamInfo<Kernel>& info) {
  return info.param.variant();
}

INSTANTIATE_TEST_SUITE_P(Variants, F16RaddextexpTest, ::testing::ValuesIn(kKernels),
                         VariantName);

}  // namespace
}  // namespace testing
}  // namespace twopass
