// The tests shared by the three exp(x - max) families (f32-raddstoreexpminusmax,
// f32-raddexpminusmax, f32-vscaleexpminusmax), as value-parameterized suites over
// ExpMinusMaxKernel. Each family's test file includes this header once and
// instantiates the suites that apply to its table (see ExpMinusMaxKernels()):
//   ExpMinusMaxTest         every family
//   ExpMinusMaxInPlaceTest  families with an output (raddstore, vscale)
//   ExpMinusMaxScaleTest    vscaleexpminusmax
//   ExpMinusMaxAboveMaxTest raddstoreexpminusmax (a max below the row max)
// Contract and tolerances: see expminusmax-microkernel-tester.h.
#pragma once

#include <float.h>
#include <stddef.h>

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "expminusmax-microkernel-tester.h"
#include "guarded-buffer.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {

// A family's table as suite parameters.
template <typename Fn, size_t N>
auto ExpMinusMaxKernels(const UkernelInfo<Fn> (&table)[N]) {
  std::vector<ExpMinusMaxKernel> kernels;
  for (const UkernelInfo<Fn>& k : table) kernels.emplace_back(k);
  return ::testing::ValuesIn(kernels);
}

// Test name suffix: the variant, e.g. ExactTile/avx2_p5_u64_acc2.
inline std::string ExpMinusMaxTestName(const ::testing::TestParamInfo<ExpMinusMaxKernel>& info) {
  return info.param.variant;
}

class ExpMinusMaxTest : public ::testing::TestWithParam<ExpMinusMaxKernel> {};
class ExpMinusMaxInPlaceTest : public ::testing::TestWithParam<ExpMinusMaxKernel> {};
class ExpMinusMaxScaleTest : public ::testing::TestWithParam<ExpMinusMaxKernel> {};
class ExpMinusMaxAboveMaxTest : public ::testing::TestWithParam<ExpMinusMaxKernel> {};
// Each binary tests one family and instantiates only the suites that apply.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExpMinusMaxInPlaceTest);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExpMinusMaxScaleTest);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExpMinusMaxAboveMaxTest);

TEST_P(ExpMinusMaxTest, ExactTile) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  ExpMinusMaxMicrokernelTester().elements(k.tile).iterations(3).Test(k);
}

TEST_P(ExpMinusMaxTest, EveryTailLengthGuardAfter) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    ExpMinusMaxMicrokernelTester().elements(n).guard(Guard::kAfter).Test(k);
  }
}

TEST_P(ExpMinusMaxTest, EveryTailLengthGuardBefore) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    ExpMinusMaxMicrokernelTester().elements(n).guard(Guard::kBefore).Test(k);
  }
}

TEST_P(ExpMinusMaxTest, TileMultiples) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t m = 4; m <= 16; m *= 2) {
    for (size_t n : {m * k.tile - 1, m * k.tile, m * k.tile + 1}) {
      ExpMinusMaxMicrokernelTester().elements(n).iterations(2).Test(k);
    }
  }
}

TEST_P(ExpMinusMaxTest, Primes) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 61, 67, 127, 131, 257, 509, 1021,
                   2039, 4093}) {
    ExpMinusMaxMicrokernelTester()
        .elements(n)
        .guard(n % 4 == 1 ? Guard::kBefore : Guard::kAfter)
        .Test(k);
  }
}

TEST_P(ExpMinusMaxTest, LongRowsSmallRange) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {1000, 4093, 4096}) {
    ExpMinusMaxMicrokernelTester().elements(n).input_range(-10.0f, 10.0f).iterations(5).Test(k);
  }
}

TEST_P(ExpMinusMaxTest, LongRowsLargeRange) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {1000, 4093, 4096}) {
    ExpMinusMaxMicrokernelTester().elements(n).input_range(-1.0e4f, 1.0e4f).iterations(5).Test(k);
  }
}

TEST_P(ExpMinusMaxTest, LongRowsNarrowRange) {
  // Many terms of similar size: the worst case for f32 accumulation.
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {4093, 4096}) {
    ExpMinusMaxMicrokernelTester().elements(n).input_range(-1.0f, 0.0f).iterations(5).Test(k);
  }
}

TEST_P(ExpMinusMaxTest, LongRowsMixedScales) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {1000, 4093, 4096}) {
    ExpMinusMaxMicrokernelTester().elements(n).mixed_scales(true).iterations(5).Test(k);
  }
}

