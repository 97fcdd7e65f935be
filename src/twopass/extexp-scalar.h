// The extended exp exp(x) = p * 2^n, one element at a time, portable scalar C++ without
// FMA: range reduction, polynomial, the extended-exponent accumulation and the clamped
// powers of two of the two-pass families (src/f32-raddextexp/scalar.cc.in,
// src/f32-vscaleextexp/scalar.cc.in and their f16 versions), also used by
// twopass/expminusmax-scalar.h. The math, and how it differs per ISA, is in
// docs/exp-math.md; the constants in twopass/exp-constants.h.
//
// Internal to the scalar kernel files, which are compiled without ISA flags and as
// C++17, so nothing is contracted into FMA: the same bits on every x86-64 CPU.
// Everything is in an anonymous namespace on purpose: each kernel file gets its own
// internal copy, which the linker can never merge with a copy built for another
// target.
#pragma once

#include <stdint.h>
#include <string.h>

#include <cmath>

#include "twopass/exp-constants.h"
#include "twopass/extexp-inline.h"

// No ISA flags: the scalar kernels must give the same bits on every x86-64 CPU.
#if defined(__AVX__) || defined(__FMA__)
#error "twopass/extexp-scalar.h is for the scalar kernel files only (no ISA flags)"
#endif

namespace {

// Bit casts through memcpy (no aliasing UB; compiles to a register move).
TWOPASS_EXTEXP_INLINE uint32_t FloatAsBits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  return u;
}

TWOPASS_EXTEXP_INLINE float BitsAsFloat(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof(f));
  return f;
}

// x_c = min(max(x, -B), B), B = 2^23. Comparisons are false for NaN, so a NaN x
// passes through unchanged.
TWOPASS_EXTEXP_INLINE float ClampExtExpInput(float x) {
  const float xc = x < -twopass::kExtExpBound ? -twopass::kExtExpBound : x;
  return xc > twopass::kExtExpBound ? twopass::kExtExpBound : xc;
}

// n = rint(x * log2e): round to nearest even, exact for every magnitude, NaN stays NaN.
TWOPASS_EXTEXP_INLINE float RoundXLog2e(float x) { return std::rint(x * twopass::kLog2e); }

// t = x - n*ln2 with the three-constant split (no FMA): n*hi and n*mid are exact for
// |n| < 2^15, and x - n*hi is exact (Sterbenz).
TWOPASS_EXTEXP_INLINE float ReduceLn2(float n, float x) {
  float t = n * -twopass::kLn2HiNoFma + x;  // exact
  t = n * -twopass::kLn2MidNoFma + t;
  return n * -twopass::kLn2LoNoFma + t;
}

// q(t) = c1 + t*(c2 + t*(c3 + t*(c4 + t*c5))), Horner: p(t) = 1 + t*q(t).
TWOPASS_EXTEXP_INLINE float ExpPolyQ(float t) {
  float q = twopass::kExpC5 * t + twopass::kExpC4;
  q = q * t + twopass::kExpC3;
  q = q * t + twopass::kExpC2;
  return q * t + twopass::kExpC1;
}

// p(t) = 1 + t*q(t).
TWOPASS_EXTEXP_INLINE float ExpPoly(float t) { return ExpPolyQ(t) * t + 1.0f; }

// exp(x) = p * 2^n_eff for any x: x is clamped to [-B, B] and n_eff = n + (x - x_c)
// (±inf for ±inf, NaN for NaN); p is finite unless x is NaN.
TWOPASS_EXTEXP_INLINE void ExtExp(float x, float* p_out, float* n_out) {
  const float xc = ClampExtExpInput(x);
  const float dx = x - xc;
  const float n = RoundXLog2e(xc);
  *p_out = ExpPoly(ReduceLn2(n, xc));
  *n_out = n + dx;
}

// 2^d from v = d + kExp2Magic (or any v holding d + 127 in its low mantissa bits, such
// as the rounding of the fast forms): the bits shifted left by 23.
TWOPASS_EXTEXP_INLINE float Exp2FromBiased(float v) { return BitsAsFloat(FloatAsBits(v) << 23); }

// 2^d for integer-valued d <= 0 (or NaN), pass 1: d < -127 and NaN give +0 (the
// comparison is false for NaN).
TWOPASS_EXTEXP_INLINE float Exp2Clamped(float d) {
  d = d >= twopass::kExp2MinExponent ? d : twopass::kExp2MinExponent;
  return Exp2FromBiased(d + twopass::kExp2Magic);
}

// max(n, e) as the accumulation needs it: false for a NaN n, which keeps e (never NaN).
TWOPASS_EXTEXP_INLINE float ExtExpMax(float n, float e) { return n > e ? n : e; }

// Extended-exponent accumulation: the accumulator a at exponent E moved to the new
// maximum M >= E: a * 2^(E - M).
TWOPASS_EXTEXP_INLINE float ExtExpRescale(float acc, float exp, float max) { return acc * Exp2Clamped(exp - max); }

// ... and the term p * 2^n added at exponent M >= n: acc + p * 2^(n - M).
TWOPASS_EXTEXP_INLINE float ExtExpAddTerm(float acc, float p, float n, float max) {
  return acc + p * Exp2Clamped(n - max);
}

// Adds the term p * 2^n to the accumulator (a, e): M = max(n, e), then both at M.
TWOPASS_EXTEXP_INLINE void ExtExpMerge(float* a, float* e, float p, float n) {
  const float m = ExtExpMax(n, *e);
  // One expression, in this operand order: the order decides which NaN payload
  // propagates when several inputs are NaN (kept as it was before the helpers).
  *a = *a * Exp2Clamped(*e - m) + p * Exp2Clamped(n - m);
  *e = m;
}

// Pass 2: (p * s) * 2^(n_eff + e), the exponent clamped to [-127, 128] with
// comparisons that map NaN to -127 (p is NaN then), so -127 gives +0 and 128 +inf.
TWOPASS_EXTEXP_INLINE float ScaleExtExp(float p, float n_eff, float s, float e) {
  float d = n_eff + e;
  d = d >= twopass::kExp2MinExponent ? d : twopass::kExp2MinExponent;  // NaN -> -127
  d = d <= twopass::kExp2MaxExponent ? d : twopass::kExp2MaxExponent;
  return (p * s) * Exp2FromBiased(d + twopass::kExp2Magic);
}

// Pass 2 for any x: exp(x) * s * 2^e.
TWOPASS_EXTEXP_INLINE float ScaledExtExp(float x, float s, float e) {
  float p, n;
  ExtExp(x, &p, &n);
  return ScaleExtExp(p, n, s, e);
}

}  // namespace
