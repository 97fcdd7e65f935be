// Tests of every f32-vscaleextexp variant listed in src/f32-vscaleextexp/f32-vscaleextexp.inc.
#include <float.h>
#include <math.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"
#include "vscaleextexp-microkernel-tester.h"

namespace twopass {
namespace testing {
namespace {

using Kernel = UkernelInfo<twopass_f32_vscaleextexp_ukernel_fn>;

const Kernel kKernels[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscaleextexp/f32-vscaleextexp.inc"
#undef TWOPASS_UKERNEL
};

class F32VscaleextexpTest : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { TWOPASS_TEST_REQUIRES_ISA(GetParam().isa); }
  const Kernel& kernel() const { return GetParam(); }
  void RunSizes(VScaleExtExpMicrokernelTester tester) {
    for (size_t n : TileSizes(kernel().tile)) {
      tester.elements(n).Test(kernel().fn, kernel().isa, kernel().name);
      if (HasFailure()) return;
    }
  }
};

TEST_P(F32VscaleextexpTest, RangeMinus10To10) {
  RunSizes(VScaleExtExpMicrokernelTester().input_range(-10.0f, 10.0f));
}

TEST_P(F32VscaleextexpTest, Range90To100) {
  RunSizes(VScaleExtExpMicrokernelTester().input_range(90.0f, 100.0f));
}

TEST_P(F32VscaleextexpTest, RangeMinus1e4To1e4) {
  RunSizes(VScaleExtExpMicrokernelTester().input_range(-1e4f, 1e4f));
}

TEST_P(F32VscaleextexpTest, MixedScales) {
  RunSizes(VScaleExtExpMicrokernelTester().mixed_range(-1e4f, 1e4f));
}

// Scale (1, 0): plain exp, where float exp is representable.
TEST_P(F32VscaleextexpTest, UnitScale) {
  RunSizes(VScaleExtExpMicrokernelTester().input_range(-87.0f, 88.0f).scale(1.0f, 0.0f));
}

TEST_P(F32VscaleextexpTest, InPlace) {
  RunSizes(VScaleExtExpMicrokernelTester().input_range(-20.0f, 20.0f).inplace(true));
  RunSizes(VScaleExtExpMicrokernelTester().mixed_range(-1e4f, 1e4f).inplace(true));
}

// Every tail length with input and output against a guard page after or before.
TEST_P(F32VscaleextexpTest, GuardPagesEveryTail) {
  const size_t tile = kernel().tile;
  for (Guard in_guard : {Guard::kAfter, Guard::kBefore}) {
    for (Guard out_guard : {Guard::kAfter, Guard::kBefore}) {
      for (size_t n = 1; n <= 2 * tile; n++) {
        VScaleExtExpMicrokernelTester()
            .elements(n)
            .input_guard(in_guard)
            .output_guard(out_guard)
            .iterations(1)
            .Test(kernel().fn, kernel().isa, kernel().name);
        if (HasFailure()) return;
      }
      for (size_t n = 1; n <= 2 * tile; n++) {
        VScaleExtExpMicrokernelTester()
            .elements(n)
            .input_guard(in_guard)
            .inplace(true)
            .iterations(1)
            .Test(kernel().fn, kernel().isa, kernel().name);
        if (HasFailure()) return;
      }
    }
  }
}

// Special values at the first, a middle and the last position and in the tail
// (TailPositions: every lane of its first and last vectors); with scale (1, 0) the
// saturations are predictable.
TEST_P(F32VscaleextexpTest, SpecialValuesEveryPosition) {
  const float specials[] = {-INFINITY, -1e9f, -FLT_MAX, FLT_MAX, NAN,
                            INFINITY,  1e-40f, -1e-40f, 0.0f,    -0.0f};
  const size_t tile = kernel().tile;
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
        const std::string what = std::string(kernel().name) + " n=" + std::to_string(n) +
                                 " special=" + Hex(special) + " at " + std::to_string(position);
        for (bool inplace : {false, true}) {
          GuardedBuffer<float> x(n, Guard::kAfter);
          GuardedBuffer<float> y(n, Guard::kBefore);
          std::copy(r.begin(), r.end(), x.begin());
          float* out = inplace ? x.data() : y.data();
          kernel().fn(n * sizeof(float), x.data(), out, 1.0f, 0.0f);
          const double bound = ExpUlpBound(kernel().isa);
          for (size_t i = 0; i < n; i++) {
            CheckVscaleextexp(r[i], out[i], 1.0f, 0.0f, bound, what + " index " + std::to_string(i));
          }
          // Saturations beyond the accurate range, with scale (1, 0).
          if (special == -1e9f || special == -FLT_MAX) {
            EXPECT_EQ(FloatBits(out[position]), 0u) << what;
          }
          if (special == FLT_MAX) {
            EXPECT_EQ(out[position], INFINITY) << what;
          }
          if (special == 1e-40f || special == -1e-40f || special == 0.0f) {
            EXPECT_EQ(out[position], 1.0f) << what;
          }
        }
        if (HasFailure()) return;
      }
    }
  }
}

