// Tests of every f32-raddextexp variant listed in src/f32-raddextexp/f32-raddextexp.inc.
#include <float.h>
#include <math.h>

#include <algorithm>
#include <iostream>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raddextexp-microkernel-tester.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f32_raddextexp_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-raddextexp/f32-raddextexp.inc"
#undef TWOPASS_UKERNEL
};

class F32RaddextexpTest : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { TWOPASS_TEST_REQUIRES_ISA(GetParam().isa); }
  const Kernel& kernel() const { return GetParam(); }
};

TEST_P(F32RaddextexpTest, RangeMinus10To10) {
  for (size_t n : TileSizes(kernel().tile)) {
    RAddExtExpMicrokernelTester()
        .elements(n)
        .input_range(-10.0f, 10.0f)
        .Test(kernel().fn, kernel().name);
    if (HasFailure()) return;
  }
}

// Float exp overflows here: only the extended exponent keeps the sum finite.
TEST_P(F32RaddextexpTest, Range90To100) {
  for (size_t n : TileSizes(kernel().tile)) {
    RAddExtExpMicrokernelTester()
        .elements(n)
        .input_range(90.0f, 100.0f)
        .Test(kernel().fn, kernel().name);
    if (HasFailure()) return;
  }
}

TEST_P(F32RaddextexpTest, RangeMinus1e4To1e4) {
  for (size_t n : TileSizes(kernel().tile)) {
    RAddExtExpMicrokernelTester()
        .elements(n)
        .input_range(-1e4f, 1e4f)
        .Test(kernel().fn, kernel().name);
    if (HasFailure()) return;
  }
}

TEST_P(F32RaddextexpTest, MixedScales) {
  for (size_t n : TileSizes(kernel().tile)) {
    RAddExtExpMicrokernelTester()
        .elements(n)
        .mixed_range(-1e4f, 1e4f)
        .Test(kernel().fn, kernel().name);
    if (HasFailure()) return;
  }
}

// The hardest case for the 1e-6 bound: 4096 terms of similar size.
TEST_P(F32RaddextexpTest, Accuracy4096NearlyEqualTerms) {
  const double error = RAddExtExpMicrokernelTester()
                           .elements(4096)
                           .mixed_range(-3.0f, 3.0f)
                           .iterations(20)
                           .Test(kernel().fn, kernel().name);
  const double error_flat = RAddExtExpMicrokernelTester()
                                .elements(4096)
                                .input_range(-0.5f, 0.5f)
                                .iterations(20)
                                .Test(kernel().fn, kernel().name);
  std::cout << "[ accuracy ] " << kernel().variant() << ": max relative error "
            << std::max(error, error_flat) << " over 40 rows of 4096" << std::endl;
}

// Rows of equal values, every length up to 4096 and beyond (the worst case of the
// accumulation: see EqualRowValues). The bound holds at any length, not only per chunk.
TEST_P(F32RaddextexpTest, EqualValues) {
  const std::vector<size_t> lengths = EqualRowLengths();
  std::vector<float> row(lengths.back());
  double max_error = 0.0;
  for (float v : EqualRowValues()) {
    std::fill(row.begin(), row.end(), v);
    for (size_t n : lengths) {
      float sum[2] = {NAN, NAN};
      kernel().fn(n * sizeof(float), row.data(), sum);
      max_error = std::max(max_error, CheckEqualRowSum(sum, v, n, std::string(kernel().name) +
                                                                      " all " + Hex(v) + " n=" +
                                                                      std::to_string(n)));
      if (HasFailure()) return;
    }
  }
  std::cout << "[ accuracy ] " << kernel().variant() << ": max relative error " << max_error
            << " on rows of equal values" << std::endl;
}

// Every tail length against a guard page after and before the row.
TEST_P(F32RaddextexpTest, GuardPagesEveryTail) {
  const size_t tile = kernel().tile;
  for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
    for (size_t n = 1; n <= 2 * tile; n++) {
      RAddExtExpMicrokernelTester().elements(n).guard(guard).iterations(1).Test(kernel().fn,
                                                                                kernel().name);
      if (HasFailure()) return;
    }
  }
}

