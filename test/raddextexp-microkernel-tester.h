// Tester for f32-raddextexp (pass 1 of the Two-Pass softmax).
//
//   RAddExtExpMicrokernelTester().elements(n).input_range(a, b).iterations(k).Test(kernel);
//
// Every row goes through CheckRaddextexp, which checks the whole kernel contract
// (see src/f32-raddextexp/scalar.cc.in) against a long-double reference:
// - some +inf: sum[1] == +inf;
// - else some NaN: sum[0] is NaN;
// - else only -inf: sum[0] == 0 exactly and sum[1] is not NaN;
// - else: sum[0] finite and > 0, sum[1] finite and integer-valued, and, when every
//   element that matters lies in [-1e4, 1e4] (elements more than 200 below the
//   maximum have terms below e^-200 and do not matter), sum[0] * 2^sum[1] within
//   kRelativeTolerance of sum_i exp(x_i).
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
#include "twopass/microkernels.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {

// Relative accuracy promised for rows of any length in [-1e4, 1e4].
constexpr double kRaddextexpRelativeTolerance = 1e-6;

// Exact-enough reference: log(sum_i exp(x_i)) over the finite x_i, as
// xmax + log(sum_i exp(x_i - xmax)) in long double. Also reports the maximum.
inline long double ReferenceLogSumExp(const float* x, size_t n, long double* xmax_out) {
  long double xmax = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (std::isfinite(x[i])) xmax = std::max<long double>(xmax, x[i]);
  }
  long double s = 0.0L;
  for (size_t i = 0; i < n; i++) {
    if (std::isfinite(x[i])) s += expl(static_cast<long double>(x[i]) - xmax);
  }
  *xmax_out = xmax;
  return xmax + logl(s);
}

// Checks one result of a pass-1 kernel against the contract. `what` is printed on
// failure (variant, size, seed...). Returns the relative error when it was
// measured, else -1.
inline double CheckRaddextexp(const float* x, size_t n, const float sum[2],
                              const std::string& what) {
  bool has_pos_inf = false, has_nan = false, all_neg_inf = true;
  for (size_t i = 0; i < n; i++) {
    has_pos_inf |= x[i] == INFINITY;
    has_nan |= std::isnan(x[i]);
    all_neg_inf &= x[i] == -INFINITY;
  }
  if (has_pos_inf) {
    EXPECT_EQ(sum[1], INFINITY) << "row with +inf: " << what;
    return -1.0;
  }
  if (has_nan) {
    EXPECT_TRUE(std::isnan(sum[0])) << "row with NaN: sum[0] = " << sum[0] << ", " << what;
    return -1.0;
  }
  if (all_neg_inf) {
    EXPECT_EQ(sum[0], 0.0f) << "row of -inf: " << what;
    EXPECT_FALSE(std::isnan(sum[1])) << "row of -inf: " << what;
    return -1.0;
  }
  EXPECT_TRUE(std::isfinite(sum[0]) && sum[0] > 0.0f)
      << "sum[0] = " << sum[0] << " must be finite and > 0: " << what;
  EXPECT_TRUE(std::isfinite(sum[1]) && std::rint(sum[1]) == sum[1])
      << "sum[1] = " << sum[1] << " must be finite and integer-valued: " << what;
  if (!(std::isfinite(sum[0]) && sum[0] > 0.0f && std::isfinite(sum[1]))) return -1.0;

  long double xmax;
  const long double ref_log = ReferenceLogSumExp(x, n, &xmax);
  for (size_t i = 0; i < n; i++) {
    if (std::isfinite(x[i]) && static_cast<long double>(x[i]) >= xmax - 200.0L &&
        std::fabs(x[i]) > 1e4f) {
      return -1.0;  // an element that matters lies outside the accurate range
    }
  }
  const long double log_value =
      logl(static_cast<long double>(sum[0])) + static_cast<long double>(sum[1]) * M_LN2l;
  const double relative_error = static_cast<double>(fabsl(expm1l(log_value - ref_log)));
  const double tolerance = kRaddextexpRelativeTolerance;  // any length: sums flush into double
  EXPECT_LE(relative_error, tolerance) << "sum = " << sum[0] << " * 2^" << sum[1]
                                       << ", reference = exp(" << (double)ref_log << "): " << what;
  return relative_error;
}

// Rows of n equal values: every term rounds the same way in every addition, so the
// rounding errors of the accumulation add up instead of cancelling. This is the input
// that attains the bound derived in the templates (terms per float accumulator lane
// between flushes into double), which random rows never approach.
// Values: exp is a power of two (0), not one (3.25, -7.5, 1, ~ln2), near float exp's
// overflow and underflow (88.75, -100) and at the edge of the accurate range (+-9999.5).
inline std::vector<float> EqualRowValues() {
  return {0.0f, 3.25f, -7.5f, 1.0f, 0x1.62E430p-1f, 88.75f, -100.0f, 9999.5f, -9999.5f};
}

