// Tester for the three-pass exp(x - max) kernels:
//   f32-raddstoreexpminusmax  output[i] = exp(input[i] - *max), *sum = sum_i output[i]
//   f32-raddexpminusmax       *sum = sum_i exp(input[i] - max)
//   f32-vscaleexpminusmax     output[i] = exp(input[i] - max) * scale
//
//   ExpMinusMaxTester().elements(n).input_range(-10, 10).inplace(true).Test(kernel);
//
// The reference is exp of the exact difference input[i] - max, computed in
// double (the kernels recover the rounding error of the float difference, so
// no extra allowance for it). With z = input[i] - max rounded to float, as the
// kernels decide the flush, the checked contract is:
// - z < kCutoff (the float just above ln(FLT_MIN), including z = -inf):
//   output exactly +0 and no contribution to the sum;
// - z NaN (NaN input or max, or input = max = +inf): NaN output and NaN sum;
// - otherwise the output is within kRelTolerance (1e-6) relative of
//   exp(input[i] - max) (times scale); for vscaleexpminusmax, outputs below 1e-30 after scaling
//   may also be off by denormal rounding (<= FLT_MIN absolute);
// - the sum is within kRelTolerance relative of the double sum of the
//   reference terms.
// Input and output sit flush against a PROT_NONE page (after or before the
// row, see guard()), so any access outside the row crashes the test.
#pragma once

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "guarded-buffer.h"
#include "twopass/isa.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {

// Lanes of one vector register of an ISA: the granularity of the tails.
inline size_t VectorWidth(enum twopass_isa isa) {
  switch (isa) {
    case twopass_isa_sse2:
      return 4;
    case twopass_isa_avx2:
      return 8;
    case twopass_isa_avx512f:
      return 16;
    default:
      return 1;
  }
}

// One kernel of any of the three families, so that a single value-parameterized
// suite (expminusmax-tests.h) covers them all. Exactly one fn pointer is set.
struct ExpMinusMaxKernel {
  explicit ExpMinusMaxKernel(const UkernelInfo<twopass_f32_raddstoreexpminusmax_ukernel_fn>& k)
      : variant(k.variant()), isa(k.isa), tile(k.tile), raddstore(k.fn) {}
  explicit ExpMinusMaxKernel(const UkernelInfo<twopass_f32_raddexpminusmax_ukernel_fn>& k)
      : variant(k.variant()), isa(k.isa), tile(k.tile), radd(k.fn) {}
  explicit ExpMinusMaxKernel(const UkernelInfo<twopass_f32_vscaleexpminusmax_ukernel_fn>& k)
      : variant(k.variant()), isa(k.isa), tile(k.tile), vscale(k.fn) {}

  std::string variant;  // e.g. "avx2_p5_u64_acc2": the test name suffix
  enum twopass_isa isa;
  size_t tile;
  twopass_f32_raddstoreexpminusmax_ukernel_fn raddstore = nullptr;
  twopass_f32_raddexpminusmax_ukernel_fn radd = nullptr;
  twopass_f32_vscaleexpminusmax_ukernel_fn vscale = nullptr;
};

class ExpMinusMaxTester {
 public:
  // Largest z that the kernels flush to +0 is just below this: ln(FLT_MIN)
  // rounded up to float, so every non-flushed exp(z) is >= FLT_MIN.
  static constexpr float kCutoff = -0x1.5D589Ep+6f;
  static constexpr double kRelTolerance = 1.0e-6;

