// Tester for f32-vscaleextexp (pass 2 of the Two-Pass softmax).
//
//   VScaleExtExpMicrokernelTester().elements(n).input_range(a, b).inplace(true).iterations(k)
//       .Test(kernel);
//
// Every output goes through CheckVscaleextexp, which checks the kernel contract
// (see src/f32-vscaleextexp/scalar.cc.in) against a long-double reference
// r = exp(x) * s * 2^e:
// - x NaN: NaN; x = -inf: +0 exactly (bit pattern); x = +inf: +inf;
// - |x| > 1e4 (outside the accurate range): not NaN, >= 0;
// - r >= 2^127: the result is within the ULP bound of r or +inf (saturation);
// - r < 2^-126: the result is in [0, 2^-125] (may flush to zero);
// - otherwise: within `ulp_bound` ULP of r.
#pragma once

#include <math.h>
#include <stddef.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "guarded-buffer.h"
#include "twopass/isa.h"
#include "twopass/microkernels.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {

// ULP bound of exp itself per ISA: FMA ISAs 3, sse2 and scalar 4 (see the templates).
inline double ExpUlpBound(enum twopass_isa isa) {
  return isa == twopass_isa_avx2 || isa == twopass_isa_avx512f ? 3.0 : 4.0;
}

// Bound for pass 2 with an arbitrary scale mantissa: exp's bound plus the rounding
// of p * scale_mantissa (at most 1 ULP of the result).
inline double ScaledExpUlpBound(enum twopass_isa isa, float scale_mantissa) {
  return ExpUlpBound(isa) + (scale_mantissa == 1.0f ? 0.0 : 1.0);
}

// Checks output y for input x; returns the ULP error when it was measured, else -1.
inline double CheckVscaleextexp(float x, float y, float s, float e, double ulp_bound,
                                const std::string& what) {
  if (std::isnan(x)) {
    EXPECT_TRUE(std::isnan(y)) << "x = NaN gave " << y << ": " << what;
    return -1.0;
  }
  if (x == -INFINITY) {
    EXPECT_EQ(FloatBits(y), 0u) << "x = -inf gave " << y << " (must be +0): " << what;
    return -1.0;
  }
  if (x == INFINITY) {
    EXPECT_EQ(y, INFINITY) << "x = +inf: " << what;
    return -1.0;
  }
  if (std::fabs(x) > 1e4f) {
    EXPECT_TRUE(!std::isnan(y) && y >= 0.0f) << "x = " << x << " gave " << y << ": " << what;
    return -1.0;
  }
  const long double log_ref = static_cast<long double>(x) + static_cast<long double>(e) * M_LN2l +
                              logl(static_cast<long double>(s));
  const long double ref = expl(log_ref);
  if (ref >= 0x1p127L) {
    const bool ok = y == INFINITY || UlpError(y, static_cast<double>(ref)) <= ulp_bound;
    EXPECT_TRUE(ok) << "x = " << x << " gave " << y << ", reference " << (double)ref
                    << " (overflow range): " << what;
    return -1.0;
  }
  if (ref < 0x1p-126L) {
    EXPECT_TRUE(y >= 0.0f && y <= 0x1p-125f) << "x = " << x << " gave " << y << ", reference "
                                             << (double)ref << " (underflow range): " << what;
    return -1.0;
  }
  const double error = UlpError(y, static_cast<double>(ref));
  EXPECT_LE(error, ulp_bound) << "x = " << x << " (" << std::hexfloat << x << std::defaultfloat
                              << ") gave " << y << ", reference " << (double)ref << ", s = " << s
                              << ", e = " << e << ": " << what;
  return error;
}

