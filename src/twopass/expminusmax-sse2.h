// exp(x - max), up to a per-call factor (twopass/expminusmax-ref.h), on four
// lanes without FMA, SSE2: the exp helper shared by the kernel families
// f32-raddstoreexpminusmax, f32-raddexpminusmax and f32-vscaleexpminusmax, whose
// src/<family>/sse2.cc.in templates include this header. The steps and the special
// values are documented once, here; the range reduction and the polynomial are those
// of the two-pass kernels (twopass/extexp-sse2.h), the constants those of
// twopass/exp-constants.h, the math and its per-ISA differences in docs/exp-math.md.
//
// Internal to the sse2 kernel files (build_defs.bzl: -msse2 -mno-sse3
// -mno-avx); it uses SSE2 intrinsics only, hence <emmintrin.h>. Everything is
// in an anonymous namespace on purpose: each kernel file gets its own internal
// copy, compiled with its own ISA flags, which the linker can never merge with
// a copy built for another target.
#pragma once

#include <emmintrin.h>
#include <math.h>

#include "twopass/exp-constants.h"
#include "twopass/expminusmax-ref.h"
#include "twopass/extexp-sse2.h"

namespace {

// The per-call constants of ExpMinusMax(), broadcast from GetExpMinusMaxRef(max)
// (twopass/expminusmax-ref.h, which explains the reference point and the flush).
struct ExpMinusMaxParams {
  bool shift_needed;  // shift != 0: the kernels then run ExpMinusMax<true>
  __m128 shift;
  __m128 cut;
  __m128 bias;
  __m128 upper;       // ClampAboveMax(): the caller's clamp of x
  bool clamp_needed;  // upper < +inf: the kernels then run ClampAboveMax<true>
};

inline ExpMinusMaxParams MakeExpMinusMaxParams(float max, float upper = INFINITY) {
  const twopass::ExpMinusMaxRef r = twopass::GetExpMinusMaxRef(max);
  return ExpMinusMaxParams{r.shift != 0.0f,     _mm_set1_ps(r.shift), _mm_set1_ps(r.cut),
                           _mm_set1_ps(r.bias), _mm_set1_ps(upper),   upper < INFINITY};
}

// x clamped above at the caller's upper (twopass/expminusmax-ref.h, "Above max"; at most
// the reference's upper: n - k <= 62): f32-raddstoreexpminusmax
// under a max estimated from a sample. The min returns its second operand when either is
// NaN: a NaN x stays NaN. kClamp = false (upper = +inf, an exact max) leaves x as it is
// without the operation (5-8% of the kernel, measured on AVX512F).
template <bool kClamp>
inline __m128 ClampAboveMax(__m128 vx, const ExpMinusMaxParams& params) {
  return kClamp ? _mm_min_ps(params.upper, vx) : vx;
}

// exp(x - ref) on four lanes without FMA, ref = shift + k*ln2:
// 1. x' = x - shift, clamped below: xc = max(cut, x'). maxps returns its second
//    operand when either is NaN, so a NaN x' stays NaN; -inf becomes cut.
// 2. v = xc*log2e + bias (two roundings: n = round(fl(xc*log2e)) to nearest even,
//    which may differ from the FMA ISAs' n at a tie; t absorbs it), bias =
//    kExp2Magic - k (twopass/exp-constants.h); the low mantissa bits of v hold
//    n - k + 127 in [0, 128], so s = 2^(n - k) is those bits shifted into the
//    exponent field (Exp2FromBiased; +0 for n - k = -127: the flushed terms).
//    n = v - bias exactly.
// 3. t = xc - n*ln2 with the three-constant Cody-Waite split (ReduceLn2 of
//    twopass/extexp-sse2.h): kLn2HiNoFma and kLn2MidNoFma have 9 significant bits,
//    so their products with n are exact for |n| < 2^15 (expminusmax-ref.h keeps
//    |n| <= 23765), xc - n*hi is exact (Sterbenz).
// 4. q(t) = c1 + t*(c2 + t*(c3 + t*(c4 + t*c5))) (ExpPolyQ, the published degree-5
//    minimax coefficients kExpC1..kExpC5), Horner; p(t) = 1 + t*q(t).
// 5. exp(x - ref) = s + (t*s) * q(t); exactly +0 where s = +0. A NaN x' gives NaN
//    through t.
// kShift = false skips step 1's subtraction, for shift == 0 (|max| < 2^14, the common
// case): one vector operation less per vector, 9% faster measured on AVX2.
template <bool kShift>
inline __m128 ExpMinusMax(__m128 vx, const ExpMinusMaxParams& params) {
  const __m128 vxs = kShift ? _mm_sub_ps(vx, params.shift) : vx;
  const __m128 vxc = _mm_max_ps(params.cut, vxs);
  __m128 vn = _mm_add_ps(_mm_mul_ps(vxc, _mm_set1_ps(twopass::kLog2e)), params.bias);
  const __m128 vs = Exp2FromBiased(vn);
  vn = _mm_sub_ps(vn, params.bias);
  __m128 vt = ReduceLn2(vn, vxc);
  const __m128 vq = ExpPolyQ(vt);
  vt = _mm_mul_ps(vt, vs);
  return _mm_add_ps(_mm_mul_ps(vt, vq), vs);
}

// Sums of the exp terms in double, as in twopass/expminusmax-avx2.h (which says
// why): float terms of an iteration added in float, then into double lanes.
struct F64Acc {
  __m128d lo;
  __m128d hi;
};

inline F64Acc F64AccZero() { return F64Acc{_mm_setzero_pd(), _mm_setzero_pd()}; }

inline void F64AccAdd(F64Acc* acc, __m128 v) {
  acc->lo = _mm_add_pd(acc->lo, _mm_cvtps_pd(v));
  acc->hi = _mm_add_pd(acc->hi, _mm_cvtps_pd(_mm_movehl_ps(v, v)));
}

inline void F64AccMerge(F64Acc* acc, const F64Acc& other) {
  acc->lo = _mm_add_pd(acc->lo, other.lo);
  acc->hi = _mm_add_pd(acc->hi, other.hi);
}

// The total of acc and the float lanes of rest, rounded to float once.
inline float F64AccTotal(F64Acc acc, __m128 rest) {
  F64AccAdd(&acc, rest);
  __m128d vs = _mm_add_pd(acc.lo, acc.hi);
  vs = _mm_add_sd(vs, _mm_unpackhi_pd(vs, vs));
  return static_cast<float>(_mm_cvtsd_f64(vs));
}

}  // namespace