  ExpMinusMaxTester& elements(size_t n) {
    elements_ = n;
    return *this;
  }
  // Inputs uniform in [lo, hi].
  ExpMinusMaxTester& input_range(float lo, float hi) {
    input_lo_ = lo;
    input_hi_ = hi;
    mixed_scales_ = false;
    return *this;
  }
  // Inputs +-10^u with u uniform in [-3, 4] and a random sign instead.
  ExpMinusMaxTester& mixed_scales(bool mixed) {
    mixed_scales_ = mixed;
    return *this;
  }
  // output == input (raddstoreexpminusmax, vscaleexpminusmax).
  ExpMinusMaxTester& inplace(bool inplace) {
    inplace_ = inplace;
    return *this;
  }
  // Which side of input and output touches the protected page.
  ExpMinusMaxTester& guard(Guard guard) {
    guard_ = guard;
    return *this;
  }
  // max = (maximum of the non-NaN inputs) + offset. Default 0: the row max.
  ExpMinusMaxTester& max_offset(float offset) {
    max_offset_ = offset;
    return *this;
  }
  // Passes exactly this max instead of the row max (e.g. NaN).
  ExpMinusMaxTester& max(float max) {
    fixed_max_ = true;
    max_ = max;
    return *this;
  }
  // Scale for vscaleexpminusmax (any value, NaN included); by default
  // 1 / (reference sum), as in softmax.
  ExpMinusMaxTester& scale(float scale) {
    fixed_scale_ = true;
    scale_ = scale;
    return *this;
  }
  // Overwrites input[position] (after the random fill) with value.
  ExpMinusMaxTester& special(size_t position, float value) {
    specials_.emplace_back(position, value);
    return *this;
  }
  // Every input is value (after the random fill, before special()).
  ExpMinusMaxTester& fill(float value) {
    fill_ = true;
    fill_value_ = value;
    return *this;
  }
  ExpMinusMaxTester& iterations(size_t n) {
    iterations_ = n;
    return *this;
  }

  void Test(twopass_f32_raddstoreexpminusmax_ukernel_fn ukernel) const {
    Run([&](const float* input, float max, float* output, float scale, float* sum) {
      (void)scale;
      ukernel(elements_ * sizeof(float), input, &max, output, sum);
    }, /*has_output=*/true, /*has_sum=*/true, /*has_scale=*/false);
  }

  void Test(twopass_f32_raddexpminusmax_ukernel_fn ukernel) const {
    Run([&](const float* input, float max, float* output, float scale, float* sum) {
      (void)output;
      (void)scale;
      ukernel(elements_ * sizeof(float), input, sum, max);
    }, /*has_output=*/false, /*has_sum=*/true, /*has_scale=*/false);
  }

  void Test(twopass_f32_vscaleexpminusmax_ukernel_fn ukernel) const {
    Run([&](const float* input, float max, float* output, float scale, float* sum) {
      (void)sum;
      ukernel(elements_ * sizeof(float), input, output, max, scale);
    }, /*has_output=*/true, /*has_sum=*/false, /*has_scale=*/true);
  }

  void Test(const ExpMinusMaxKernel& kernel) const {
    if (kernel.raddstore != nullptr) {
      Test(kernel.raddstore);
    } else if (kernel.radd != nullptr) {
      Test(kernel.radd);
    } else {
      ASSERT_NE(kernel.vscale, nullptr) << kernel.variant;
      Test(kernel.vscale);
    }
  }

