// Tester for the three-pass exp kernels, which compute exp(x - max) up to a
// per-call factor: exp(x - ref) with the reference point ref = shift + k*ln2 of
// twopass/expminusmax-ref.h (ref = max for |max| >= 2^14, else k*ln2 with
// k = round(max*log2e); the factor cancels in softmax):
//   f32-raddstoreexpminusmax  output[i] = exp(input[i] - ref), *sum = sum_i output[i]
//   f32-raddexpminusmax       *sum = sum_i exp(input[i] - ref)
//   f32-vscaleexpminusmax     output[i] = exp(input[i] - ref) * scale
//
//   ExpMinusMaxMicrokernelTester().elements(n).input_range(-10, 10).inplace(true).Test(kernel);
//
// The reference is exp(input[i] - ref) computed in double (the kernels reduce x
// exactly, so no extra allowance for a rounded difference). With
// u = (input[i] - ref) / ln2, the checked contract is, for the degree-5 kernels (p5
// in the variant name):
// - u < -126.5 - kFlushMargin (including input = -inf): output exactly +0 and no
//   contribution to the sum; within kFlushMargin of -126.5 either +0 or the value
//   (the kernels round u with float arithmetic to decide);
// and for the table-form kernels (lut16 in the variant name, twopass/expminusmax-avx512f.h),
// with N = round(16u) (either neighbour within 16 kFlushMargin of a tie):
// - N <= -2032 (u below about -126.97, input = -inf included): exactly +0;
// - N in [-2031, -2017]: (kExp2Table16[j] - 1) 2^-126 q, j = N + 2032, q = 2^(u - N/16),
//   the exponent field wrapped onto the table entry's significand (between 0 and the term);
// - N >= -2016: the term, as for every form above its flush;
// - NaN input or max, or input = max = +inf: NaN output and NaN sum;
// - otherwise the output is within kRelTolerance (1e-6) relative of the reference
//   (times scale), plus 2^-149 absolute for the subnormal results just above the
//   flush threshold; for vscaleexpminusmax, outputs below 1e-30 after scaling may
//   also be off by subnormal rounding (<= FLT_MIN absolute);
// - the sum is within kRelTolerance relative (plus 2^-149 per element) of the
//   double sum of the reference terms, the ambiguous ones counted or not;
// - f32-raddstoreexpminusmax called with the clamp max[1] = upper = fl(shift + (k + 62)
//   ln2) (a max estimated below the row max, twopass/expminusmax-ref.h "Above max"): every
//   input above upper, +inf included, has the term of upper (about 2^62); those below it
//   their own, the same as in the call without a clamp (max[1] = +inf).
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
#include "twopass/exp-constants.h"
#include "twopass/expminusmax-ref.h"
#include "twopass/isa.h"
#include "twopass/microkernels.h"
#include "twopass/ukernel-list.h"
#include "ukernel-test-util.h"

namespace twopass {
namespace testing {

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

class ExpMinusMaxMicrokernelTester {
 public:
  static constexpr double kRelTolerance = 1.0e-6;
  // log2 of the largest flushed term, and the allowance around it: the kernels
  // compute u with float arithmetic (log2e rounded to float: ~1e-3 at |x| = 2^14).
  static constexpr double kFlushLog2 = -126.5;
  static constexpr double kFlushMargin = 1.0e-2;
  static constexpr double kLn2 = 0.69314718055994530942;
  static constexpr double kSubnormalSlack = 0x1p-149;
  // The table form's flush: N - 16k at or below kTableZeroN gives +0, N - 16k in
  // (kTableZeroN, kTableExactN) the wrapped value, from kTableExactN on the term.
  static constexpr int kTableZeroN = -2032;
  static constexpr int kTableExactN = -2016;

  // The input at which the terms of a call with this max reach the flush threshold.
  static float FlushBoundary(float max) { return InputAtLog2(max, kFlushLog2); }

  // The input whose term exp(x - ref) is 2^u for a call with this max, rounded to float.
  static float InputAtLog2(float max, double u) {
    return static_cast<float>(ExpMinusMaxRefPoint(GetExpMinusMaxRef(max)) + u * kLn2);
  }

