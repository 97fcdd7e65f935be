// Tests of every f32-vsublse kernel listed in src/f32-vsublse/f32-vsublse.inc.
// Contract: see vsublse-microkernel-tester.h.

#include <float.h>
#include <stddef.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "expminusmax-microkernel-tester.h"  // VectorWidth
#include "guarded-buffer.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"
#include "vsublse-microkernel-tester.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f32_vsublse_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vsublse/f32-vsublse.inc"
#undef TWOPASS_UKERNEL
};

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Row lengths that put a special value in every lane of the main loop, of the
// vector loop after it and of the tail (every tail length up to one vector).
std::vector<size_t> SpecialRowLengths(const Kernel& k) {
  const size_t width = VectorWidth(k.isa);
  std::vector<size_t> lengths;
  for (size_t n = 1; n <= width + 1; n++) lengths.push_back(n);
  for (size_t n : {k.tile - 1, k.tile + width + 3, 2 * k.tile + width - 1}) lengths.push_back(n);
  return lengths;
}

class F32VSubLseTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F32VSubLseTest, ExactTile) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  VSubLseMicrokernelTester().elements(k.tile).iterations(3).Test(k.fn);
}

TEST_P(F32VSubLseTest, EveryTailLength) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t n = 1; n <= 3 * k.tile + VectorWidth(k.isa); n++) {
    for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
      VSubLseMicrokernelTester().elements(n).guard(guard).Test(k.fn);
      VSubLseMicrokernelTester().elements(n).guard(guard).inplace(true).Test(k.fn);
    }
  }
}

TEST_P(F32VSubLseTest, TileMultiplesAndPrimes) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (size_t m : {4, 8, 16}) {
    for (size_t n : {m * k.tile - 1, m * k.tile, m * k.tile + 1}) {
      VSubLseMicrokernelTester().elements(n).Test(k.fn);
    }
  }
  for (size_t n : {2, 3, 5, 7, 11, 13, 17, 31, 61, 127, 257, 1021, 4093, 65537}) {
    VSubLseMicrokernelTester()
        .elements(n)
        .guard(n % 4 == 1 ? Guard::kBefore : Guard::kAfter)
        .Test(k.fn);
    VSubLseMicrokernelTester().elements(n).inplace(true).Test(k.fn);
  }
}

// The log-sum-exp pairs of real rows (small and huge magnitudes, lo of either sign),
// plus the values a row never produces but the arithmetic must still follow.
TEST_P(F32VSubLseTest, LseValues) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  const float pairs[][2] = {{0.0f, 0.0f},         {7.25f, 3.0e-7f},    {-3.5f, -1.0e-7f},
                            {1.0e4f, 2.4e-4f},    {-1.0e4f, -4.0e-4f}, {3.0e38f, 1.0e31f},
                            {1.0e-30f, 1.0e-38f}, {kInf, 0.0f},        {kNaN, 0.0f}};
  for (const auto& p : pairs) {
    for (size_t n : {k.tile + 1, size_t{1000}}) {
      VSubLseMicrokernelTester()
          .elements(n)
          .lse(p[0], p[1])
          .input_range(-1.0e4f, 1.0e4f)
          .Test(k.fn);
      VSubLseMicrokernelTester()
          .elements(n)
          .lse(p[0], p[1])
          .input_range(p[0] - 20.0f, p[0] + 1.0f)
          .Test(k.fn);
    }
  }
}

TEST_P(F32VSubLseTest, SpecialValuesAtEveryPosition) {
  const Kernel& k = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(k.isa);
  for (float special : {kNaN, kInf, -kInf, -FLT_MAX, FLT_MAX, 1.0e-40f, -0.0f}) {
    SCOPED_TRACE(::testing::Message() << "special value " << special);
    for (size_t n : SpecialRowLengths(k)) {
      for (size_t position = 0; position < n; position++) {
        VSubLseMicrokernelTester()
            .elements(n)
            .special(position, special)
            .inplace(n % 2 == 0)
            .Test(k.fn);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32VSubLseTest, ::testing::ValuesIn(kKernels),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

// Non-temporal variants: bitwise equal to their regular twin at every output alignment,
// out of place and in place, nothing written outside the row.
class F32VSubLseNtTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F32VSubLseNtTest, BitwiseEqualToRegularAtEveryOutputAlignment) {
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
    const float hi = 12.5f, lo = -2.0e-7f;
    std::vector<float> expected(n);
    regular->fn(n * sizeof(float), row.data(), expected.data(), hi, lo);
    for (size_t offset = 0; offset < 16; offset++) {
      for (bool inplace : {false, true}) {
        SCOPED_TRACE(::testing::Message() << nt.name << " n=" << n << " output offset " << offset
                                          << (inplace ? " in place" : ""));
        OffsetFloatBuffer x(n, inplace ? offset : (offset * 5 + 3) % 16);
        OffsetFloatBuffer y(n, offset);
        std::copy(row.begin(), row.end(), x.data());
        float* out = inplace ? x.data() : y.data();
        nt.fn(n * sizeof(float), x.data(), out, hi, lo);
        for (size_t i = 0; i < n; i++) {
          ASSERT_EQ(FloatBits(out[i]), FloatBits(expected[i]))
              << "index " << i << ": x " << row[i] << " gave " << out[i] << ", the regular variant "
              << expected[i];
        }
        ASSERT_TRUE(x.SentinelsIntact()) << "wrote outside the input row";
        ASSERT_TRUE(y.SentinelsIntact()) << "wrote outside the output row";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(NtVariants, F32VSubLseNtTest, ::testing::ValuesIn(NtVariants(kKernels)),
                         [](const ::testing::TestParamInfo<Kernel>& info) {
                           return info.param.variant();
                         });

}  // namespace
}  // namespace testing
}  // namespace twopass
