// The reference point of the three-pass exp kernels (f32-raddstoreexpminusmax,
// f32-raddexpminusmax, f32-vscaleexpminusmax): what they compute for a given max,
// shared by the per-ISA exp helpers (twopass/expminusmax-<isa>.h) and the tests, so
// that both derive it with the same float operations.
//
// Why a reference point instead of max itself: exp(x - max) needs x - max exactly
// (its rounding, up to 2^-24 |x - max|, would go straight into the relative error of
// exp, up to ~4e-6 near the flush threshold), and recovering the rounding error with
// TwoSum costs six vector additions per element. Softmax only needs the terms up to
// one common factor, so the kernels compute
//
//   f(x) = exp(x - ref),  ref = shift + k*ln2,  i.e.  f(x) = exp(x - max) * C,
//   C = exp(max - ref) in [2^-0.5, 2^0.5] (up to rounding of k), the same for every
//   element of a call and for every call with the same max,
//
// with ref chosen so that the range reduction stays exact without TwoSum:
// - |max| < 2^14 (kDirectBound): shift = 0, k = round-to-nearest-even of
//   fl(max * log2e). Then n = round(x*log2e) in the reduction t = x - n*ln2 stays in
//   [k - 127, k + 1], |n| < 2^15, where the exp helpers' Cody-Waite splits are exact
//   (FMA two-constant; without FMA the three-constant split with 9-bit hi/mid parts
//   whose products n*c are exact for |n| < 2^15), and 2^(n - k) is built exactly
//   from the bits of n - k + bias. x itself is never rounded.
// - otherwise (|max| >= 2^14, ±inf, NaN): shift = max, k = 0, and x - max is exact
//   for every term that is not flushed (Sterbenz: such x lie within 88 of max, and
//   |max| >= 2^14 > 2 * 88 puts x within a factor 2 of max). An inf or NaN max gives
//   the usual inf/NaN arithmetic of x - max.
//
// Flush: x - shift is clamped below at cut = fl((k - 127) * ln2), which yields
// n - k = -127 and 2^(n - k) = +0 from the bias trick, so every term whose
// exp(x - ref) is below about 2^-126.5 (n - k rounds to -127, or x - shift < cut,
// including x = -inf) is exactly +0. The terms just above (n - k = -126) may be
// subnormal. NaN x or NaN max give NaN.
//
// Above max (f32-raddstoreexpminusmax only, for a max estimated from a sample of the row:
// src/softmax-phases.cc): the caller passes upper = fl(shift + (k + kExpMinusMaxHeadroom)
// * ln2) and x is clamped above there, so inputs up to max + ~43 get their terms (up to 2^62, n - k
// <= 62 within every ISA's exponent construction, the AVX512F table form's n - k <= 63
// included) and anything larger, +inf included, the term at upper, about 2^62: a sum at
// or above 2^61 tells the caller that its max was too low. x - shift stays exact below
// upper for |max| >= 2^14 (Sterbenz, as above).
#pragma once

#include <math.h>

#include <type_traits>

#include "twopass/exp-constants.h"

namespace twopass {

struct ExpMinusMaxRef {
  float shift;  // subtracted from x first: 0, or max
  float k;      // integer-valued: ref = shift + k*ln2
  float cut;    // lower clamp of x - shift: gives n - k = -127, hence +0
  float bias;   // kExp2Magic - k: fma(x, log2e, bias) leaves n - k + 127 in the low bits
  float upper;  // upper clamp of x (raddstoreexpminusmax): the term there is ~2^62
};

constexpr float kExpMinusMaxDirectBound = 0x1p14f;
// Binades of headroom above 2^k before the clamp (see "Above max"), and the sum from which
// a call's terms may hold a clamped one.
constexpr float kExpMinusMaxHeadroom = 62.0f;
constexpr double kExpMinusMaxClampedSum = 0x1p61;

inline ExpMinusMaxRef GetExpMinusMaxRef(float max) {
  ExpMinusMaxRef r;
  if (fabsf(max) < kExpMinusMaxDirectBound) {  // false for NaN
    r.shift = 0.0f;
    const float scaled = max * kLog2e;  // a product alone: never contracted
    r.k = nearbyintf(scaled);           // default rounding: to nearest even
  } else {
    r.shift = max;
    r.k = 0.0f;
  }
  // |k| <= 23637: k - 127 and kExp2Magic - k are exact; (k - 127) * fl(ln2) is
  // within 2^-9 of (k - 127) * ln2 (|cut| < 16500), far less than the 0.35 that would
  // move round(cut * log2e) off k - 127. Float only: this runs once per kernel call,
  // on the critical path of short rows.
  r.cut = (r.k - 127.0f) * kLn2Hi;
  r.bias = kExp2Magic - r.k;
  // (k + 62) * ln2 within 2^-9 of exact, as cut; shift + 43 rounds by at most 2^-10 of a
  // binade for |shift| >= 2^14. NaN max: NaN (the kernels' min keeps x).
  r.upper = r.shift + (r.k + kExpMinusMaxHeadroom) * kLn2Hi;
  return r;
}

// ref = shift + k*ln2 in double, for the reference results of the tests.
inline double ExpMinusMaxRefPoint(const ExpMinusMaxRef& r) {
  return static_cast<double>(r.shift) + static_cast<double>(r.k) * 0.69314718055994530942;
}

// Calls compute(shift, clamp) with std::true_type / std::false_type for the two per-call
// choices of f32-raddstoreexpminusmax (ExpMinusMax<kShift>, ClampAboveMax<kClamp>), so that
// each combination gets loops of its own.
template <typename Compute>
inline void DispatchShiftClamp(bool shift, bool clamp, Compute compute) {
  if (shift) {
    if (clamp) {
      compute(std::true_type(), std::true_type());
    } else {
      compute(std::true_type(), std::false_type());
    }
  } else if (clamp) {
    compute(std::false_type(), std::true_type());
  } else {
    compute(std::false_type(), std::false_type());
  }
}

}  // namespace twopass