  ExpMinusMaxMicrokernelTester& elements(size_t n) {
    elements_ = n;
    return *this;
  }
  // Inputs uniform in [lo, hi].
  ExpMinusMaxMicrokernelTester& input_range(float lo, float hi) {
    input_lo_ = lo;
    input_hi_ = hi;
    mixed_scales_ = false;
    return *this;
  }
  // Inputs +-10^u with u uniform in [-3, 4] and a random sign instead.
  ExpMinusMaxMicrokernelTester& mixed_scales(bool mixed) {
    mixed_scales_ = mixed;
    return *this;
  }
  // output == input (raddstoreexpminusmax, vscaleexpminusmax).
  ExpMinusMaxMicrokernelTester& inplace(bool inplace) {
    inplace_ = inplace;
    return *this;
  }
  // Which side of input and output touches the protected page.
  ExpMinusMaxMicrokernelTester& guard(Guard guard) {
    guard_ = guard;
    return *this;
  }
  // max = (maximum of the non-NaN inputs) + offset. Default 0: the row max.
  ExpMinusMaxMicrokernelTester& max_offset(float offset) {
    max_offset_ = offset;
    return *this;
  }
  // Passes exactly this max instead of the row max (e.g. NaN).
  ExpMinusMaxMicrokernelTester& max(float max) {
    fixed_max_ = true;
    max_ = max;
    return *this;
  }
  // Scale for vscaleexpminusmax (any value, NaN included); by default
  // 1 / (reference sum), as in softmax.
  ExpMinusMaxMicrokernelTester& scale(float scale) {
    fixed_scale_ = true;
    scale_ = scale;
    return *this;
  }
  // Overwrites input[position] (after the random fill) with value.
  ExpMinusMaxMicrokernelTester& special(size_t position, float value) {
    specials_.emplace_back(position, value);
    return *this;
  }
  // Every input is value (after the random fill, before special()).
  ExpMinusMaxMicrokernelTester& fill(float value) {
    fill_ = true;
    fill_value_ = value;
    return *this;
  }
  ExpMinusMaxMicrokernelTester& iterations(size_t n) {
    iterations_ = n;
    return *this;
  }

  // raddstoreexpminusmax twice: without a clamp (max[1] = +inf, the exact max's call) and
  // with the reference's clamp (max[1] = upper, the sampled max's call), whose loops must
  // give the same bits for inputs at or below upper; with above_max() only the second.
  void Test(twopass_f32_raddstoreexpminusmax_ukernel_fn ukernel) const {
    for (bool clamp : {false, true}) {
      if (!clamp && above_max_) continue;
      SCOPED_TRACE(clamp ? "clamped at upper" : "no clamp");
      ExpMinusMaxMicrokernelTester tester = *this;
      tester.clamp_above_ = clamp;
      tester.Run(
          [&](const float* input, float max, float* output, float scale, float* sum) {
            (void)scale;
            const float params[2] = {
                max, clamp ? GetExpMinusMaxRef(max).upper : std::numeric_limits<float>::infinity()};
            ukernel(elements_ * sizeof(float), input, params, output, sum);
          },
          /*has_output=*/true, /*has_sum=*/true, /*has_scale=*/false);
    }
  }

  // Inputs may exceed the reference's upper clamp (raddstoreexpminusmax, clamped call only).
  ExpMinusMaxMicrokernelTester& above_max(bool above) {
    above_max_ = above;
    return *this;
  }

  void Test(twopass_f32_raddexpminusmax_ukernel_fn ukernel) const {
    Run(
        [&](const float* input, float max, float* output, float scale, float* sum) {
          (void)output;
          (void)scale;
          ukernel(elements_ * sizeof(float), input, sum, max);
        },
        /*has_output=*/false, /*has_sum=*/true, /*has_scale=*/false);
  }

  void Test(twopass_f32_vscaleexpminusmax_ukernel_fn ukernel) const {
    Run(
        [&](const float* input, float max, float* output, float scale, float* sum) {
          (void)sum;
          ukernel(elements_ * sizeof(float), input, output, max, scale);
        },
        /*has_output=*/true, /*has_sum=*/false, /*has_scale=*/true);
  }

  // The kernels' exp form, which decides the flush model (header comment): the
  // table form (true) or the degree-5 one (false, the default).
  ExpMinusMaxMicrokernelTester& table_form(bool table_form) {
    table_form_ = table_form;
    return *this;
  }