class VScaleExtExpMicrokernelTester {
 public:
  VScaleExtExpMicrokernelTester& elements(size_t n) {
    elements_ = n;
    return *this;
  }
  VScaleExtExpMicrokernelTester& input_range(float lo, float hi) {
    lo_ = lo;
    hi_ = hi;
    mixed_ = false;
    return *this;
  }
  // Mostly N(0, 1) with occasional elements of the given range (mixed scales).
  VScaleExtExpMicrokernelTester& mixed_range(float lo, float hi) {
    lo_ = lo;
    hi_ = hi;
    mixed_ = true;
    return *this;
  }
  // Fixed scale; by default each iteration draws s in [0.5, 2) and picks the integer e
  // that maps the row's largest input near 1, as softmax does.
  VScaleExtExpMicrokernelTester& scale(float s, float e) {
    s_ = s;
    e_ = e;
    fixed_scale_ = true;
    return *this;
  }
  VScaleExtExpMicrokernelTester& inplace(bool v) {
    inplace_ = v;
    return *this;
  }
  VScaleExtExpMicrokernelTester& iterations(size_t k) {
    iterations_ = k;
    return *this;
  }
  VScaleExtExpMicrokernelTester& input_guard(Guard g) {
    input_guard_ = g;
    return *this;
  }
  VScaleExtExpMicrokernelTester& output_guard(Guard g) {
    output_guard_ = g;
    return *this;
  }
  VScaleExtExpMicrokernelTester& seed(uint32_t s) {
    seed_ = s;
    return *this;
  }

  // Random rows; returns the largest ULP error measured.
  double Test(twopass_f32_vscaleextexp_ukernel_fn kernel, enum twopass_isa isa,
              const std::string& name = "") const {
    std::mt19937 rng(seed_);
    std::uniform_real_distribution<float> uniform(lo_, hi_);
    std::uniform_real_distribution<float> mantissa(0.5f, 2.0f);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_int_distribution<int> pick(0, 15);
    std::vector<float> row(elements_);
    double max_error = 0.0;
    for (size_t iteration = 0; iteration < iterations_; iteration++) {
      for (float& v : row) v = mixed_ && pick(rng) != 0 ? normal(rng) : uniform(rng);
      float s = s_, e = e_;
      if (!fixed_scale_) {
        const float xmax = *std::max_element(row.begin(), row.end());
        s = mantissa(rng);
        e = -std::rint(xmax * 0x1.715476p+0f);
      }
      max_error = std::max(max_error, Run(kernel, isa, row, s, e, Describe(name, iteration)));
      if (::testing::Test::HasFailure()) break;
    }
    return max_error;
  }

  // One given row with scale (s, e); checked against the contract.
  double Run(twopass_f32_vscaleextexp_ukernel_fn kernel, enum twopass_isa isa,
             const std::vector<float>& row, float s, float e, const std::string& what) const {
    const size_t n = row.size();
    GuardedBuffer<float> x(n, input_guard_);
    GuardedBuffer<float> y_separate(inplace_ ? 1 : n, output_guard_);
    std::copy(row.begin(), row.end(), x.begin());
    float* y = inplace_ ? x.data() : y_separate.data();
    if (!inplace_) std::fill(y, y + n, NAN);
    kernel(n * sizeof(float), x.data(), y, s, e);
    const double bound = ScaledExpUlpBound(isa, s);
    double max_error = 0.0;
    for (size_t i = 0; i < n; i++) {
      max_error = std::max(max_error, CheckVscaleextexp(row[i], y[i], s, e, bound,
                                                        what + " index=" + std::to_string(i)));
      if (::testing::Test::HasFailure()) break;
    }
    return max_error;
  }

 private:
  std::string Describe(const std::string& name, size_t iteration) const {
    return name + " elements=" + std::to_string(elements_) + " range=[" + std::to_string(lo_) +
           ", " + std::to_string(hi_) + "]" + (mixed_ ? " mixed" : "") +
           (inplace_ ? " inplace" : "") +
           " input_guard=" + (input_guard_ == Guard::kAfter ? "after" : "before") +
           " output_guard=" + (output_guard_ == Guard::kAfter ? "after" : "before") +
           " seed=" + std::to_string(seed_) + " iteration=" + std::to_string(iteration);
  }

  size_t elements_ = 1;
  float lo_ = -10.0f;
  float hi_ = 10.0f;
  bool mixed_ = false;
  float s_ = 1.0f;
  float e_ = 0.0f;
  bool fixed_scale_ = false;
  bool inplace_ = false;
  size_t iterations_ = 3;
  Guard input_guard_ = Guard::kAfter;
  Guard output_guard_ = Guard::kAfter;
  uint32_t seed_ = TestSeed();
};

}  // namespace testing
}  // namespace twopass
