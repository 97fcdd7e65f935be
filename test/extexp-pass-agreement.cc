// The two passes of two-pass softmax must compute the same p * 2^n for an element: a term
// that dominates its row gets y = round(p2 * s) * 2^(n2 + e) with s = round(1 / m) and m
// >= p1 * 2^(n1 - E) (pass 1's sum), which is at most 1 (the contract's [0, 1]) when
// p2 * 2^n2 = p1 * 2^n1, and can exceed 1 by an ULP when they differ in the last bit.
// Every path of both passes must therefore agree, above all where n is decided by a near
// tie: x with fl(x * log2e) = k + 1/2 exactly while the exact product lies on one side
// (vroundps of the rounded product and the fast forms' rounding FMA disagree there).
//
// For each ISA the CPU has and each pair of an f32-raddextexp and an f32-vscaleextexp
// variant of it: for near-tie x over [-20000, 20000] (pass 2's fast form below |e| =
// 2^14, its general form above), pass 1 on [x] (the tail: pass 1's general form) and on
// [x, -inf, ...] of one block (its fast form), then pass 2 of [x] with scale (1, -E):
// its output must be pass 1's m bit for bit (m = p1 * 2^(n1 - E), y = p2 * 2^(n2 - E)).
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "twopass/exp-constants.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {
namespace {

using Pass1 = UkernelInfo<twopass_f32_raddextexp_ukernel_fn>;
using Pass2 = UkernelInfo<twopass_f32_vscaleextexp_ukernel_fn>;

const Pass1 kPass1[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-raddextexp/f32-raddextexp.inc"
#undef TWOPASS_UKERNEL
};

const Pass2 kPass2[] = {
#define TWOPASS_UKERNEL(isa, ukernel, tile) TWOPASS_UKERNEL_INFO(isa, ukernel, tile)
#include "f32-vscaleextexp/f32-vscaleextexp.inc"
#undef TWOPASS_UKERNEL
};

// Floats x in [-limit, limit] with fl(x * log2e) = k + 1/2 exactly and the exact product
// not k + 1/2 (both sides of the tie), for every `step`-th k.
std::vector<float> NearTies(double limit, int step) {
  std::vector<float> out;
  const double log2e = static_cast<double>(kLog2e);
  const int kmax = static_cast<int>(limit * log2e) - 1;
  for (int k = -kmax; k <= kmax; k += step) {
    const double half = k + 0.5;
    const float x0 = static_cast<float>(half / log2e);
    float below = x0, above = x0;
    for (int i = 0; i < 8; i++) {
      for (float x : {below, above}) {
        const double exact = static_cast<double>(x) * log2e;  // exact: 24 x 24 bits
        if (static_cast<float>(exact) == static_cast<float>(half) && exact != half) {
          out.push_back(x);
        }
      }
      below = std::nextafter(below, -std::numeric_limits<float>::infinity());
      above = std::nextafter(above, std::numeric_limits<float>::infinity());
    }
  }
  return out;
}

TEST(ExtExpPassAgreement, NearTiesGiveTheSameTermInBothPasses) {
  const std::vector<float> xs = NearTies(20000.0, 7);
  ASSERT_GT(xs.size(), size_t(3000));
  size_t pairs = 0;
  for (const Pass1& p1 : kPass1) {
    if (!IsaUnderTest(p1.isa)) continue;
    for (const Pass2& p2 : kPass2) {
      if (p2.isa != p1.isa) continue;
      pairs++;
      SCOPED_TRACE(::testing::Message() << p1.name << " with " << p2.name);
      std::vector<float> block(p1.tile, -std::numeric_limits<float>::infinity());
      size_t failures = 0;
      for (float x : xs) {
        for (size_t length : {size_t{1}, p1.tile}) {
          block[0] = x;
          float sum[2];
          p1.fn(length * sizeof(float), block.data(), sum);
          float y;
          p2.fn(sizeof(float), &x, &y, 1.0f, -sum[1]);
          if (FloatBits(y) != FloatBits(sum[0]) && failures++ < 5) {
            ADD_FAILURE() << "x = " << std::hexfloat << x << " (row of " << std::dec << length
                          << "): pass 1 m = " << std::hexfloat << sum[0] << " at E = "
                          << std::defaultfloat << sum[1] << ", pass 2 gives " << std::hexfloat
                          << y << std::defaultfloat;
          }
        }
      }
      EXPECT_EQ(failures, 0u) << "of " << 2 * xs.size() << " rows";
    }
  }
  if (pairs == 0) GTEST_SKIP() << "no variant runs on this CPU";
}

}  // namespace
}  // namespace testing
}  // namespace twopass