 private:
  template <typename Call>
  void Run(Call call, bool has_output, bool has_sum, bool has_scale) const {
    ASSERT_GT(elements_, 0u);
    const uint32_t seed = TestSeed();
    SCOPED_TRACE(::testing::Message()
                 << "seed " << seed << ", elements " << elements_ << ", inplace " << inplace_
                 << ", guard " << (guard_ == Guard::kAfter ? "after" : "before"));
    std::mt19937 rng(seed ^ static_cast<uint32_t>(elements_ * 2654435761u));
    std::uniform_real_distribution<float> uniform(input_lo_, input_hi_);
    std::uniform_real_distribution<float> exponent(-3.0f, 4.0f);
    std::bernoulli_distribution coin(0.5);

    GuardedBuffer<float> input(elements_, guard_);
    GuardedBuffer<float> output_buffer(has_output && !inplace_ ? elements_ : 1, guard_);
    float* output = !has_output ? nullptr : inplace_ ? input.data() : output_buffer.data();
    std::vector<float> x(elements_);
    std::vector<double> reference(elements_);

    for (size_t iteration = 0; iteration < iterations_; iteration++) {
      for (float& v : x) {
        if (mixed_scales_) {
          v = std::pow(10.0f, exponent(rng)) * (coin(rng) ? 1.0f : -1.0f);
        } else {
          v = uniform(rng);
        }
        if (fill_) v = fill_value_;
      }
      for (const auto& s : specials_) {
        ASSERT_LT(s.first, elements_);
        x[s.first] = s.second;
      }
      float max = -std::numeric_limits<float>::infinity();
      for (float v : x) {
        if (!std::isnan(v)) max = std::max(max, v);
      }
      max += max_offset_;
      if (fixed_max_) max = max_;

      // Reference terms: exp of the exact difference in double (exact for the
      // non-flushed terms, where x and max are within ~88 of each other or
      // far below max's ULP); the float difference only classifies.
      double reference_sum = 0.0;
      for (size_t i = 0; i < elements_; i++) {
        const float z = x[i] - max;
        if (std::isnan(z)) {
          reference[i] = std::numeric_limits<double>::quiet_NaN();
        } else if (z < kCutoff) {
          reference[i] = 0.0;
        } else {
          reference[i] = std::exp(static_cast<double>(x[i]) - static_cast<double>(max));
        }
        reference_sum += reference[i];
      }
      float scale = scale_;
      if (!fixed_scale_) {
        scale = std::isnan(reference_sum) || reference_sum == 0.0
                    ? 1.0f
                    : static_cast<float>(1.0 / reference_sum);
      }

      std::copy(x.begin(), x.end(), input.begin());
      if (has_output && !inplace_) {
        std::fill(output_buffer.begin(), output_buffer.end(), std::nanf(""));
      }
      float sum = std::nanf("");
      call(input.data(), max, output, scale, &sum);

      if (!inplace_) {
        for (size_t i = 0; i < elements_; i++) {
          ASSERT_EQ(FloatBits(x[i]), FloatBits(input[i])) << "input modified at " << i;
        }
      }
      if (has_output) {
        for (size_t i = 0; i < elements_; i++) {
          const double expected = has_scale ? reference[i] * scale : reference[i];
          const float y = output[i];
          const float z = x[i] - max;
          if (std::isnan(expected)) {
            ASSERT_TRUE(std::isnan(y)) << "at " << i << " of " << elements_ << ", x " << x[i]
                                       << ", max " << max << ": expected NaN, got " << y;
          } else if (z < kCutoff) {
            ASSERT_EQ(FloatBits(y), 0u) << "at " << i << " of " << elements_ << ", x " << x[i]
                                        << ", max " << max << ", z " << z
                                        << ": expected +0 (flushed), got " << y;
          } else if (std::fabs(expected) >= 1.0e-30 || !has_scale) {
            ASSERT_NEAR(y, expected, kRelTolerance * std::fabs(expected))
                << "at " << i << " of " << elements_ << ", x " << x[i] << ", max " << max
                << ", z " << z << ", scale " << scale;
          } else {
            // Scaled below 1e-30: may lose bits to denormal rounding.
            ASSERT_NEAR(y, expected, kRelTolerance * std::fabs(expected) + FLT_MIN)
                << "at " << i << " of " << elements_ << ", x " << x[i] << ", max " << max
                << ", z " << z << ", scale " << scale;
          }
        }
      }
      if (has_sum) {
        if (std::isnan(reference_sum)) {
          ASSERT_TRUE(std::isnan(sum)) << "expected a NaN sum, got " << sum;
        } else {
          ASSERT_NEAR(sum, reference_sum, kRelTolerance * reference_sum)
              << "max " << max << ", relative error "
              << std::fabs(sum - reference_sum) / reference_sum;
        }
      }
    }
  }

  size_t elements_ = 1;
  float input_lo_ = -10.0f;
  float input_hi_ = 10.0f;
  bool mixed_scales_ = false;
  bool inplace_ = false;
  Guard guard_ = Guard::kAfter;
  float max_offset_ = 0.0f;
  bool fixed_max_ = false;
  float max_ = 0.0f;
  bool fixed_scale_ = false;
  float scale_ = 1.0f;
  std::vector<std::pair<size_t, float>> specials_;
  bool fill_ = false;
  float fill_value_ = 0.0f;
  size_t iterations_ = 1;
};

}  // namespace testing
}  // namespace twopass
