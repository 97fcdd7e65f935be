// Tests of every f16-vsublse kernel listed in src/f16-vsublse/f16-vsublse.inc.
// Contract: see vsublse-microkernel-tester.h (results rounded to halves, nearest even).

#include <stddef.h>
#include <stdint.h>

#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "f16-test-util.h"
#include "guarded-buffer.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"
#include "vsublse-microkernel-tester.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f16_vsublse_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f16-vsublse/f16-vsublse.inc"
#undef TWOPASS_UKERNEL
};

// Row lengths that put a special value in every lane of the main loop, of the
// vector loop after it and of the tail (every tail length up to one vector).
std::vector<size_t> SpecialRowLengths(const Kernel& k) {
  const size_t width = VectorWidth(k.isa);
  std::vector<size_t> lengths;
  for (size_t n = 1; n <= width + 1; n++) lengths.push_back(n);
  for (size_t n : {k.tile - 1, k.tile + width + 3, 2 * k.tile + width - 1}) lengths.push_back(n);
  return lengths;
}

class F16VSubLseTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F16VSubLseTest, EveryTailLength) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
      VSubLseMicrokernelTester().elements(n).guard(guard).Test(k.fn);
      VSubLseMicrokernelTester().elements(n).guard(guard).inplace(true).Test(k.fn);
    }
  }
}

TEST_P(F16VSubLseTest, TileMultiplesAndPrimes) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n : {4 * k.tile - 1, 4 * k.tile, 4 * k.tile + 1, size_t{1021}, size_t{65537}}) {
    VSubLseMicrokernelTester().elements(n).iterations(2).Test(k.fn);
    VSubLseMicrokernelTester().elements(n).inplace(true).Test(k.fn);
  }
}

// Results across the half range: subnormal halves, overflow to -inf (x - lse below
// -65520), exact cancellation.
TEST_P(F16VSubLseTest, LseValues) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  const float pairs[][2] = {{0.0f, 0.0f},       {7.25f, 3.0e-7f},    {-3.5f, -1.0e-7f},
                            {1.0e4f, 2.4e-4f},  {60000.0f, 1.0e-3f}, {-60000.0f, 0.0f},
                            {1.0e-5f, 1.0e-12f}};
  for (const auto& p : pairs) {
    VSubLseMicrokernelTester()
        .elements(k.tile * 3 + 5)
        .lse(p[0], p[1])
        .input_range(-65504.0f, 65504.0f)
        .Test(k.fn);
    VSubLseMicrokernelTester()
        .elements(k.tile * 3 + 5)
        .lse(p[0], p[1])
        .input_range(p[0] - 1.0f, p[0] + 1.0f)
        .Test(k.fn);
  }
}

TEST_P(F16VSubLseTest, SpecialValuesAtEveryPosition) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (uint16_t special : SpecialHalves()) {
    SCOPED_TRACE(::testing::Message() << "special half 0x" << std::hex << special);
    for (size_t n : SpecialRowLengths(k)) {
      for (size_t position = 0; position < n; position++) {
        VSubLseMicrokernelTester()
            .elements(n)
            .special(position, HalfToFloat(special))
            .inplace(n % 2 == 0)
            .Test(k.fn);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F16VSubLseTest, ::testing::ValuesIn(kKernels),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

}  // namespace
}  // namespace testing
}  // namespace twopass
