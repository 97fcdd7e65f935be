// exp(x - max), up to a per-call factor (twopass/expminusmax-ref.h), on four
// lanes without FMA, SSE2: the exp helper shared by the kernel families
// f32-raddstoreexpminusmax, f32-raddexpminusmax and f32-vscaleexpminusmax, whose
// src/<family>/sse2.cc.in templates include this header. The math, the constants
// and the special values are documented step by step once, here.
//
// Internal to the sse2 kernel files (build_defs.bzl: -msse2 -mno-sse3
// -mno-avx); it uses SSE2 intrinsics only, hence <emmintrin.h>. Everything is
// in an anonymous namespace on purpose: each kernel file gets its own internal
// copy, compiled with its own ISA flags, which the linker can never merge with
// a copy built for another target.
#pragma once

#include <emmintrin.h>

#include "twopass/expminusmax-ref.h"

namespace {

// The per-call constants of exp_minus_max(), broadcast from GetExpMinusMaxRef(max)
// (twopass/expminusmax-ref.h, which explains the reference point and the flush).
struct ExpMinusMaxParams {
  bool shift_needed;  // shift != 0: the kernels then run exp_minus_max<true>
  __m128 shift;
  __m128 cut;
  __m128 bias;
};

inline ExpMinusMaxParams exp_minus_max_params(float max) {
  const twopass::ExpMinusMaxRef r = twopass::GetExpMinusMaxRef(max);
  return ExpMinusMaxParams{r.shift != 0.0f, _mm_set1_ps(r.shift), _mm_set1_ps(r.cut), _mm_set1_ps(r.bias)};
}

// exp(x - ref) on four lanes without FMA, ref = shift + k*ln2:
// 1. x' = x - shift, clamped below: xc = max(cut, x'). maxps returns its second
//    operand when either is NaN, so a NaN x' stays NaN; -inf becomes cut.
// 2. v = xc*log2e + bias (two roundings: n = round(fl(xc*log2e)) to nearest even,
//    which may differ from the FMA ISAs' n at a tie; t absorbs it), log2e =
//    0x1.715476p+0f, bias = 0x1.8000FEp+23f - k; the low mantissa bits of v hold
//    n - k + 127 in [0, 128], so s = 2^(n - k) is those bits shifted into the
//    exponent field (+0 for n - k = -127: the flushed terms). n = v - bias exactly.
// 3. t = xc - n*ln2 with a three-constant Cody-Waite split (tools/cody_waite.py):
//    ln2_hi = 0x1.630000p-1f and ln2_mid = -0x1.BD0000p-13f have 9 significant
//    bits, so n*ln2_hi and n*ln2_mid are exact for |n| < 2^15 (expminusmax-ref.h
//    keeps |n| <= 23765), xc - n*ln2_hi is exact (Sterbenz), ln2_lo =
//    -0x1.05C610p-29f.
// 4. p(t) = 1 + t*(c1 + t*(c2 + t*(c3 + t*(c4 + t*c5)))), the published degree-5
//    minimax coefficients (c1 = 0x1.FFFFF6p-1f, c2 = 0x1.FFFDC6p-2f,
//    c3 = 0x1.555A80p-3f, c4 = 0x1.573A1Ap-5f, c5 = 0x1.0F9F9Cp-7f), Horner.
// 5. exp(x - ref) = s + (t*s) * (c1 + t*(...)); exactly +0 where s = +0. A NaN x'
//    gives NaN through t.
// kShift = false skips step 1's subtraction, for shift == 0 (|max| < 2^14, the common
// case): one vector operation less per vector, 9% faster measured on AVX2.
template <bool kShift>
inline __m128 exp_minus_max(__m128 vx, const ExpMinusMaxParams& params) {
  const __m128 vlog2e = _mm_set1_ps(0x1.715476p+0f);
  const __m128 vminus_ln2_hi = _mm_set1_ps(-0x1.630000p-1f);
  const __m128 vminus_ln2_mid = _mm_set1_ps(0x1.BD0000p-13f);
  const __m128 vminus_ln2_lo = _mm_set1_ps(0x1.05C610p-29f);
  const __m128 vc5 = _mm_set1_ps(0x1.0F9F9Cp-7f);
  const __m128 vc4 = _mm_set1_ps(0x1.573A1Ap-5f);
  const __m128 vc3 = _mm_set1_ps(0x1.555A80p-3f);
  const __m128 vc2 = _mm_set1_ps(0x1.FFFDC6p-2f);
  const __m128 vc1 = _mm_set1_ps(0x1.FFFFF6p-1f);

  const __m128 vxs = kShift ? _mm_sub_ps(vx, params.shift) : vx;
  const __m128 vxc = _mm_max_ps(params.cut, vxs);
  __m128 vn = _mm_add_ps(_mm_mul_ps(vxc, vlog2e), params.bias);
  const __m128 vs = _mm_castsi128_ps(_mm_slli_epi32(_mm_castps_si128(vn), 23));
  vn = _mm_sub_ps(vn, params.bias);
  __m128 vt = _mm_add_ps(_mm_mul_ps(vn, vminus_ln2_hi), vxc);
  vt = _mm_add_ps(_mm_mul_ps(vn, vminus_ln2_mid), vt);
  vt = _mm_add_ps(_mm_mul_ps(vn, vminus_ln2_lo), vt);
  __m128 vp = _mm_add_ps(_mm_mul_ps(vc5, vt), vc4);
  vp = _mm_add_ps(_mm_mul_ps(vp, vt), vc3);
  vp = _mm_add_ps(_mm_mul_ps(vp, vt), vc2);
  vp = _mm_add_ps(_mm_mul_ps(vp, vt), vc1);
  vt = _mm_mul_ps(vt, vs);
  return _mm_add_ps(_mm_mul_ps(vt, vp), vs);
}

// Sums of the exp terms in double, as in twopass/expminusmax-avx2.h (which says
// why): float terms of an iteration added in float, then into double lanes.
struct F64Acc {
  __m128d lo;
  __m128d hi;
};

inline F64Acc f64acc_zero() { return F64Acc{_mm_setzero_pd(), _mm_setzero_pd()}; }

inline void f64acc_add(F64Acc* acc, __m128 v) {
  acc->lo = _mm_add_pd(acc->lo, _mm_cvtps_pd(v));
  acc->hi = _mm_add_pd(acc->hi, _mm_cvtps_pd(_mm_movehl_ps(v, v)));
}

inline void f64acc_merge(F64Acc* acc, const F64Acc& other) {
  acc->lo = _mm_add_pd(acc->lo, other.lo);
  acc->hi = _mm_add_pd(acc->hi, other.hi);
}

// The total of acc and the float lanes of rest, rounded to float once.
inline float f64acc_total(F64Acc acc, __m128 rest) {
  f64acc_add(&acc, rest);
  __m128d vs = _mm_add_pd(acc.lo, acc.hi);
  vs = _mm_add_sd(vs, _mm_unpackhi_pd(vs, vs));
  return static_cast<float>(_mm_cvtsd_f64(vs));
}

}  // namespace
