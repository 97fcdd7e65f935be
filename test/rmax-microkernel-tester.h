// Tester for f32-rmax kernels: *max = max_i input[i].
//
//   RMaxMicrokernelTester().elements(n).input_range(-10, 10).special(3, NAN).Test(kernel);
//
// Checked contract: the result equals the maximum of the row exactly (+0 and
// -0 compare equal); any NaN in the row gives NaN; a row of -inf gives -inf.
// The input sits flush against a PROT_NONE page (see guard()).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "guarded-buffer.h"
#include "twopass/microkernels.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {

class RMaxMicrokernelTester {
 public:
  RMaxMicrokernelTester& elements(size_t n) {
    elements_ = n;
    return *this;
  }
  RMaxMicrokernelTester& input_range(float lo, float hi) {
    input_lo_ = lo;
    input_hi_ = hi;
    return *this;
  }
  RMaxMicrokernelTester& guard(Guard guard) {
    guard_ = guard;
    return *this;
  }
  // Overwrites input[position] (after the random fill) with value.
  RMaxMicrokernelTester& special(size_t position, float value) {
    specials_.emplace_back(position, value);
    return *this;
  }
  // Every input is value (before special()).
  RMaxMicrokernelTester& fill(float value) {
    fill_ = true;
    fill_value_ = value;
    return *this;
  }
  RMaxMicrokernelTester& iterations(size_t n) {
    iterations_ = n;
    return *this;
  }

  void Test(twopass_f32_rmax_ukernel_fn ukernel) const {
    ASSERT_GT(elements_, 0u);
    const uint32_t seed = TestSeed();
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", elements " << elements_ << ", guard "
                                      << (guard_ == Guard::kAfter ? "after" : "before"));
    std::mt19937 rng(seed ^ static_cast<uint32_t>(elements_ * 2654435761u));
    std::uniform_real_distribution<float> uniform(input_lo_, input_hi_);
    GuardedBuffer<float> input(elements_, guard_);
    for (size_t iteration = 0; iteration < iterations_; iteration++) {
      for (float& v : input) v = fill_ ? fill_value_ : uniform(rng);
      for (const auto& s : specials_) {
        ASSERT_LT(s.first, elements_);
        input[s.first] = s.second;
      }
      bool has_nan = false;
      float expected = -std::numeric_limits<float>::infinity();
      for (float v : input) {
        has_nan |= std::isnan(v);
        if (v > expected) expected = v;
      }
      float max = 0.0f;
      ukernel(elements_ * sizeof(float), input.data(), &max);
      if (has_nan) {
        ASSERT_TRUE(std::isnan(max)) << "row contains NaN, got " << max;
      } else {
        ASSERT_EQ(max, expected);
      }
    }
  }

 private:
  size_t elements_ = 1;
  float input_lo_ = -10.0f;
  float input_hi_ = 10.0f;
  Guard guard_ = Guard::kAfter;
  std::vector<std::pair<size_t, float>> specials_;
  bool fill_ = false;
  float fill_value_ = 0.0f;
  size_t iterations_ = 1;
};

}  // namespace testing
}  // namespace twopass