// Special values at the first, a middle and the last position, and in the remainder
// (tail) of the row (TailPositions: every lane of its first and last vectors); for both
// guard sides.
TEST_P(F32RaddextexpTest, SpecialValuesEveryPosition) {
  const float specials[] = {-INFINITY, -1e9f, -FLT_MAX, FLT_MAX, NAN,
                            INFINITY,  1e-40f, -1e-40f, 0.0f,    -0.0f};
  const size_t tile = kernel().tile;
  // 2 full tiles and the longest tail, and a row with every tail length.
  std::vector<size_t> sizes = {2 * tile + tile - 1, 2 * tile, 1};
  for (size_t tail = 1; tail < tile; tail++) sizes.push_back(tile + tail);
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> uniform(-10.0f, 10.0f);
  for (size_t n : sizes) {
    std::vector<float> row(n);
    for (float& v : row) v = uniform(rng);
    const std::vector<size_t> positions = TailPositions(n, tile, VectorWidth(kernel().isa));
    for (float special : specials) {
      for (size_t position : positions) {
        std::vector<float> r = row;
        r[position] = special;
        for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
          RAddExtExpMicrokernelTester().guard(guard).TestRow(
              kernel().fn, r,
              std::string(kernel().name) + " n=" + std::to_string(n) + " special=" + Hex(special) +
                  " at " + std::to_string(position));
        }
        if (HasFailure()) return;
      }
    }
  }
}

// Masked logits: -inf, -1e9 and -FLT_MAX next to ordinary values contribute
// exactly nothing: the sum equals the sum of the ordinary values bit for bit.
TEST_P(F32RaddextexpTest, MaskedLogitsContributeExactlyZero) {
  const size_t tile = kernel().tile;
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> uniform(-5.0f, 5.0f);
  for (size_t n : {tile, 2 * tile + 1, 3 * tile + tile / 2 + 1}) {
    std::vector<float> row(n);
    for (float& v : row) v = uniform(rng);
    // -inf terms add p * 0 = +0 exactly, so the bits must not change.
    float sum_plain[2];
    kernel().fn(n * sizeof(float), row.data(), sum_plain);
    // Every third element (rotating over the lanes) and every 8th (the same lane of
    // every AVX2 vector: a lane that never sees a finite value).
    for (size_t stride : {3, 8}) {
      for (float masked : {-INFINITY, -1e9f, -FLT_MAX}) {
        std::vector<float> r = row;
        // Mask every stride-th element; compare with the row where they are -inf.
        std::vector<float> r_inf = row;
        for (size_t i = 0; i < n; i += stride) {
          r[i] = masked;
          r_inf[i] = -INFINITY;
        }
        float sum_masked[2], sum_inf[2];
        kernel().fn(n * sizeof(float), r.data(), sum_masked);
        kernel().fn(n * sizeof(float), r_inf.data(), sum_inf);
        EXPECT_FALSE(std::isnan(sum_masked[0]));
        CheckRaddextexp(r.data(), n, sum_masked, std::string(kernel().name) + " masked " +
                                                     Hex(masked) + " n=" + std::to_string(n) +
                                                     " stride " + std::to_string(stride));
        // The vanishing terms add exactly 0 (2^d clamps to +0), so -1e9 / -FLT_MAX rows
        // give the same mantissa and exponent as the -inf row.
        EXPECT_EQ(FloatBits(sum_masked[0]), FloatBits(sum_inf[0])) << Hex(masked);
        EXPECT_EQ(sum_masked[1], sum_inf[1]) << Hex(masked);
      }
    }
  }
}

