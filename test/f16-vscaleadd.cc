// Tests of every f16-vscaleadd kernel listed in src/f16-vscaleadd/f16-vscaleadd.inc.
// Contract: see vscaleadd-microkernel-tester.h (halves in, widened exactly; f32 out).

#include <float.h>
#include <stddef.h>

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "f16-test-util.h"
#include "guarded-buffer.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"
#include "vscaleadd-microkernel-tester.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f16_vscaleadd_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f16-vscaleadd/f16-vscaleadd.inc"
#undef TWOPASS_UKERNEL
};

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

class F16VScaleAddTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F16VScaleAddTest, EveryTailLength) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
      for (bool addend : {true, false}) {
        VScaleAddMicrokernelTester().elements(n).guard(guard).addend(addend).Test(k.fn);
      }
    }
  }
}

TEST_P(F16VScaleAddTest, TileMultiplesAndPrimes) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n :
       {4 * k.tile - 1, 4 * k.tile, 4 * k.tile + 1, size_t{1021}, size_t{4096}, size_t{65537}}) {
    VScaleAddMicrokernelTester().elements(n).iterations(2).Test(k.fn);
    VScaleAddMicrokernelTester().elements(n).addend(false).Test(k.fn);
  }
}

// Scales of every kind: 1 (exact), 0 (0 * inf is NaN), negative, huge (products
// overflow to inf), tiny (products underflow to subnormals and 0), and inputs over
// the whole float range: products and sums where one rounding or two differ.
TEST_P(F16VScaleAddTest, Scales) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float scale : {1.0f, 0.0f, -0.0f, -1.0f, 0.125f, 0.7071068f, -3.3f, 1.0e30f, FLT_MAX,
                      1.0e-30f, FLT_MIN, 1.0e-45f}) {  // inputs: the half range
    for (bool addend : {true, false}) {
      VScaleAddMicrokernelTester()
          .elements(3 * k.tile + 5)
          .scale(scale)
          .addend(addend)
          .input_range(-65504.0f, 65504.0f)
          .Test(k.fn);
      VScaleAddMicrokernelTester()
          .elements(3 * k.tile + 5)
          .scale(scale)
          .addend(addend)
          .input_range(-1.0e-3f, 1.0e-3f)
          .iterations(4)
          .Test(k.fn);
    }
  }
}

// NaN, infinities (-inf masks), FLT_MAX and subnormals in every lane of input and addend.
TEST_P(F16VScaleAddTest, SpecialValuesAtEveryPosition) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  const size_t width = VectorWidth(k.isa);
  std::vector<size_t> lengths;
  for (size_t n = 1; n <= width + 1; n++) lengths.push_back(n);
  for (size_t n : {k.tile - 1, k.tile + width + 3}) lengths.push_back(n);
  for (float special : {kNaN, kInf, -kInf, 65504.0f, -65504.0f, 6.0e-8f, -0.0f}) {
    for (size_t n : lengths) {
      for (size_t position = 0; position < n; position++) {
        VScaleAddMicrokernelTester().elements(n).special(position, special).Test(k.fn);
        VScaleAddMicrokernelTester().elements(n).addend_special(position, special).Test(k.fn);
      }
    }
  }
}

// Every half, scale 1 and no addend: the exact widening (x * 1 = x), which the f16
// three-pass paths use to widen their rows (src/softmax-phases.cc, WidenHalves).
TEST_P(F16VScaleAddTest, EveryHalfWidensExactly) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  std::vector<uint16_t> halves(65536);
  for (size_t i = 0; i < halves.size(); i++) halves[i] = static_cast<uint16_t>(i);
  std::vector<float> widened(halves.size());
  k.fn(halves.size() * sizeof(uint16_t), halves.data(), nullptr, widened.data(), 1.0f);
  for (size_t i = 0; i < halves.size(); i++) {
    const float expected = HalfToFloat(halves[i]);
    if (std::isnan(expected)) {
      ASSERT_TRUE(std::isnan(widened[i])) << "half 0x" << std::hex << i;
    } else {
      ASSERT_EQ(FloatBits(widened[i]), FloatBits(expected)) << "half 0x" << std::hex << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F16VScaleAddTest, ::testing::ValuesIn(kKernels),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

}  // namespace
}  // namespace testing
}  // namespace twopass
