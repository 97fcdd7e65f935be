// Tester for the vsublse kernels (pass 2 of log-softmax):
//   f32: output[i] = (input[i] - lse_hi) - lse_lo
//   f16: output[i] = half((float(input[i]) - lse_hi) - lse_lo), nearest even.
//
//   VSubLseMicrokernelTester().elements(n).lse(12.5f, 1e-7f).inplace(true).Test(kernel);
//
// Checked contract: every output is bit-identical to those IEEE operations (NaN
// outputs: any NaN); the input is not modified (out of place); input and output sit
// flush against a PROT_NONE page (guard()), so no access outside the rows goes unseen.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "f16-test-util.h"
#include "guarded-buffer.h"
#include "twopass/microkernels.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {

class VSubLseMicrokernelTester {
 public:
  VSubLseMicrokernelTester& elements(size_t n) {
    elements_ = n;
    return *this;
  }
  VSubLseMicrokernelTester& input_range(float lo, float hi) {
    input_lo_ = lo;
    input_hi_ = hi;
    return *this;
  }
  VSubLseMicrokernelTester& lse(float hi, float lo) {
    lse_hi_ = hi;
    lse_lo_ = lo;
    return *this;
  }
  VSubLseMicrokernelTester& inplace(bool inplace) {
    inplace_ = inplace;
    return *this;
  }
  VSubLseMicrokernelTester& guard(Guard guard) {
    guard_ = guard;
    return *this;
  }
  // Overwrites input[position] (after the random fill) with value (f16: rounded).
  VSubLseMicrokernelTester& special(size_t position, float value) {
    specials_.emplace_back(position, value);
    return *this;
  }
  VSubLseMicrokernelTester& iterations(size_t n) {
    iterations_ = n;
    return *this;
  }

  void Test(twopass_f32_vsublse_ukernel_fn ukernel) const {
    Run<float>([&](const float* x,
                   float* y) { ukernel(elements_ * sizeof(float), x, y, lse_hi_, lse_lo_); },
               [](float v) { return v; }, [](float v) { return v; }, FloatBits);
  }

  void Test(twopass_f16_vsublse_ukernel_fn ukernel) const {
    Run<uint16_t>(
        [&](const uint16_t* x, uint16_t* y) {
          ukernel(elements_ * sizeof(uint16_t), x, y, lse_hi_, lse_lo_);
        },
        FloatToHalf, HalfToFloat, [](uint16_t h) { return static_cast<uint32_t>(h); });
  }

 private:
  template <class T, class Call, class FromFloat, class ToFloat, class Bits>
  void Run(Call call, FromFloat from_float, ToFloat to_float, Bits bits) const {
    ASSERT_GT(elements_, 0u);
    const uint32_t seed = TestSeed();
    SCOPED_TRACE(::testing::Message()
                 << "seed " << seed << ", elements " << elements_ << ", lse " << lse_hi_ << " + "
                 << lse_lo_ << ", inplace " << inplace_ << ", guard "
                 << (guard_ == Guard::kAfter ? "after" : "before"));
    std::mt19937 rng(seed ^ static_cast<uint32_t>(elements_ * 2654435761u));
    std::uniform_real_distribution<float> uniform(input_lo_, input_hi_);
    GuardedBuffer<T> input(elements_, guard_);
    GuardedBuffer<T> output_buffer(inplace_ ? 1 : elements_, guard_);
    T* output = inplace_ ? input.data() : output_buffer.data();
    std::vector<T> x(elements_);
    for (size_t iteration = 0; iteration < iterations_; iteration++) {
      for (T& v : x) v = from_float(uniform(rng));
      for (const auto& s : specials_) {
        ASSERT_LT(s.first, elements_);
        x[s.first] = from_float(s.second);
      }
      std::copy(x.begin(), x.end(), input.begin());
      if (!inplace_)
        std::fill(output_buffer.begin(), output_buffer.end(), from_float(std::nanf("")));
      call(input.data(), output);
      for (size_t i = 0; i < elements_; i++) {
        if (!inplace_) {
          ASSERT_EQ(bits(input[i]), bits(x[i])) << "input modified at " << i;
        }
        const T expected = from_float((to_float(x[i]) - lse_hi_) - lse_lo_);
        if (std::isnan(to_float(expected))) {
          ASSERT_TRUE(std::isnan(to_float(output[i]))) << "at " << i << ": x " << to_float(x[i]);
        } else {
          ASSERT_EQ(bits(output[i]), bits(expected))
              << "at " << i << ": x " << to_float(x[i]) << ", got " << to_float(output[i])
              << ", expected " << to_float(expected);
        }
      }
    }
  }

  size_t elements_ = 1;
  float input_lo_ = -10.0f;
  float input_hi_ = 10.0f;
  float lse_hi_ = 7.25f;
  float lse_lo_ = 3.0e-7f;
  bool inplace_ = false;
  Guard guard_ = Guard::kAfter;
  std::vector<std::pair<size_t, float>> specials_;
  size_t iterations_ = 1;
};

}  // namespace testing
}  // namespace twopass