// Terms far below the maximum X, swept in steps of 1/64 across the edge where the fast
// forms stop adding them (x - X from -110 to -79: about 2^-159 to 2^-114 of the largest
// term), next to maxima on either side of the AVX512F fast form's bound |E| <= 2^16
// (|X| ~ 45426) and far from it: every lane sees X first (the first 16 elements), the
// rest are X + d. Each such term is below 2^-113 of the sum, so no float or double
// addition of the row can keep it: the sum must equal, bit for bit, the sum of the row
// with -inf in their place, on every path (fast blocks, general blocks, the tail); and
// the row passes the contract.
TEST_P(F32RaddextexpTest, VanishingTermsNextToAnyMaximum) {
  const size_t n = 16 + 4 * kernel().tile + 7;
  for (float x_max :
       {0.0f, 10.5f, -1e4f, 1e4f, 45000.0f, -45000.0f, 45426.0f, -45426.0f, 45500.0f, -45500.0f}) {
    std::vector<float> row(n, -INFINITY);
    std::fill(row.begin(), row.begin() + 16, x_max);
    float sum_inf[2];
    kernel().fn(n * sizeof(float), row.data(), sum_inf);
    for (int d = -110; d < -78; d++) {
      for (size_t i = 16; i < n; i++) {
        row[i] = x_max + (static_cast<float>(d) + static_cast<float>(i % 64) / 64.0f);
      }
      float sum[2];
      kernel().fn(n * sizeof(float), row.data(), sum);
      const std::string what =
          std::string(kernel().name) + " max " + Hex(x_max) + " d " + std::to_string(d);
      EXPECT_EQ(FloatBits(sum[0]), FloatBits(sum_inf[0]))
          << what << ": " << sum[0] << " vs " << sum_inf[0];
      EXPECT_EQ(sum[1], sum_inf[1]) << what;
      CheckRaddextexp(row.data(), n, sum, what);
      if (HasFailure()) return;
    }
  }
}

TEST_P(F32RaddextexpTest, AllNegativeInfinity) {
  for (size_t n : TileSizes(kernel().tile)) {
    std::vector<float> row(n, -INFINITY);
    float sum[2] = {NAN, NAN};
    kernel().fn(n * sizeof(float), row.data(), sum);
    EXPECT_EQ(FloatBits(sum[0]), 0u) << "n=" << n << " sum[0]=" << sum[0];
    EXPECT_FALSE(std::isnan(sum[1])) << "n=" << n;
    if (HasFailure()) return;
  }
}

// Rows of huge finite values stay finite with a positive mantissa.
TEST_P(F32RaddextexpTest, AllHugeFinite) {
  for (float value : {-FLT_MAX, -1e9f, -1e5f, 1e5f, 1e9f, FLT_MAX}) {
    for (size_t n : {size_t(1), kernel().tile, 2 * kernel().tile + 3}) {
      std::vector<float> row(n, value);
      RAddExtExpMicrokernelTester().TestRow(kernel().fn, row,
                                            std::string(kernel().name) + " all " + Hex(value));
      if (HasFailure()) return;
    }
  }
}

// A NaN anywhere wins over everything but +inf; +inf wins over NaN.
TEST_P(F32RaddextexpTest, NanAndInfinityTogether) {
  const size_t n = 2 * kernel().tile + 1;
  std::vector<float> row(n, 1.0f);
  row[0] = NAN;
  row[n - 1] = -INFINITY;
  RAddExtExpMicrokernelTester().TestRow(kernel().fn, row, "NaN and -inf");
  row[n / 2] = INFINITY;
  RAddExtExpMicrokernelTester().TestRow(kernel().fn, row, "NaN, +inf and -inf");
  std::vector<float> infs(n, INFINITY);
  RAddExtExpMicrokernelTester().TestRow(kernel().fn, infs, "all +inf");
}