// Every length up to two chunks' worth of a row (4096 elements), then longer rows.
inline std::vector<size_t> EqualRowLengths() {
  std::vector<size_t> lengths;
  for (size_t n = 1; n <= 4096; n++) lengths.push_back(n);
  for (size_t n : {4097, 5000, 8191, 8192, 20011, 65543, 1 << 20}) lengths.push_back(n);
  return lengths;
}

// Checks sum = (sum[0], sum[1]) of a row of n copies of v against n * exp(v) (whose
// log is v + log n, exact in long double). Returns the relative error.
inline double CheckEqualRowSum(const float sum[2], float v, size_t n, const std::string& what) {
  const long double ref_log = static_cast<long double>(v) + logl(static_cast<long double>(n));
  const long double log_value =
      logl(static_cast<long double>(sum[0])) + static_cast<long double>(sum[1]) * M_LN2l;
  const double relative_error = static_cast<double>(fabsl(expm1l(log_value - ref_log)));
  EXPECT_TRUE(std::isfinite(sum[0]) && sum[0] > 0.0f && std::isfinite(sum[1]))
      << "sum = " << sum[0] << " * 2^" << sum[1] << ": " << what;
  EXPECT_LE(relative_error, kRaddextexpRelativeTolerance)
      << "sum = " << sum[0] << " * 2^" << sum[1] << ", reference = " << n << " * exp(" << v
      << "): " << what;
  return relative_error;
}

class RAddExtExpMicrokernelTester {
 public:
  // How random inputs are drawn.
  enum class Distribution {
    kUniform,  // uniform in input_range
    kMixed,    // mostly N(0, 1), about 1 in 16 elements uniform in input_range
  };

  RAddExtExpMicrokernelTester& elements(size_t n) {
    elements_ = n;
    return *this;
  }
  RAddExtExpMicrokernelTester& input_range(float lo, float hi) {
    lo_ = lo;
    hi_ = hi;
    distribution_ = Distribution::kUniform;
    return *this;
  }
  // Mostly N(0, 1) with occasional elements of the given range (mixed scales).
  RAddExtExpMicrokernelTester& mixed_range(float lo, float hi) {
    lo_ = lo;
    hi_ = hi;
    distribution_ = Distribution::kMixed;
    return *this;
  }
  RAddExtExpMicrokernelTester& iterations(size_t k) {
    iterations_ = k;
    return *this;
  }
  RAddExtExpMicrokernelTester& guard(Guard g) {
    guard_ = g;
    return *this;
  }
  RAddExtExpMicrokernelTester& seed(uint32_t s) {
    seed_ = s;
    return *this;
  }

  // Random rows, checked against the reference. Returns the largest relative error.
  double Test(twopass_f32_raddextexp_ukernel_fn kernel, const std::string& name = "") const {
    std::mt19937 rng(seed_);
    std::uniform_real_distribution<float> uniform(lo_, hi_);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_int_distribution<int> pick(0, 15);
    GuardedBuffer<float> x(elements_, guard_);
    double max_error = 0.0;
    for (size_t iteration = 0; iteration < iterations_; iteration++) {
      for (float& v : x) {
        v = distribution_ == Distribution::kMixed && pick(rng) != 0 ? normal(rng) : uniform(rng);
      }
      float sum[2] = {NAN, NAN};
      kernel(elements_ * sizeof(float), x.data(), sum);
      const std::string what = Describe(name, iteration);
      max_error = std::max(max_error, CheckRaddextexp(x.data(), elements_, sum, what));
      if (::testing::Test::HasFailure()) break;
    }
    return max_error;
  }

  // One given row (copied into a guarded buffer), checked against the contract.
  void TestRow(twopass_f32_raddextexp_ukernel_fn kernel, const std::vector<float>& row,
               const std::string& what) const {
    GuardedBuffer<float> x(row.size(), guard_);
    std::copy(row.begin(), row.end(), x.begin());
    float sum[2] = {NAN, NAN};
    kernel(row.size() * sizeof(float), x.data(), sum);
    CheckRaddextexp(x.data(), row.size(), sum, what);
  }

 private:
  std::string Describe(const std::string& name, size_t iteration) const {
    return name + " elements=" + std::to_string(elements_) + " range=[" + std::to_string(lo_) +
           ", " + std::to_string(hi_) + "]" +
           (distribution_ == Distribution::kMixed ? " mixed" : "") +
           " guard=" + (guard_ == Guard::kAfter ? "after" : "before") +
           " seed=" + std::to_string(seed_) + " iteration=" + std::to_string(iteration);
  }

  size_t elements_ = 1;
  float lo_ = -10.0f;
  float hi_ = 10.0f;
  Distribution distribution_ = Distribution::kUniform;
  size_t iterations_ = 3;
  Guard guard_ = Guard::kAfter;
  uint32_t seed_ = TestSeed();
};

}  // namespace testing
}  // namespace twopass