  // Runs the kernel with the flush model of its exp form, read from its variant name.
  void Test(const ExpMinusMaxKernel& kernel) const {
    ExpMinusMaxMicrokernelTester tester = *this;
    tester.table_form(kernel.variant.find("lut16") != std::string::npos);
    if (kernel.raddstore != nullptr) {
      tester.Test(kernel.raddstore);
    } else if (kernel.radd != nullptr) {
      tester.Test(kernel.radd);
    } else {
      ASSERT_NE(kernel.vscale, nullptr) << kernel.variant;
      tester.Test(kernel.vscale);
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
    // Each term's admissible values (one, or two where the kernels' rounding decides):
    // exactly +0 when 0 is one of them, else within the tolerance.
    std::vector<Candidates> reference(elements_);

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

      // Reference terms: exp(x - ref) in double. ref = shift + k*ln2 is exact in
      // double up to ~1e-12, far below the tolerance.
      const double ref = ExpMinusMaxRefPoint(GetExpMinusMaxRef(max));
      const float upper = GetExpMinusMaxRef(max).upper;
      double reference_sum = 0.0;      // the larger admissible value of each term
      double reference_sum_low = 0.0;  // the smaller one
      for (size_t i = 0; i < elements_; i++) {
        const float z = x[i] - max;
        if (std::isnan(z)) {
          reference[i] = Candidates{std::numeric_limits<double>::quiet_NaN()};
        } else {
          // (false for NaN upper: a NaN max gives NaN z above)
          const float xe = clamp_above_ && x[i] > upper ? upper : x[i];
          reference[i] = table_form_ ? TableFormTerm(xe, ref) : DegreeFiveTerm(xe, ref);
        }
        reference_sum += reference[i].high();
        reference_sum_low += reference[i].low();
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
          const float y = output[i];
          const float z = x[i] - max;
          const double slack = kSubnormalSlack * (has_scale ? std::max(1.0f, scale) : 1.0f);
          bool matched = false;
          for (size_t c = 0; c < reference[i].count; c++) {
            const double expected =
                has_scale ? reference[i].value[c] * scale : reference[i].value[c];
            if (std::isnan(expected)) {
              matched = std::isnan(y);
            } else if (expected == 0.0) {
              matched = FloatBits(y) == 0u;  // flushed: exactly +0
            } else {
              // Scaled below 1e-30: may lose bits to subnormal rounding.
              const double absolute =
                  !has_scale || std::fabs(expected) >= 1.0e-30 ? slack : FLT_MIN;
              matched = std::fabs(y - expected) <= kRelTolerance * std::fabs(expected) + absolute;
            }
            if (matched) break;
          }
          ASSERT_TRUE(matched) << "at " << i << " of " << elements_ << ", x " << x[i] << ", max "
                               << max << ", z " << z << ", scale " << scale << ": got " << y
                               << ", expected " << reference[i].value[0] << " or "
                               << reference[i].value[1] << " (unscaled, "
                               << (table_form_ ? "table form)" : "degree-5 form)");
        }
      }
      if (has_sum) {
        if (std::isnan(reference_sum)) {
          ASSERT_TRUE(std::isnan(sum)) << "expected a NaN sum, got " << sum;
        } else {
          const double slack = kSubnormalSlack * static_cast<double>(elements_);
          ASSERT_GE(sum, reference_sum_low * (1.0 - kRelTolerance) - slack)
              << "max " << max << ", reference sum " << reference_sum_low;
          ASSERT_LE(sum, reference_sum * (1.0 + kRelTolerance) + slack)
              << "max " << max << ", reference sum " << reference_sum;
        }
      }
    }
  }

  // One or two admissible values of a term.
  struct Candidates {
    double value[2];
    size_t count;
    Candidates() : Candidates(0.0) {}
    explicit Candidates(double v) : value{v, v}, count(1) {}
    Candidates(double a, double b) : value{a, b}, count(a == b ? 1 : 2) {}
    double low() const { return std::min(value[0], value[1]); }
    double high() const { return std::max(value[0], value[1]); }
  };

  // The degree-5 form: +0 below 2^-126.5, the term above, either within kFlushMargin.
  static Candidates DegreeFiveTerm(float x, double ref) {
    const double u = (static_cast<double>(x) - ref) / kLn2;  // -inf for x = -inf
    const double term = std::exp(static_cast<double>(x) - ref);
    if (u > kFlushLog2 + kFlushMargin) return Candidates(term);
    return u < kFlushLog2 - kFlushMargin ? Candidates(0.0) : Candidates(0.0, term);
  }

  // The table form for N = round(16u): +0, the wrapped value or the term (header comment).
  static double TableFormValue(double u, double n) {
    if (n <= kTableZeroN) return 0.0;
    if (n >= kTableExactN) return std::exp2(u);
    const int j = static_cast<int>(n) - kTableZeroN;
    return (static_cast<double>(kExp2Table16[j]) - 1.0) * 0x1p-126 * std::exp2(u - n / 16.0);
  }

  static Candidates TableFormTerm(float x, double ref) {
    const double u = (static_cast<double>(x) - ref) / kLn2;
    if (u < kTableZeroN / 16.0 - 1.0) return Candidates(0.0);  // -inf included
    const double w = 16.0 * u;
    const double n = std::nearbyint(w);
    if (std::fabs(w - n) < 0.5 - 16.0 * kFlushMargin) return Candidates(TableFormValue(u, n));
    return Candidates(TableFormValue(u, std::floor(w)), TableFormValue(u, std::ceil(w)));
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
  bool table_form_ = false;
  bool clamp_above_ = false;  // raddstoreexpminusmax: inputs above upper count as upper
  bool above_max_ = false;
};

}  // namespace testing
}  // namespace twopass
