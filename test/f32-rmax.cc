// Tests of every f32-rmax kernel listed in src/f32-rmax/f32-rmax.inc.
// Contract: see rmax-microkernel-tester.h.

#include <float.h>
#include <stddef.h>

#include <limits>

#include <gtest/gtest.h>

#include "expminusmax-microkernel-tester.h"  // VectorWidth
#include "rmax-microkernel-tester.h"
#include "guarded-buffer.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f32_rmax_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-rmax/f32-rmax.inc"
#undef TWOPASS_UKERNEL
};

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

class F32RMaxTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F32RMaxTest, ExactTile) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  RMaxMicrokernelTester().elements(k.tile).iterations(5).Test(k.fn);
}

TEST_P(F32RMaxTest, EveryTailLength) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
      RMaxMicrokernelTester().elements(n).guard(guard).iterations(2).Test(k.fn);
    }
  }
}

TEST_P(F32RMaxTest, TileMultiplesAndPrimes) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t m : {4, 8, 16}) {
    for (size_t n : {m * k.tile - 1, m * k.tile, m * k.tile + 1}) {
      RMaxMicrokernelTester().elements(n).iterations(2).Test(k.fn);
    }
  }
  for (size_t n : {2, 3, 5, 7, 11, 13, 17, 31, 61, 127, 257, 1021, 4093, 65537}) {
    RMaxMicrokernelTester()
        .elements(n)
        .guard(n % 4 == 1 ? Guard::kBefore : Guard::kAfter)
        .Test(k.fn);
  }
}

TEST_P(F32RMaxTest, Ranges) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {k.tile + 1, size_t{4096}}) {
    RMaxMicrokernelTester().elements(n).input_range(-1.0e4f, 1.0e4f).iterations(3).Test(k.fn);
    RMaxMicrokernelTester().elements(n).input_range(-1.0e4f, -1.0e3f).iterations(3).Test(k.fn);
    RMaxMicrokernelTester().elements(n).input_range(-FLT_MAX, FLT_MAX).iterations(3).Test(k.fn);
  }
}

TEST_P(F32RMaxTest, MaximumAtEveryPosition) {
  // A single large value anywhere must win, whichever accumulator or lane it is in.
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 2 * k.tile + VectorWidth(k.isa); n++) {
    for (size_t position = 0; position < n; position++) {
      RMaxMicrokernelTester().elements(n).special(position, 100.0f).Test(k.fn);
    }
  }
}

TEST_P(F32RMaxTest, SpecialValuesAtEveryPosition) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float special : {kNaN, -kNaN, kInf, -kInf, -FLT_MAX, FLT_MAX, 1.0e-40f, -1.0e-40f}) {
    SCOPED_TRACE(::testing::Message() << "special value " << special);
    for (size_t n = 1; n <= 2 * k.tile + VectorWidth(k.isa); n++) {
      for (size_t position = 0; position < n; position++) {
        RMaxMicrokernelTester().elements(n).special(position, special).Test(k.fn);
      }
    }
  }
}

TEST_P(F32RMaxTest, NaNAmongLargerValues) {
  // NaN first, then larger values: a plain max would forget the NaN.
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {k.tile, 3 * k.tile + 1, size_t{4093}}) {
    RMaxMicrokernelTester().elements(n).special(0, kNaN).Test(k.fn);
    RMaxMicrokernelTester().elements(n).special(n - 1, kNaN).special(0, kInf).Test(k.fn);
    RMaxMicrokernelTester().elements(n).fill(kNaN).Test(k.fn);
  }
}

TEST_P(F32RMaxTest, SingleValueRows) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float value : {-kInf, kInf, -FLT_MAX, 0.0f, -0.0f, 1.0e-40f, -1.0e-40f}) {
    for (size_t n : {size_t{1}, k.tile, 2 * k.tile + 3}) {
      RMaxMicrokernelTester().elements(n).fill(value).Test(k.fn);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32RMaxTest, ::testing::ValuesIn(kKernels),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

}  // namespace
}  // namespace testing
}  // namespace twopass
