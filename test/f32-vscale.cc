// Tests of every f32-vscale kernel listed in src/f32-vscale/f32-vscale.inc.
// Contract: see vscale-microkernel-tester.h.

#include <float.h>
#include <stddef.h>

#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "expminusmax-microkernel-tester.h"  // VectorWidth
#include "vscale-microkernel-tester.h"
#include "guarded-buffer.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f32_vscale_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscale/f32-vscale.inc"
#undef TWOPASS_UKERNEL
};

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

class F32VScaleTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F32VScaleTest, ExactTile) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  VScaleMicrokernelTester().elements(k.tile).iterations(3).Test(k.fn);
}

TEST_P(F32VScaleTest, EveryTailLength) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
      VScaleMicrokernelTester().elements(n).guard(guard).Test(k.fn);
      VScaleMicrokernelTester().elements(n).guard(guard).inplace(true).Test(k.fn);
    }
  }
}

TEST_P(F32VScaleTest, TileMultiplesAndPrimes) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t m : {4, 8, 16}) {
    for (size_t n : {m * k.tile - 1, m * k.tile, m * k.tile + 1}) {
      VScaleMicrokernelTester().elements(n).Test(k.fn);
    }
  }
  for (size_t n : {2, 3, 5, 7, 11, 13, 17, 31, 61, 127, 257, 1021, 4093, 65537}) {
    VScaleMicrokernelTester()
        .elements(n)
        .guard(n % 4 == 1 ? Guard::kBefore : Guard::kAfter)
        .Test(k.fn);
    VScaleMicrokernelTester().elements(n).inplace(true).Test(k.fn);
  }
}

TEST_P(F32VScaleTest, Scales) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float scale : {1.0f, -2.5f, 1.0e-3f, 1.0e30f, 1.0e-30f, 0.0f, -0.0f, kInf, kNaN}) {
    for (size_t n : {k.tile + 1, size_t{1000}}) {
      VScaleMicrokernelTester().elements(n).scale(scale).input_range(-1.0e4f, 1.0e4f).Test(k.fn);
    }
  }
}

TEST_P(F32VScaleTest, SpecialValuesAtEveryPosition) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float special : {kNaN, kInf, -kInf, -FLT_MAX, FLT_MAX, 1.0e-40f, -0.0f}) {
    SCOPED_TRACE(::testing::Message() << "special value " << special);
    for (size_t n = 1; n <= 2 * k.tile + VectorWidth(k.isa); n++) {
      for (size_t position = 0; position < n; position++) {
        VScaleMicrokernelTester()
            .elements(n)
            .special(position, special)
            .inplace(n % 2 == 0)
            .Test(k.fn);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32VScaleTest, ::testing::ValuesIn(kKernels),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

// Non-temporal variants (token nt): only the store instruction differs from the
// regular twin (the same symbol without _nt), so the results must be bitwise equal, for
// every alignment of the output (offsets 0-15 floats from a 64-byte boundary: the
// unaligned head, streamed vectors and the tail take different paths), out of place
// and in place, and nothing outside the row may be written.
class F32VScaleNtTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F32VScaleNtTest, BitwiseEqualToRegularAtEveryOutputAlignment) {
  const Kernel& nt = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(nt.isa);
  const Kernel* regular = RegularTwin(kKernels, nt);
  ASSERT_NE(regular, nullptr) << nt.name << " has no regular twin in the table";
  ASSERT_EQ(regular->isa, nt.isa);
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> uniform(-1.0e4f, 1.0e4f);
  for (size_t n : NtAlignmentSizes(nt.tile)) {
    std::vector<float> row(n);
    for (float& v : row) v = uniform(rng);
    if (n % 3 == 0) {
      row[n / 3] = -kInf;
      row[n / 2] = kNaN;
    }
    const float scale = 0.3f;
    std::vector<float> expected(n);
    regular->fn(n * sizeof(float), row.data(), expected.data(), scale);
    for (size_t offset = 0; offset < 16; offset++) {
      for (bool inplace : {false, true}) {
        SCOPED_TRACE(::testing::Message() << nt.name << " n=" << n << " output offset "
                                          << offset << (inplace ? " in place" : ""));
        OffsetFloatBuffer x(n, inplace ? offset : (offset * 5 + 3) % 16);
        OffsetFloatBuffer y(n, offset);
        std::copy(row.begin(), row.end(), x.data());
        float* out = inplace ? x.data() : y.data();
        nt.fn(n * sizeof(float), x.data(), out, scale);
        for (size_t i = 0; i < n; i++) {
          ASSERT_EQ(FloatBits(out[i]), FloatBits(expected[i]))
              << "index " << i << ": x " << row[i] << " gave " << out[i]
              << ", the regular variant " << expected[i];
        }
        ASSERT_TRUE(x.SentinelsIntact()) << "wrote outside the input row";
        ASSERT_TRUE(y.SentinelsIntact()) << "wrote outside the output row";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(NtVariants, F32VScaleNtTest, ::testing::ValuesIn(NtVariants(kKernels)),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

}  // namespace
}  // namespace testing
}  // namespace twopass
