// exp(x - max) without FMA, portable scalar C++: the exp helper shared by the
// kernel families f32-raddstoreexpminusmax, f32-raddexpminusmax and
// f32-vscaleexpminusmax, whose src/<family>/scalar.cc.in templates include
// this header. The math, the constants and the special values are documented
// step by step once, here.
//
// Internal to the scalar kernel files, which are compiled without ISA flags and
// as C++17, so nothing is contracted into FMA: the same bits on every x86-64
// CPU. Everything is in an anonymous namespace on purpose: each kernel file
// gets its own internal copy, compiled with its own flags, which the linker can
// never merge with a copy built for another target.
#pragma once

#include <stdint.h>
#include <string.h>

namespace {

// Bit casts through memcpy (no aliasing UB; compiles to a register move).
inline uint32_t float_as_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  return u;
}

inline float bits_as_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof(f));
  return f;
}

// exp(z) for z = x - max <= 0, without FMA (plain C++ arithmetic; compiled
// with -std=c++17, so no contraction into FMA either).
//
// 0. z = x - max is rounded to float; TwoSum (Knuth's six additions, exact for
//    any magnitudes of x and max, unlike Fast2Sum which needs |x| >= |max|)
//    recovers err with z + err == x - max exactly. Without it, the rounding of
//    z (up to 2^-24 |z|, about 2.6e-6 relative near the cutoff) would go
//    straight into the relative error of exp; step 3 adds err to t, so the
//    result is exp of the exact difference. err may be NaN where z is not
//    finite (x = -inf gives inf - inf); those cases are flushed or NaN anyway
//    (step 6 returns +0 for z < cutoff without looking at the value).
// 1. Clamp: zc = max(z, cutoff), written so that a NaN z stays NaN (the
//    comparison is false for NaN). cutoff = -0x1.5D589Ep+6f is the float just
//    above ln(FLT_MIN) = -87.33654475: every z >= cutoff has exp(z) >= FLT_MIN,
//    and the clamp keeps n >= -126 below, so 2^n is a normal float and -inf or
//    -FLT_MAX never reach the reduction (no inf - inf = NaN).
// 2. n = round-to-nearest-even(zc * log2(e)), log2(e) = 0x1.715476p+0f: adding
//    the magic bias 0x1.8000FEp+23f (1.5 * 2^23 + 127) rounds to an integer and
//    leaves n + 127 in the low mantissa bits, so s = 2^n is those bits shifted
//    into the exponent field (n + 127 in [1, 127] for zc in [cutoff, 0]).
//    Subtracting the bias again gives n as a float.
// 3. t = zc - n*ln2 with a two-constant Cody-Waite split:
//    ln2_hi = 0x1.62E400p-1f has 15 significant bits, so n * ln2_hi is exact
//    for |n| <= 2^9 (here |n| <= 127) and zc - n*ln2_hi is exact (Sterbenz);
//    ln2_lo = 0x1.7F7D1Cp-20f = ln2 - ln2_hi rounded to float. Then t += err
//    (step 0), one more rounding of t. t lies in about [-ln2/2, ln2/2].
// 4. p(t) = 1 + t*(c1 + t*(c2 + t*(c3 + t*(c4 + t*c5)))), the published
//    degree-5 minimax coefficients (c1 = 0x1.FFFFF6p-1f, c2 = 0x1.FFFDC6p-2f,
//    c3 = 0x1.555A80p-3f, c4 = 0x1.573A1Ap-5f, c5 = 0x1.0F9F9Cp-7f).
// 5. exp(z) = s * p = s + (t*s) * (c1 + t*(...)), which rounds better than
//    forming p first.
// 6. z < cutoff (including z = -inf) gives exactly +0: no denormal outputs.
//    NaN z gives NaN (NaN passes every step; the comparison is false).
// z = +inf (x = +inf with finite max) is outside the contract z <= 0.
inline float exp_minus_max(float x, float max) {
  const float cutoff = -0x1.5D589Ep+6f;
  const float log2e = 0x1.715476p+0f;
  const float magic_bias = 0x1.8000FEp+23f;
  const float minus_ln2_hi = -0x1.62E400p-1f;
  const float minus_ln2_lo = -0x1.7F7D1Cp-20f;
  const float c5 = 0x1.0F9F9Cp-7f;
  const float c4 = 0x1.573A1Ap-5f;
  const float c3 = 0x1.555A80p-3f;
  const float c2 = 0x1.FFFDC6p-2f;
  const float c1 = 0x1.FFFFF6p-1f;

  const float z = x - max;
  const float z_minus_x = z - x;
  const float x_rounded = z - z_minus_x;
  const float err = (x - x_rounded) - (max + z_minus_x);

  const float zc = z < cutoff ? cutoff : z;
  float n = zc * log2e + magic_bias;
  const float s = bits_as_float(float_as_bits(n) << 23);
  n -= magic_bias;
  float t = n * minus_ln2_hi + zc;
  t = n * minus_ln2_lo + t;
  t += err;
  float p = c5 * t + c4;
  p = p * t + c3;
  p = p * t + c2;
  p = p * t + c1;
  t *= s;
  const float f = t * p + s;
  return z < cutoff ? 0.0f : f;
}

}  // namespace