// A softmax-like scale with a huge negative exponent: -inf still gives +0, and
// finite inputs never give NaN.
TEST_P(F32VscaleextexpTest, ExtremeScales) {
  const size_t n = 2 * kernel().tile + 1;
  std::vector<float> row(n);
  for (size_t i = 0; i < n; i++) row[i] = i % 4 == 0 ? -INFINITY : 1e4f - static_cast<float>(i);
  for (float e : {-14427.0f, -1e6f, 1e6f, -FLT_MAX, 0.0f}) {
    std::vector<float> y(n);
    kernel().fn(n * sizeof(float), row.data(), y.data(), 0.75f, e);
    for (size_t i = 0; i < n; i++) {
      EXPECT_FALSE(std::isnan(y[i])) << "e=" << e << " i=" << i;
      EXPECT_GE(y[i], 0.0f);
      if (row[i] == -INFINITY) {
        EXPECT_EQ(FloatBits(y[i]), 0u) << "e=" << e << " i=" << i;
      }
    }
    if (e == -14427.0f) {
      const double bound = ScaledExpUlpBound(kernel().isa, 0.75f);
      for (size_t i = 0; i < n; i++) CheckVscaleextexp(row[i], y[i], 0.75f, e, bound, "e=-14427");
    }
  }
}

std::string VariantName(const ::testing::TestParamInfo<Kernel>& info) {
  return info.param.variant();
}

INSTANTIATE_TEST_SUITE_P(Variants, F32VscaleextexpTest, ::testing::ValuesIn(kKernels),
                         VariantName);

// All variants on this CPU agree within the sum of their ULP bounds.
TEST(F32VscaleextexpConsistency, AllVariantsAgree) {
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> wide(-1e4f, 1e4f);
  const size_t n = 4093;
  std::vector<float> row(n);
  for (float& v : row) v = wide(rng);
  const float e = -std::rint(*std::max_element(row.begin(), row.end()) * 0x1.715476p+0f);
  std::vector<float> first(n);
  const Kernel* first_kernel = nullptr;
  for (const Kernel& k : kKernels) {
    if (!testing::IsaUnderTest(k.isa)) continue;
    std::vector<float> y(n);
    k.fn(n * sizeof(float), row.data(), y.data(), 0.8f, e);
    if (first_kernel == nullptr) {
      first = y;
      first_kernel = &k;
      continue;
    }
    const double bound = ScaledExpUlpBound(k.isa, 0.8f) + ScaledExpUlpBound(first_kernel->isa, 0.8f);
    for (size_t i = 0; i < n; i++) {
      if (first[i] < 0x1p-126f && y[i] < 0x1p-126f) continue;  // both may flush
      EXPECT_LE(UlpError(y[i], first[i]), bound)
          << k.name << " vs " << first_kernel->name << " x=" << row[i];
    }
  }
}

// Non-temporal variants (token nt): only the store instruction differs from the
// regular twin (the same symbol without _nt), so the results must be bitwise equal, for
// every alignment of the output (offsets 0-15 floats from a 64-byte boundary: the
// unaligned head, streamed vectors and the tail take different paths), out of place
// and in place, and nothing outside the row may be written.
class F32VscaleextexpNtTest : public ::testing::TestWithParam<Kernel> {};

TEST_P(F32VscaleextexpNtTest, BitwiseEqualToRegularAtEveryOutputAlignment) {
  const Kernel& nt = GetParam();
  TWOPASS_TEST_REQUIRES_ISA(nt.isa);
  const Kernel* regular = RegularTwin(kKernels, nt);
  ASSERT_NE(regular, nullptr) << nt.name << " has no regular twin in the table";
  ASSERT_EQ(regular->isa, nt.isa);
  std::mt19937 rng(TestSeed());
  std::uniform_real_distribution<float> uniform(-100.0f, 100.0f);
  for (size_t n : NtAlignmentSizes(nt.tile)) {
    std::vector<float> row(n);
    for (float& v : row) v = uniform(rng);
    // Every third size gets -inf, NaN and +inf (the clamped recompute path of a block).
    if (n % 3 == 0) {
      row[n / 3] = -INFINITY;
      row[n / 2] = NAN;
      row[n - 1] = n > 64 ? INFINITY : row[n - 1];
    }
    const float s = 0.8f;
    const float e = -std::rint(100.0f * 0x1.715476p+0f);
    std::vector<float> expected(n);
    regular->fn(n * sizeof(float), row.data(), expected.data(), s, e);
    for (size_t offset = 0; offset < 16; offset++) {
      for (bool inplace : {false, true}) {
        const std::string what = std::string(nt.name) + " n=" + std::to_string(n) +
                                 " output offset " + std::to_string(offset) +
                                 (inplace ? " in place" : "");
        OffsetFloatBuffer x(n, inplace ? offset : (offset * 5 + 3) % 16);
        OffsetFloatBuffer y(n, offset);
        std::copy(row.begin(), row.end(), x.data());
        float* out = inplace ? x.data() : y.data();
        nt.fn(n * sizeof(float), x.data(), out, s, e);
        for (size_t i = 0; i < n; i++) {
          ASSERT_EQ(FloatBits(out[i]), FloatBits(expected[i]))
              << what << " index " << i << ": x " << Hex(row[i]) << " gave " << Hex(out[i])
              << ", the regular variant " << Hex(expected[i]);
        }
        ASSERT_TRUE(x.SentinelsIntact()) << what << ": wrote outside the input row";
        ASSERT_TRUE(y.SentinelsIntact()) << what << ": wrote outside the output row";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(NtVariants, F32VscaleextexpNtTest, ::testing::ValuesIn(NtVariants(kKernels)),
                         VariantName);

}  // namespace
}  // namespace testing
}  // namespace twopass