TEST_P(ExpMinusMaxTest, NearFlushThreshold) {
  // max above the row max pushes the terms towards and past the flush threshold.
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float offset : {60.0f, 77.0f, 87.0f}) {
    for (size_t n : {k.tile + 1, size_t{1000}}) {
      ExpMinusMaxMicrokernelTester()
          .elements(n)
          .input_range(-10.0f, 10.0f)
          .max_offset(offset)
          .Test(k);
    }
  }
  // Inputs straddling the flush threshold (u = -126.5, expminusmax-microkernel-tester.h): ±0.05
  // spans flushed, ambiguous and kept terms, subnormal results among the kept ones;
  // max 0 (reference k*ln2) and max 2^14 (reference max itself).
  for (float max : {0.0f, 0x1p14f}) {
    const float boundary = ExpMinusMaxMicrokernelTester::FlushBoundary(max);
    for (size_t n : {k.tile, k.tile + 3}) {
      ExpMinusMaxMicrokernelTester()
          .elements(n)
          .input_range(boundary - 0.05f, boundary + 0.05f)
          .max(max)
          .iterations(3)
          .Test(k);
    }
  }
  // Every term from 2^-127.1 to 2^-125.9: the table form's zero, its wrapped binade (whose
  // lowest entries are furthest from the term, by up to 2^-127) and its first exact one;
  // the degree-5 form's flush and subnormal results. Maxima with k = 0, a large k
  // (bias kTableMagic + 1024 - 16k far from the magic) and the shifted reference.
  for (float max : {0.0f, 11000.0f, -16383.0f, 0x1p14f}) {
    const float lo = ExpMinusMaxMicrokernelTester::InputAtLog2(max, -127.1);
    const float hi = ExpMinusMaxMicrokernelTester::InputAtLog2(max, -125.9);
    for (size_t n : {k.tile + 5, size_t{1000}}) {
      ExpMinusMaxMicrokernelTester().elements(n).input_range(lo, hi).max(max).iterations(2).Test(k);
    }
  }
}

TEST_P(ExpMinusMaxTest, LargeMagnitudeRows) {
  // |max| >= 2^14: the kernels subtract max itself (expminusmax-ref.h), the other path
  // of ExpMinusMax<kShift>; |max| just below 2^14: the largest k of the k*ln2 path.
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  const float kRanges[][2] = {{16384.0f, 16484.0f}, {-30000.0f, -29950.0f}, {1.0e6f, 1.0e6f + 64.0f},
                              {16280.0f, 16383.0f}, {-16383.0f, -16300.0f}};
  for (const auto& range : kRanges) {
    for (size_t n : {k.tile + 1, size_t{1000}}) {
      ExpMinusMaxMicrokernelTester()
          .elements(n)
          .input_range(range[0], range[1])
          .iterations(2)
          .Test(k);
    }
  }
}

TEST_P(ExpMinusMaxTest, SpecialValuesAtEveryTailLane) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  const size_t width = VectorWidth(k.isa);
  const float kSpecials[] = {-std::numeric_limits<float>::infinity(), -1.0e9f, -FLT_MAX,
                             std::numeric_limits<float>::quiet_NaN(), 1.0e-40f, -1.0e-40f};
  for (float special : kSpecials) {
    SCOPED_TRACE(::testing::Message() << "special value " << special);
    for (size_t n = 1; n <= k.tile + width; n++) {
      // First, middle, last, and every lane of the last full and partial vectors.
      const size_t tail_start = n > width + n % width ? n - width - n % width : 0;
      for (size_t position = 0; position < n; position++) {
        if (position != 0 && position != n / 2 && position < tail_start) continue;
        ExpMinusMaxMicrokernelTester().elements(n).special(position, special).Test(k);
      }
    }
  }
}

TEST_P(ExpMinusMaxTest, SpecialValuesInLongRows) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  const size_t n = 4093;
  for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
    ExpMinusMaxMicrokernelTester()
        .elements(n)
        .guard(guard)
        .input_range(-1.0e4f, 1.0e4f)
        .special(0, -std::numeric_limits<float>::infinity())
        .special(1, -FLT_MAX)
        .special(n / 2, -1.0e9f)
        .special(n / 2 + 1, 1.0e-40f)
        .special(n - 2, -std::numeric_limits<float>::infinity())
        .special(n - 1, -FLT_MAX)
        .Test(k);
    ExpMinusMaxMicrokernelTester()
        .elements(n)
        .guard(guard)
        .special(n - 1, std::numeric_limits<float>::quiet_NaN())
        .Test(k);
  }
}

TEST_P(ExpMinusMaxTest, NaNMax) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {size_t{1}, k.tile - 1 + (k.tile == 1), k.tile, 2 * k.tile + 1}) {
    ExpMinusMaxMicrokernelTester().elements(n).max(std::numeric_limits<float>::quiet_NaN()).Test(k);
  }
}

TEST_P(ExpMinusMaxTest, PlusInfinityInputAndMax) {
  // +inf - +inf is NaN: documented NaN (the operator treats such rows apart);
  // the finite inputs give z = -inf, hence exactly 0.
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {size_t{1}, k.tile, 2 * k.tile + 1}) {
    ExpMinusMaxMicrokernelTester()
        .elements(n)
        .special(n / 2, std::numeric_limits<float>::infinity())
        .Test(k);
  }
}

TEST_P(ExpMinusMaxTest, AllMinusInfinity) {
  // max = -inf too: z = -inf - -inf is NaN (documented; the operator treats
  // fully masked rows apart).
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {size_t{1}, k.tile, 2 * k.tile + 1}) {
    ExpMinusMaxMicrokernelTester()
        .elements(n)
        .fill(-std::numeric_limits<float>::infinity())
        .Test(k);
  }
}

