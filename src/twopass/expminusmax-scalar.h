// exp(x - max), up to a per-call factor (twopass/expminusmax-ref.h), without
// FMA, portable scalar C++: the exp helper shared by the kernel families f32-raddstoreexpminusmax, f32-raddexpminusmax and
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

#include "twopass/expminusmax-ref.h"

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

// exp(x - ref) without FMA, ref = shift + k*ln2 (twopass/expminusmax-ref.h): the
// steps, constants and special values of the SSE2 helper
// (twopass/expminusmax-sse2.h), one lane: xc = x - shift clamped below at cut (a
// NaN stays NaN: the comparison is false), v = xc*log2e + bias with n - k + 127 in
// its low bits, s = 2^(n - k) by a shift (+0 for the flushed terms), n = v - bias,
// t = xc - n*ln2 with the three-constant split (products exact for |n| < 2^15),
// degree-5 polynomial, result s + (t*s)*p'.
inline float exp_minus_max(float x, const twopass::ExpMinusMaxRef& ref) {
  const float log2e = 0x1.715476p+0f;
  const float minus_ln2_hi = -0x1.630000p-1f;
  const float minus_ln2_mid = 0x1.BD0000p-13f;
  const float minus_ln2_lo = 0x1.05C610p-29f;
  const float c5 = 0x1.0F9F9Cp-7f;
  const float c4 = 0x1.573A1Ap-5f;
  const float c3 = 0x1.555A80p-3f;
  const float c2 = 0x1.FFFDC6p-2f;
  const float c1 = 0x1.FFFFF6p-1f;

  const float xs = x - ref.shift;
  const float xc = xs < ref.cut ? ref.cut : xs;
  float n = xc * log2e + ref.bias;
  const float s = bits_as_float(float_as_bits(n) << 23);
  n -= ref.bias;
  float t = n * minus_ln2_hi + xc;
  t = n * minus_ln2_mid + t;
  t = n * minus_ln2_lo + t;
  float p = c5 * t + c4;
  p = p * t + c3;
  p = p * t + c2;
  p = p * t + c1;
  t *= s;
  return t * p + s;
}

}  // namespace
