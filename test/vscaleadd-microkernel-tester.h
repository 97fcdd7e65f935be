// Tester for the vscaleadd kernels (scale and mask, issue 13):
//   f32: output[i] = input[i] * scale + addend[i]
//   f16: output[i] = float(input[i]) * scale + float(addend[i]) (halves in, f32 out)
// with addend NULL: output[i] = input[i] * scale.
//
//   VScaleAddMicrokernelTester().elements(n).scale(0.125f).addend(true).Test(kernel);
//
// Checked contract: every output is bit-identical to the IEEE product rounded to float
// and then the IEEE sum (never one fused rounding; NaN outputs: any NaN); input and
// addend are not modified; all three rows sit flush against a PROT_NONE page (guard()),
// so no access outside them goes unseen.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

class VScaleAddMicrokernelTester {
 public:
  VScaleAddMicrokernelTester& elements(size_t n) {
    elements_ = n;
    return *this;
  }
  VScaleAddMicrokernelTester& scale(float s) {
    scale_ = s;
    return *this;
  }
  VScaleAddMicrokernelTester& addend(bool present) {
    addend_ = present;
    return *this;
  }
  VScaleAddMicrokernelTester& input_range(float lo, float hi) {
    input_lo_ = lo;
    input_hi_ = hi;
    return *this;
  }
  VScaleAddMicrokernelTester& guard(Guard guard) {
    guard_ = guard;
    return *this;
  }
  // Overwrites input[position] (after the random fill) with value (f16: rounded).
  VScaleAddMicrokernelTester& special(size_t position, float value) {
    input_specials_.emplace_back(position, value);
    return *this;
  }
  // Overwrites addend[position] with value.
  VScaleAddMicrokernelTester& addend_special(size_t position, float value) {
    addend_specials_.emplace_back(position, value);
    return *this;
  }
  VScaleAddMicrokernelTester& iterations(size_t n) {
    iterations_ = n;
    return *this;
  }

  void Test(twopass_f32_vscaleadd_ukernel_fn ukernel) const {
    Run<float>([&](const float* x, const float* a,
                   float* y) { ukernel(elements_ * sizeof(float), x, a, y, scale_); },
               [](float v) { return v; }, [](float v) { return v; });
  }

  void Test(twopass_f16_vscaleadd_ukernel_fn ukernel) const {
    Run<uint16_t>([&](const uint16_t* x, const uint16_t* a,
                      float* y) { ukernel(elements_ * sizeof(uint16_t), x, a, y, scale_); },
                  FloatToHalf, HalfToFloat);
  }

 private:
  template <class T, class Call, class FromFloat, class ToFloat>
  void Run(Call call, FromFloat from_float, ToFloat to_float) const {
    ASSERT_GT(elements_, 0u);
    const uint32_t seed = TestSeed();
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", elements " << elements_ << ", scale "
                                      << scale_ << ", addend " << addend_ << ", guard "
                                      << (guard_ == Guard::kAfter ? "after" : "before"));
    std::mt19937 rng(seed ^ static_cast<uint32_t>(elements_ * 2654435761u));
    std::uniform_real_distribution<float> uniform(input_lo_, input_hi_);
    GuardedBuffer<T> input(elements_, guard_);
    GuardedBuffer<T> addend(elements_, guard_);
    GuardedBuffer<float> output(elements_, guard_);
    std::vector<T> x(elements_), a(elements_);
    for (size_t iteration = 0; iteration < iterations_; iteration++) {
      for (T& v : x) v = from_float(uniform(rng));
      for (T& v : a) v = from_float(uniform(rng));
      for (const auto& s : input_specials_) {
        ASSERT_LT(s.first, elements_);
        x[s.first] = from_float(s.second);
      }
      for (const auto& s : addend_specials_) {
        ASSERT_LT(s.first, elements_);
        a[s.first] = from_float(s.second);
      }
      std::copy(x.begin(), x.end(), input.begin());
      std::copy(a.begin(), a.end(), addend.begin());
      std::fill(output.begin(), output.end(), std::nanf(""));
      call(input.data(), addend_ ? addend.data() : nullptr, output.data());
      for (size_t i = 0; i < elements_; i++) {
        ASSERT_EQ(memcmp(&input[i], &x[i], sizeof(T)), 0) << "input modified at " << i;
        ASSERT_EQ(memcmp(&addend[i], &a[i], sizeof(T)), 0) << "addend modified at " << i;
        // Two statements: the product is rounded before the add (no contraction).
        const float product = to_float(x[i]) * scale_;
        float expected = product;
        if (addend_) expected = product + to_float(a[i]);
        if (std::isnan(expected)) {
          ASSERT_TRUE(std::isnan(output[i])) << "at " << i << ": x " << to_float(x[i]);
        } else {
          ASSERT_EQ(FloatBits(output[i]), FloatBits(expected))
              << "at " << i << ": x " << to_float(x[i]) << ", a " << to_float(a[i]) << ", got "
              << output[i] << ", expected " << expected;
        }
      }
    }
  }

  size_t elements_ = 1;
  float scale_ = 0.7f;
  bool addend_ = true;
  float input_lo_ = -10.0f;
  float input_hi_ = 10.0f;
  Guard guard_ = Guard::kAfter;
  std::vector<std::pair<size_t, float>> input_specials_;
  std::vector<std::pair<size_t, float>> addend_specials_;
  size_t iterations_ = 1;
};

}  // namespace testing
}  // namespace twopass