TEST_P(ExpMinusMaxTest, AllEqualInputs) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float value : {0.0f, -3.5f, 1.0e30f, -FLT_MAX}) {
    for (size_t n : {k.tile + 1, size_t{4096}}) {
      ExpMinusMaxMicrokernelTester().elements(n).fill(value).Test(k);
    }
  }
}

// output == input.
TEST_P(ExpMinusMaxInPlaceTest, InPlace) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 2 * k.tile + VectorWidth(k.isa); n++) {
    ExpMinusMaxMicrokernelTester().elements(n).inplace(true).Test(k);
  }
  for (size_t n : {1021, 4096}) {
    for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
      ExpMinusMaxMicrokernelTester()
          .elements(n)
          .inplace(true)
          .guard(guard)
          .input_range(-1.0e4f, 1.0e4f)
          .special(n - 1, -std::numeric_limits<float>::infinity())
          .Test(k);
    }
  }
}

// Explicit scales (the default is 1 / sum, as in softmax).
TEST_P(ExpMinusMaxScaleTest, Scales) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float scale : {1.0f, 0.5f, 3.0f, 1.0e-3f, 1.0e-20f, 0.0f}) {
    for (size_t n : {k.tile - 1 + (k.tile == 1), k.tile + 1, size_t{1000}}) {
      ExpMinusMaxMicrokernelTester().elements(n).scale(scale).Test(k);
      ExpMinusMaxMicrokernelTester().elements(n).scale(scale).input_range(-100.0f, 0.0f).Test(k);
    }
  }
}

TEST_P(ExpMinusMaxScaleTest, NaNScale) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  ExpMinusMaxMicrokernelTester()
      .elements(k.tile + 1)
      .scale(std::numeric_limits<float>::quiet_NaN())
      .Test(k);
}

// A max up to ~43 below the row max (the sampled-max reload's estimate): every input gets
// its own term, up to 2^62, on every tail length; for the k*ln2 reference (maxima 0 and
// 11000, whose k is far from 0) and the shifted one (|max| >= 2^14).
TEST_P(ExpMinusMaxAboveMaxTest, WithinHeadroom) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= k.tile + VectorWidth(k.isa); n++) {
    ExpMinusMaxMicrokernelTester()
        .elements(n)
        .input_range(-20.0f, 20.0f)
        .max_offset(-22.0f)
        .above_max(true)
        .Test(k);
  }
  for (float center : {0.0f, 11000.0f, -16000.0f, 20000.0f, -1.0e6f}) {
    for (float offset : {-1.0f, -30.0f, -42.5f}) {
      for (size_t n : {k.tile + 1, size_t{1000}}) {
        ExpMinusMaxMicrokernelTester()
            .elements(n)
            .input_range(center - 10.0f, center + 10.0f)
            .max_offset(offset)
            .iterations(2)
            .above_max(true)
            .Test(k);
      }
    }
  }
}

// Inputs beyond the headroom, +inf included, take the term of upper (~2^62), at every
// lane of the tails, and the sum then reaches 2^61: what tells the operator that its
// estimate was too low (twopass/softmax-phases.h). Just above upper and at upper itself:
// the same term.
TEST_P(ExpMinusMaxAboveMaxTest, ClampedBeyondHeadroom) {
  const ExpMinusMaxKernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float offset : {-50.0f, -200.0f, -1.0e4f}) {
    ExpMinusMaxMicrokernelTester().elements(1000).max_offset(offset).above_max(true).Test(k);
  }
  const size_t width = VectorWidth(k.isa);
  for (float max : {0.0f, -7000.0f, 0x1p14f}) {
    const float upper = GetExpMinusMaxRef(max).upper;
    const float kAbove[] = {std::numeric_limits<float>::infinity(), FLT_MAX, max + 60.0f,
                            nextafterf(upper, INFINITY), upper};
    for (float above : kAbove) {
      SCOPED_TRACE(::testing::Message() << "max " << max << ", input " << above);
      for (size_t n = 1; n <= k.tile + width; n++) {
        const size_t tail_start = n > width + n % width ? n - width - n % width : 0;
        for (size_t position = 0; position < n; position++) {
          if (position != 0 && position != n / 2 && position < tail_start) continue;
          ExpMinusMaxMicrokernelTester()
              .elements(n)
              .input_range(max - 10.0f, max)
              .special(position, above)
              .max(max)
              .above_max(true)
              .Test(k);
          std::vector<float> x(n, max - 5.0f);
          x[position] = above;
          std::vector<float> y(n);
          float sum = 0.0f;
          const float params[2] = {max, upper};
          k.raddstore(n * sizeof(float), x.data(), params, y.data(), &sum);
          ASSERT_GE(static_cast<double>(sum), kExpMinusMaxClampedSum)
              << "n " << n << " at " << position;
          ASSERT_LT(sum, 0x1p63f) << "n " << n << " at " << position;
        }
      }
    }
  }
}

}  // namespace testing
}  // namespace twopass
