// Tests of every f32-raddstoreexpminusmax kernel listed in
// src/f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc.
// Contract and tolerances: see expminusmax-tester.h.

#include <float.h>
#include <stddef.h>

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "expminusmax-tester.h"
#include "guarded-buffer.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f32_raddstoreexpminusmax_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-raddstoreexpminusmax/f32-raddstoreexpminusmax.inc"
#undef TWOPASS_UKERNEL
};

class F32RAddStoreExpMinusMaxTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F32RAddStoreExpMinusMaxTest, ExactTile) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  ExpMinusMaxTester().elements(k.tile).iterations(3).Test(k.fn);
}

TEST_P(F32RAddStoreExpMinusMaxTest, EveryTailLengthGuardAfter) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    ExpMinusMaxTester().elements(n).guard(Guard::kAfter).Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, EveryTailLengthGuardBefore) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    ExpMinusMaxTester().elements(n).guard(Guard::kBefore).Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, TileMultiples) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t m = 4; m <= 16; m *= 2) {
    for (size_t n : {m * k.tile - 1, m * k.tile, m * k.tile + 1}) {
      ExpMinusMaxTester().elements(n).iterations(2).Test(k.fn);
    }
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, Primes) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 61, 67, 127, 131, 257, 509, 1021,
                   2039, 4093}) {
    ExpMinusMaxTester().elements(n).guard(n % 4 == 1 ? Guard::kBefore : Guard::kAfter).Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, LongRowsSmallRange) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {1000, 4093, 4096}) {
    ExpMinusMaxTester().elements(n).input_range(-10.0f, 10.0f).iterations(5).Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, LongRowsLargeRange) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {1000, 4093, 4096}) {
    ExpMinusMaxTester().elements(n).input_range(-1.0e4f, 1.0e4f).iterations(5).Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, LongRowsNarrowRange) {
  // Many terms of similar size: the worst case for f32 accumulation.
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {4093, 4096}) {
    ExpMinusMaxTester().elements(n).input_range(-1.0f, 0.0f).iterations(5).Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, LongRowsMixedScales) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {1000, 4093, 4096}) {
    ExpMinusMaxTester().elements(n).mixed_scales(true).iterations(5).Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, NearFlushThreshold) {
  // max above the row max pushes z towards and past ln(FLT_MIN).
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float offset : {60.0f, 77.0f, 87.0f}) {
    for (size_t n : {k.tile + 1, size_t{1000}}) {
      ExpMinusMaxTester().elements(n).input_range(-10.0f, 10.0f).max_offset(offset).Test(k.fn);
    }
  }
  // z straddling the cutoff within a few ULP.
  for (size_t n : {k.tile, k.tile + 3}) {
    ExpMinusMaxTester()
        .elements(n)
        .input_range(ExpMinusMaxTester::kCutoff - 1.0e-4f, ExpMinusMaxTester::kCutoff + 1.0e-4f)
        .max(0.0f)
        .iterations(3)
        .Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, SpecialValuesAtEveryTailLane) {
  const Kernel& k = GetParam();
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
        ExpMinusMaxTester().elements(n).special(position, special).Test(k.fn);
      }
    }
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, SpecialValuesInLongRows) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  const size_t n = 4093;
  for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
    ExpMinusMaxTester()
        .elements(n)
        .guard(guard)
        .input_range(-1.0e4f, 1.0e4f)
        .special(0, -std::numeric_limits<float>::infinity())
        .special(1, -FLT_MAX)
        .special(n / 2, -1.0e9f)
        .special(n / 2 + 1, 1.0e-40f)
        .special(n - 2, -std::numeric_limits<float>::infinity())
        .special(n - 1, -FLT_MAX)
        .Test(k.fn);
    ExpMinusMaxTester()
        .elements(n)
        .guard(guard)
        .special(n - 1, std::numeric_limits<float>::quiet_NaN())
        .Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, NaNMax) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {size_t{1}, k.tile - 1 + (k.tile == 1), k.tile, 2 * k.tile + 1}) {
    ExpMinusMaxTester().elements(n).max(std::numeric_limits<float>::quiet_NaN()).Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, PlusInfinityInputAndMax) {
  // +inf - +inf is NaN: documented NaN (the operator treats such rows apart);
  // the finite inputs give z = -inf, hence exactly 0.
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {size_t{1}, k.tile, 2 * k.tile + 1}) {
    ExpMinusMaxTester().elements(n).special(n / 2, std::numeric_limits<float>::infinity())
        .Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, AllMinusInfinity) {
  // max = -inf too: z = -inf - -inf is NaN (documented; the operator treats
  // fully masked rows apart).
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {size_t{1}, k.tile, 2 * k.tile + 1}) {
    ExpMinusMaxTester().elements(n).fill(-std::numeric_limits<float>::infinity()).Test(k.fn);
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, AllEqualInputs) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float value : {0.0f, -3.5f, 1.0e30f, -FLT_MAX}) {
    for (size_t n : {k.tile + 1, size_t{4096}}) {
      ExpMinusMaxTester().elements(n).fill(value).Test(k.fn);
    }
  }
}

TEST_P(F32RAddStoreExpMinusMaxTest, InPlace) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 2 * k.tile + VectorWidth(k.isa); n++) {
    ExpMinusMaxTester().elements(n).inplace(true).Test(k.fn);
  }
  for (size_t n : {1021, 4096}) {
    for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
      ExpMinusMaxTester()
          .elements(n)
          .inplace(true)
          .guard(guard)
          .input_range(-1.0e4f, 1.0e4f)
          .special(n - 1, -std::numeric_limits<float>::infinity())
          .Test(k.fn);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32RAddStoreExpMinusMaxTest, ::testing::ValuesIn(kKernels),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

}  // namespace
}  // namespace testing
}  // namespace twopass
