// exp(x - max), up to a per-call factor (twopass/expminusmax-ref.h), without
// FMA, portable scalar C++: the exp helper shared by the kernel families
// f32-raddstoreexpminusmax, f32-raddexpminusmax and f32-vscaleexpminusmax, whose
// src/<family>/scalar.cc.in templates include this header. The steps are those of
// twopass/expminusmax-sse2.h, built from the helpers of twopass/extexp-scalar.h and
// the constants of twopass/exp-constants.h (docs/exp-math.md).
//
// Internal to the scalar kernel files, which are compiled without ISA flags and
// as C++17, so nothing is contracted into FMA: the same bits on every x86-64
// CPU. Everything is in an anonymous namespace on purpose: each kernel file
// gets its own internal copy, compiled with its own flags, which the linker can
// never merge with a copy built for another target.
#pragma once

#include "twopass/exp-constants.h"
#include "twopass/expminusmax-ref.h"
#include "twopass/extexp-scalar.h"

namespace {

// exp(x - ref) without FMA, ref = shift + k*ln2 (twopass/expminusmax-ref.h): the
// steps, constants and special values of the SSE2 helper
// (twopass/expminusmax-sse2.h), one lane: xc = x - shift clamped below at cut (a
// NaN stays NaN: the comparison is false), v = xc*log2e + bias with n - k + 127 in
// its low bits, s = 2^(n - k) by a shift (+0 for the flushed terms), n = v - bias,
// t = xc - n*ln2 with the three-constant split (products exact for |n| < 2^15),
// degree-5 polynomial, result s + (t*s)*q(t).
inline float ExpMinusMax(float x, const twopass::ExpMinusMaxRef& ref) {
  const float xs = x - ref.shift;
  const float xc = xs < ref.cut ? ref.cut : xs;
  float n = xc * twopass::kLog2e + ref.bias;
  const float s = Exp2FromBiased(n);
  n -= ref.bias;
  float t = ReduceLn2(n, xc);
  const float q = ExpPolyQ(t);
  t *= s;
  return t * q + s;
}

// x clamped above at the caller's upper (twopass/expminusmax-ref.h, "Above max"; at most
// the reference's upper): f32-raddstoreexpminusmax under a max estimated from a sample. A
// NaN x stays NaN (the comparison is false); upper = +inf changes nothing.
inline float ClampAboveMax(float x, float upper) { return x > upper ? upper : x; }

}  // namespace