// Rows whose maximum keeps growing, jumps far up mid-row, or starts after a masked
// prefix: the AVX2 fast form (terms at the accumulators' exponents) must hand those
// blocks to the general path (a new maximum more than 2^64 up, or no exponent yet).
TEST_P(F32RaddextexpTest, GrowingMaximaAndMaskedPrefixes) {
  const size_t tile = kernel().tile;
  const size_t n = 8 * tile + 3;
  std::vector<float> row(n);
  for (size_t i = 0; i < n; i++) row[i] = -3000.0f + 6000.0f * static_cast<float>(i) / n;
  RAddExtExpMicrokernelTester().TestRow(kernel().fn, row, "ascending -3000..3000");
  std::reverse(row.begin(), row.end());
  RAddExtExpMicrokernelTester().TestRow(kernel().fn, row, "descending 3000..-3000");
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> uniform(-10.0f, 10.0f);
  for (float& v : row) v = uniform(rng);
  for (size_t i = 3 * tile; i < 4 * tile; i++) row[i] += 200.0f;  // 288 binades up
  RAddExtExpMicrokernelTester().TestRow(kernel().fn, row, "jump of +200 mid-row");
  for (size_t prefix : {tile, 2 * tile + 5}) {
    std::vector<float> masked = row;
    for (size_t i = 0; i < prefix; i++) masked[i] = -INFINITY;
    RAddExtExpMicrokernelTester().TestRow(kernel().fn, masked,
                                          "-inf prefix " + std::to_string(prefix));
  }
}

// NaN and +inf in the same lane of different vectors of one block: +inf still wins
// (sum[1] = +inf), in the first block and after the accumulators have exponents.
TEST_P(F32RaddextexpTest, NanAndInfinitySameLane) {
  const size_t tile = kernel().tile;
  const size_t n = 4 * tile + 3;
  for (size_t start : {size_t(0), 2 * tile}) {
    for (size_t gap : {size_t(4), size_t(8), size_t(16)}) {
      if (start + gap + 1 >= n) continue;
      std::vector<float> row(n, 0.5f);
      row[start + 1] = NAN;
      row[start + 1 + gap] = INFINITY;
      RAddExtExpMicrokernelTester().TestRow(kernel().fn, row,
                                            "NaN then +inf, gap " + std::to_string(gap));
      std::swap(row[start + 1], row[start + 1 + gap]);
      RAddExtExpMicrokernelTester().TestRow(kernel().fn, row,
                                            "+inf then NaN, gap " + std::to_string(gap));
    }
  }
}

std::string VariantName(const ::testing::TestParamInfo<Kernel>& info) {
  return info.param.variant();
}

INSTANTIATE_TEST_SUITE_P(Variants, F32RaddextexpTest, ::testing::ValuesIn(kKernels),
                         VariantName);

// All variants on this CPU agree with each other within twice the accuracy bound.
TEST(F32RaddextexpConsistency, AllVariantsAgree) {
  std::mt19937 rng(TestSeed());
  for (size_t n : {size_t(1), size_t(17), size_t(1000), size_t(4096)}) {
    for (int distribution = 0; distribution < 3; distribution++) {
      std::vector<float> row(n);
      std::uniform_real_distribution<float> wide(-1e4f, 1e4f);
      std::normal_distribution<float> normal(0.0f, 1.0f);
      for (float& v : row) {
        v = distribution == 0 ? normal(rng) : distribution == 1 ? wide(rng) : 95.0f + normal(rng);
      }
      bool have_reference = false;
      long double reference = 0.0L;
      std::string reference_name;
      for (const Kernel& k : kKernels) {
        if (!testing::IsaUnderTest(k.isa)) continue;
        float sum[2];
        k.fn(n * sizeof(float), row.data(), sum);
        const long double log_value = logl(sum[0]) + static_cast<long double>(sum[1]) * M_LN2l;
        if (!have_reference) {
          reference = log_value;
          reference_name = k.name;
          have_reference = true;
          continue;
        }
        EXPECT_LE(fabsl(expm1l(log_value - reference)), 2 * kRaddextexpRelativeTolerance)
            << k.name << " vs " << reference_name << " n=" << n << " distribution=" << distribution;
      }
    }
  }
}

}  // namespace
}  // namespace testing
}  // namespace twopass
