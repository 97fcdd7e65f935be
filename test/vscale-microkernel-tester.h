// Tester for f32-vscale kernels: output[i] = input[i] * scale.
//
//   VScaleMicrokernelTester().elements(n).scale(0.25f).inplace(true).Test(kernel);
//
// Checked contract: every output is bit-identical to the IEEE float product
// (NaN outputs: any NaN). Input and output sit flush against a PROT_NONE page
// (see guard()); in place (output == input) is supported.
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

class VScaleMicrokernelTester {
 public:
  VScaleMicrokernelTester& elements(size_t n) {
    elements_ = n;
    return *this;
  }
  VScaleMicrokernelTester& input_range(float lo, float hi) {
    input_lo_ = lo;
    input_hi_ = hi;
    return *this;
  }
  VScaleMicrokernelTester& scale(float scale) {
    scale_ = scale;
    return *this;
  }
  VScaleMicrokernelTester& inplace(bool inplace) {
    inplace_ = inplace;
    return *this;
  }
  VScaleMicrokernelTester& guard(Guard guard) {
    guard_ = guard;
    return *this;
  }
  // Overwrites input[position] (after the random fill) with value.
  VScaleMicrokernelTester& special(size_t position, float value) {
    specials_.emplace_back(position, value);
    return *this;
  }
  VScaleMicrokernelTester& iterations(size_t n) {
    iterations_ = n;
    return *this;
  }

  void Test(twopass_f32_vscale_ukernel_fn ukernel) const {
    ASSERT_GT(elements_, 0u);
    const uint32_t seed = TestSeed();
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", elements " << elements_ << ", scale "
                                      << scale_ << ", inplace " << inplace_ << ", guard "
                                      << (guard_ == Guard::kAfter ? "after" : "before"));
    std::mt19937 rng(seed ^ static_cast<uint32_t>(elements_ * 2654435761u));
    std::uniform_real_distribution<float> uniform(input_lo_, input_hi_);
    GuardedBuffer<float> input(elements_, guard_);
    GuardedBuffer<float> output_buffer(inplace_ ? 1 : elements_, guard_);
    float* output = inplace_ ? input.data() : output_buffer.data();
    std::vector<float> x(elements_);
    for (size_t iteration = 0; iteration < iterations_; iteration++) {
      for (float& v : x) v = uniform(rng);
      for (const auto& s : specials_) {
        ASSERT_LT(s.first, elements_);
        x[s.first] = s.second;
      }
      std::copy(x.begin(), x.end(), input.begin());
      if (!inplace_) std::fill(output_buffer.begin(), output_buffer.end(), std::nanf(""));
      ukernel(elements_ * sizeof(float), input.data(), output, scale_);
      for (size_t i = 0; i < elements_; i++) {
        if (!inplace_) {
          ASSERT_EQ(FloatBits(input[i]), FloatBits(x[i])) << "input modified at " << i;
        }
        const float expected = x[i] * scale_;
        if (std::isnan(expected)) {
          ASSERT_TRUE(std::isnan(output[i])) << "at " << i << ": x " << x[i];
        } else {
          ASSERT_EQ(FloatBits(output[i]), FloatBits(expected))
              << "at " << i << ": x " << x[i] << ", got " << output[i] << ", expected " << expected;
        }
      }
    }
  }

 private:
  size_t elements_ = 1;
  float input_lo_ = -10.0f;
  float input_hi_ = 10.0f;
  float scale_ = 0.75f;
  bool inplace_ = false;
  Guard guard_ = Guard::kAfter;
  std::vector<std::pair<size_t, float>> specials_;
  size_t iterations_ = 1;
};

}  // namespace testing
}  // namespace twopass
