// The log-softmax and log-sum-exp contract of include/twopass.h as checks for the
// fuzzers: double-precision references with the special-value table, and per-row
// checks returning "" or a description of the first violation.
//   log-softmax: f32 |y - r| <= 1e-6 * max(1, |r|); f16 within one half-ULP of r plus
//     that; results beyond the format's range (f32 below -FLT_MAX, f16 below -65520)
//     are -inf. NaN row -> NaN; -inf -> -inf; k x +inf -> -log k at the +inf entries,
//     -inf elsewhere; only -inf -> NaN, or -inf with TWOPASS_FLAG_MASKED_ROW_ZERO.
//   lse (the logsumexp operator and the log-sum-exp output of softmax / log-softmax
//     operators): |lse - r| <= 1e-6 * max(1, |r|); NaN row -> NaN; +inf -> +inf; only
//     -inf -> -inf (masked or not).
#pragma once

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "test/f16-test-util.h"
#include "test/softmax-reference.h"  // testing::Format

namespace twopass {
namespace fuzz {

// log(sum_j exp(x_j)) of one row in double, with the special rows.
inline double ReferenceLogSumExp(const float* x, size_t n) {
  bool nan = false, positive_infinity = false;
  double max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    nan |= std::isnan(x[i]);
    positive_infinity |= x[i] == INFINITY;
    if (!std::isnan(x[i])) max = std::max(max, static_cast<double>(x[i]));
  }
  if (nan) return NAN;
  if (positive_infinity) return INFINITY;
  if (max == -INFINITY) return -INFINITY;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += exp(static_cast<double>(x[i]) - max);
  return max + log(sum);
}

// Log-softmax of one row in double; NaN entries mean "must be NaN".
inline void ReferenceLogSoftmax(const float* x, size_t n, bool masked_row_zero,
                                std::vector<double>* r) {
  r->assign(n, 0.0);
  size_t positive_infinities = 0, negative_infinities = 0;
  bool nan = false;
  for (size_t i = 0; i < n; i++) {
    nan |= std::isnan(x[i]);
    positive_infinities += x[i] == INFINITY;
    negative_infinities += x[i] == -INFINITY;
  }
  if (nan) {
    std::fill(r->begin(), r->end(), NAN);
  } else if (positive_infinities != 0) {
    const double share = -log(static_cast<double>(positive_infinities));
    for (size_t i = 0; i < n; i++) (*r)[i] = x[i] == INFINITY ? share : -INFINITY;
  } else if (negative_infinities == n) {
    std::fill(r->begin(), r->end(), masked_row_zero ? -INFINITY : NAN);
  } else {
    const double lse = ReferenceLogSumExp(x, n);
    for (size_t i = 0; i < n; i++) (*r)[i] = static_cast<double>(x[i]) - lse;
  }
}

// The tolerance of a log-softmax output whose reference r is finite.
inline double LogSoftmaxTolerance(double r, bool f16) {
  double tolerance = 1e-6 * std::max(1.0, fabs(r));
  if (f16) tolerance += testing::HalfUlp(fabs(r));
  return tolerance;
}

// Below this a result is beyond the format's range and may round to -inf (f32: -FLT_MAX
// less half an ULP; f16: -65520).
inline double NegativeOverflow(bool f16) { return f16 ? -65520.0 : -0x1.ffffffp127; }

// Checks one log-softmax output `y` (decoded to double; n elements) against the
// reference r of the row (its inputs `x` widened to float, for the message).
inline std::string CheckLogSoftmaxRow(const float* x, const double* y, size_t n, bool f16,
                                      const std::vector<double>& r) {
  for (size_t i = 0; i < n; i++) {
    if (std::isnan(r[i])) {
      if (!std::isnan(y[i])) {
        return testing::Format("element %zu, input %a: expected NaN, got %.9g", i,
                               static_cast<double>(x[i]), y[i]);
      }
      continue;
    }
    if (std::isinf(r[i])) {
      if (y[i] != r[i]) {
        return testing::Format("element %zu, input %a: expected %g, got %.9g", i,
                               static_cast<double>(x[i]), r[i], y[i]);
      }
      continue;
    }
    const double tolerance = LogSoftmaxTolerance(r[i], f16);
    if (y[i] == -INFINITY) {
      // Only where the result is (within the tolerance) beyond the format's range.
      if (!(r[i] - tolerance <= NegativeOverflow(f16))) {
        return testing::Format("element %zu, input %a: got -inf, reference %.17g", i,
                               static_cast<double>(x[i]), r[i]);
      }
      continue;
    }
    if (!(fabs(y[i] - r[i]) <= tolerance)) {
      return testing::Format("element %zu, input %a: got %.9g, reference %.17g, error %.3g > %.3g",
                             i, static_cast<double>(x[i]), y[i], r[i], fabs(y[i] - r[i]),
                             tolerance);
    }
  }
  return std::string();
}

// Two runs' log-softmax outputs of one row (each already checked against r) agree: the
// same NaNs and infinities, finite values within twice the tolerance; -inf against a
// finite value only where the result is at the edge of the format's range.
inline std::string CrossLogSoftmaxRow(const double* a, const double* b, size_t n, bool f16,
                                      const std::vector<double>& r) {
  for (size_t i = 0; i < n; i++) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (std::isnan(a[i]) != std::isnan(b[i])) {
        return testing::Format("element %zu: %.9g vs %.9g", i, a[i], b[i]);
      }
      continue;
    }
    if (a[i] == b[i]) continue;
    if (std::isinf(a[i]) || std::isinf(b[i])) {
      if (!std::isfinite(r[i]) ||
          !(r[i] - LogSoftmaxTolerance(r[i], f16) <= NegativeOverflow(f16))) {
        return testing::Format("element %zu: %.9g vs %.9g, reference %.17g", i, a[i], b[i],
                               r[i]);
      }
      continue;
    }
    if (!(fabs(a[i] - b[i]) <= 2.0 * LogSoftmaxTolerance(r[i], f16))) {
      return testing::Format("element %zu: %.9g vs %.9g, reference %.17g", i, a[i], b[i], r[i]);
    }
  }
  return std::string();
}

// Checks one lse output against the reference r of its row.
inline std::string CheckLse(float lse, double r) {
  const double value = lse;
  if (std::isnan(r)) {
    if (!std::isnan(value)) return testing::Format("lse: expected NaN, got %.9g", value);
    return std::string();
  }
  if (std::isinf(r)) {
    if (value != r) return testing::Format("lse: expected %g, got %.9g", r, value);
    return std::string();
  }
  const double tolerance = 1e-6 * std::max(1.0, fabs(r));
  if (!(fabs(value - r) <= tolerance)) {
    return testing::Format("lse: got %.9g, reference %.17g, error %.3g > %.3g", value, r,
                           fabs(value - r), tolerance);
  }
  return std::string();
}

// Two runs' lse of one row (each checked against r) agree within twice the tolerance.
inline std::string CrossLse(float a, float b, double r) {
  if (std::isnan(a) != std::isnan(b)) return testing::Format("lse: %.9g vs %.9g", a, b);
  if (std::isnan(a) || a == b) return std::string();
  if (std::isinf(a) || std::isinf(b) ||
      !(fabs(static_cast<double>(a) - b) <= 2e-6 * std::max(1.0, fabs(r)))) {
    return testing::Format("lse: %.9g vs %.9g, reference %.17g", a, b, r);
  }
  return std::string();
}

}  // namespace fuzz
}  // namespace twopass
