// The contract of include/twopass.h as checks, without GoogleTest: the double-precision
// reference softmax with its special values, and per-row checks of f32 and f16 outputs
// against it. Used by SoftmaxOperatorTester (gtest) and by the fuzzers (test/fuzz/),
// which abort on a violation instead.
#pragma once

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "f16-test-util.h"

namespace twopass {
namespace testing {

// Reference softmax of one row, following the contract for special values.
// Returns the reference in `r`; NaN entries mean "must be NaN".
inline void ReferenceSoftmax(const float* x, size_t n, bool masked_row_zero,
                             std::vector<double>* r) {
  r->assign(n, 0.0);
  bool nan = false;
  size_t positive_infinities = 0, negative_infinities = 0;
  double max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    nan |= std::isnan(x[i]);
    positive_infinities += x[i] == INFINITY;
    negative_infinities += x[i] == -INFINITY;
    if (!std::isnan(x[i])) max = std::max(max, static_cast<double>(x[i]));
  }
  if (nan) {
    std::fill(r->begin(), r->end(), NAN);
  } else if (positive_infinities != 0) {
    for (size_t i = 0; i < n; i++) {
      (*r)[i] = x[i] == INFINITY ? 1.0 / static_cast<double>(positive_infinities) : 0.0;
    }
  } else if (negative_infinities == n) {
    std::fill(r->begin(), r->end(), masked_row_zero ? 0.0 : NAN);
  } else {
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
      (*r)[i] = exp(static_cast<double>(x[i]) - max);  // exact difference in double
      sum += (*r)[i];
    }
    for (size_t i = 0; i < n; i++) (*r)[i] /= sum;
  }
}

// printf into a std::string (failure messages).
inline std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));
inline std::string Format(const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  return buffer;
}

// Checks one f32 output row `y` of input row `x` (n elements) against the contract:
// NaN where the reference is NaN; exact values (1/k, 0) for rows with +inf, rows of
// only -inf and -inf entries; otherwise outputs in [0, 1], |y_i - r_i| <= 1e-6 * max r,
// |y_i - r_i| <= 1e-6 * r_i for rows within [-1e4, 1e4] where r_i >= 1e-30, and
// |sum - 1| <= 1e-6. Returns "" when the row is right, else a description of the first
// violation. `r` is scratch (receives the reference).
inline std::string CheckSoftmaxRowF32(const float* x, const float* y, size_t n,
                                      const std::vector<double>& r);
inline std::string CheckSoftmaxRowF32(const float* x, const float* y, size_t n,
                                      bool masked_row_zero, std::vector<double>* r) {
  ReferenceSoftmax(x, n, masked_row_zero, r);
  return CheckSoftmaxRowF32(x, y, n, *r);
}

// The same with the reference `r` of the row already computed (ReferenceSoftmax).
inline std::string CheckSoftmaxRowF32(const float* x, const float* y, size_t n,
                                      const std::vector<double>& reference) {
  const std::vector<double>* r = &reference;
  bool moderate_row = true;  // every input other than -inf in [-1e4, 1e4]
  double max_r = 0.0;
  bool has_positive_infinity = false, all_negative_infinity = true;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != -INFINITY) moderate_row &= x[i] >= -1e4f && x[i] <= 1e4f;
    if (!std::isnan((*r)[i])) max_r = std::max(max_r, (*r)[i]);
    has_positive_infinity |= x[i] == INFINITY;
    all_negative_infinity &= x[i] == -INFINITY;
  }
  // Rows with +inf, or of only -inf, have exact expected values (1/k, 0).
  const bool exact_row = has_positive_infinity || all_negative_infinity;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double ref = (*r)[i];
    const double value = y[i];
    if (std::isnan(ref)) {
      if (!std::isnan(value)) {
        return Format("element %zu: expected NaN, got %.9g", i, value);
      }
      continue;
    }
    if (exact_row || x[i] == -INFINITY) {
      if (static_cast<float>(ref) != y[i] || std::isnan(value)) {
        return Format("element %zu, input %a: expected exactly %.9g, got %.9g", i,
                      static_cast<double>(x[i]), ref, value);
      }
      sum += value;
      continue;
    }
    if (!(value >= 0.0 && value <= 1.0)) {
      return Format("element %zu, input %a: %.9g outside [0, 1]", i,
                    static_cast<double>(x[i]), value);
    }
    if (fabs(value - ref) > 1e-6 * max_r) {
      return Format("element %zu, input %a: got %.9g, reference %.9g (max %.9g)", i,
                    static_cast<double>(x[i]), value, ref, max_r);
    }
    // Same element-wise bound for every algorithm (the three-pass kernels recover the
    // rounding error of x - max).
    if (moderate_row && ref >= 1e-30 && fabs(value - ref) > 1e-6 * ref) {
      return Format("element %zu, input %a: got %.9g, reference %.9g, relative error %.3g", i,
                    static_cast<double>(x[i]), value, ref, fabs(value - ref) / ref);
    }
    sum += value;
  }
  if (max_r > 0.0 && fabs(sum - 1.0) > 1e-6) {
    return Format("sums to %.12g", sum);
  }
  return std::string();
}

// Checks one f16 output row `y` (n elements) of the row `x`, given widened to floats
// (or the rows t of a scale and mask), against the reference `r` of x
// (ReferenceSoftmax): NaN halves where r is NaN, every other output within one half-ULP
// of r, and the sum of a finite row within 2^-11 + n * 2^-25 + 1e-6 of 1 (not for a
// masked row of zeros). Returns "" when the row is right, else a description of the
// first violation; raises *max_error to the largest error in half-ULPs seen.
inline std::string CheckSoftmaxRowF16(const float* x, const uint16_t* y, size_t n,
                                      bool masked_row_zero, const std::vector<double>& r,
                                      double* max_error);

// The same for the half input row `x`, its reference computed here.
inline std::string CheckSoftmaxRowF16(const uint16_t* x, const uint16_t* y, size_t n,
                                      bool masked_row_zero, double* max_error) {
  const std::vector<float> xf = HalvesToFloats(x, n);
  std::vector<double> r;
  ReferenceSoftmax(xf.data(), n, masked_row_zero, &r);
  return CheckSoftmaxRowF16(xf.data(), y, n, masked_row_zero, r, max_error);
}

inline std::string CheckSoftmaxRowF16(const float* x, const uint16_t* y, size_t n,
                                      bool masked_row_zero, const std::vector<double>& r,
                                      double* max_error) {
  bool finite_row = true;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (std::isnan(r[i])) {
      finite_row = false;
      if (!HalfIsNan(y[i])) return Format("element %zu: expected NaN, got 0x%04X", i, y[i]);
      continue;
    }
    const double value = HalfToFloat(y[i]);
    const double error = HalfUlpError(value, r[i]);
    *max_error = std::max(*max_error, error);
    if (!(error <= 1.0)) {
      return Format("element %zu, input %.9g: got %.9g (0x%04X), reference %.9g", i, x[i], value,
                    y[i], r[i]);
    }
    sum += value;
  }
  if (finite_row && !(masked_row_zero && n != 0 && r[0] == 0.0 && sum == 0.0)) {
    const double tolerance = 0x1p-11 + static_cast<double>(n) * 0x1p-25 + 1e-6;
    if (!(fabs(sum - 1.0) <= tolerance)) return Format("sums to %.12g", sum);
  }
  return std::string();
}

}  // namespace testing
}  // namespace twopass
