// The extended exp exp(x) = p * 2^n on four lanes without FMA, SSE2: range reduction,
// polynomial, the extended-exponent accumulation and the clamped powers of two of the
// two-pass families (src/f32-raddextexp/sse2.cc.in, src/f32-vscaleextexp/sse2.cc.in and
// their f16 versions), also used by twopass/expminusmax-sse2.h. The math, and how it
// differs per ISA, is in docs/exp-math.md; the constants in twopass/exp-constants.h.
//
// Internal to the sse2 kernel files (build_defs.bzl: -msse2 -mno-sse3 -mno-avx); SSE2
// intrinsics only, hence <emmintrin.h>. Everything is in an anonymous namespace on
// purpose: each kernel file gets its own internal copy, compiled with its own ISA
// flags, which the linker can never merge with a copy built for another target.
#pragma once

#include <emmintrin.h>

#if !defined(__SSE2__) || defined(__AVX__)
#error "twopass/extexp-sse2.h is for the sse2 kernel files only (-msse2 -mno-avx)"
#endif

#include "twopass/exp-constants.h"
#include "twopass/extexp-inline.h"

namespace {

// x_c = min(B, max(-B, x)), B = 2^23. maxps/minps return their SECOND operand when
// either is NaN, so this order keeps a NaN x NaN.
TWOPASS_EXTEXP_INLINE __m128 ClampExtExpInput(__m128 vx) {
  return _mm_min_ps(_mm_set1_ps(twopass::kExtExpBound),
                    _mm_max_ps(_mm_set1_ps(-twopass::kExtExpBound), vx));
}

// n = round(x * log2e) to nearest even. SSE2 has no roundps and the magic-number
// trick (±1.5*2^23) is only valid below 2^22, but |x_c*log2e| reaches 1.2e7:
// cvtps2dq (nearest even under the default MXCSR) and back is exact for every
// |v| < 2^31. A NaN converts to INT_MIN, but t and dx stay NaN.
TWOPASS_EXTEXP_INLINE __m128 RoundXLog2e(__m128 vx) {
  return _mm_cvtepi32_ps(_mm_cvtps_epi32(_mm_mul_ps(vx, _mm_set1_ps(twopass::kLog2e))));
}

// t = x - n*ln2 with the three-constant split (no FMA): n*hi and n*mid are exact for
// |n| < 2^15, and x - n*hi is exact (Sterbenz).
TWOPASS_EXTEXP_INLINE __m128 ReduceLn2(__m128 vn, __m128 vx) {
  __m128 vt = _mm_add_ps(_mm_mul_ps(vn, _mm_set1_ps(-twopass::kLn2HiNoFma)), vx);  // exact
  vt = _mm_add_ps(_mm_mul_ps(vn, _mm_set1_ps(-twopass::kLn2MidNoFma)), vt);
  return _mm_add_ps(_mm_mul_ps(vn, _mm_set1_ps(-twopass::kLn2LoNoFma)), vt);
}

// q(t) = c1 + t*(c2 + t*(c3 + t*(c4 + t*c5))), Horner: p(t) = 1 + t*q(t).
TWOPASS_EXTEXP_INLINE __m128 ExpPolyQ(__m128 vt) {
  __m128 vq = _mm_add_ps(_mm_mul_ps(_mm_set1_ps(twopass::kExpC5), vt), _mm_set1_ps(twopass::kExpC4));
  vq = _mm_add_ps(_mm_mul_ps(vq, vt), _mm_set1_ps(twopass::kExpC3));
  vq = _mm_add_ps(_mm_mul_ps(vq, vt), _mm_set1_ps(twopass::kExpC2));
  return _mm_add_ps(_mm_mul_ps(vq, vt), _mm_set1_ps(twopass::kExpC1));
}

// p(t) = 1 + t*q(t).
TWOPASS_EXTEXP_INLINE __m128 ExpPoly(__m128 vt) {
  return _mm_add_ps(_mm_mul_ps(ExpPolyQ(vt), vt), _mm_set1_ps(1.0f));
}

// exp(x) = p * 2^n_eff for any x: x is clamped to [-B, B] and n_eff = n + (x - x_c)
// (±inf for ±inf, NaN for NaN); p is finite unless x is NaN.
TWOPASS_EXTEXP_INLINE void ExtExp(__m128 vx, __m128* vp_out, __m128* vn_out) {
  const __m128 vxc = ClampExtExpInput(vx);
  const __m128 vdx = _mm_sub_ps(vx, vxc);
  const __m128 vn = RoundXLog2e(vxc);
  *vp_out = ExpPoly(ReduceLn2(vn, vxc));
  *vn_out = _mm_add_ps(vn, vdx);
}

// 2^d from v = d + kExp2Magic (or any v holding d + 127 in its low mantissa bits, such
// as the rounding of the fast forms): the bits shifted left by 23.
TWOPASS_EXTEXP_INLINE __m128 Exp2FromBiased(__m128 vv) {
  return _mm_castsi128_ps(_mm_slli_epi32(_mm_castps_si128(vv), 23));
}

// 2^d for integer-valued d <= 0 (or NaN), pass 1: d < -127 and NaN give +0 (maxps
// returns its second operand, -127, for NaN).
TWOPASS_EXTEXP_INLINE __m128 Exp2Clamped(__m128 vd) {
  vd = _mm_max_ps(vd, _mm_set1_ps(twopass::kExp2MinExponent));
  return Exp2FromBiased(_mm_add_ps(vd, _mm_set1_ps(twopass::kExp2Magic)));
}

// Extended-exponent accumulation, per lane: the accumulator a at exponent E moved to
// the new maximum M >= E: a * 2^(E - M).
TWOPASS_EXTEXP_INLINE __m128 ExtExpRescale(__m128 vacc, __m128 vexp, __m128 vmax) {
  return _mm_mul_ps(vacc, Exp2Clamped(_mm_sub_ps(vexp, vmax)));
}

// ... and the term p * 2^n added at exponent M >= n: acc + p * 2^(n - M).
TWOPASS_EXTEXP_INLINE __m128 ExtExpAddTerm(__m128 vacc, __m128 vp, __m128 vn, __m128 vmax) {
  return _mm_add_ps(vacc, _mm_mul_ps(vp, Exp2Clamped(_mm_sub_ps(vn, vmax))));
}

// (a, e) += (p, n): M = max(n, e) (e when n is NaN; e is never NaN), then both terms
// at M.
TWOPASS_EXTEXP_INLINE void ExtExpMerge(__m128* va, __m128* ve, __m128 vp, __m128 vn) {
  const __m128 vm = _mm_max_ps(vn, *ve);
  // One expression, in this operand order: the order decides which NaN payload
  // propagates when several inputs are NaN (kept as it was before the helpers).
  *va = _mm_add_ps(_mm_mul_ps(*va, Exp2Clamped(_mm_sub_ps(*ve, vm))),
                   _mm_mul_ps(vp, Exp2Clamped(_mm_sub_ps(vn, vm))));
  *ve = vm;
}

// Pass 2: (p * s) * 2^(n_eff + e), the exponent clamped to [-127, 128] (max maps NaN
// to -127: p is NaN then), so -127 gives +0 and 128 gives +inf.
TWOPASS_EXTEXP_INLINE __m128 ScaleExtExp(__m128 vp, __m128 vn_eff, __m128 vs, __m128 ve) {
  __m128 vd = _mm_add_ps(vn_eff, ve);
  vd = _mm_max_ps(vd, _mm_set1_ps(twopass::kExp2MinExponent));
  vd = _mm_min_ps(vd, _mm_set1_ps(twopass::kExp2MaxExponent));
  const __m128 vscale = Exp2FromBiased(_mm_add_ps(vd, _mm_set1_ps(twopass::kExp2Magic)));
  return _mm_mul_ps(_mm_mul_ps(vp, vs), vscale);
}

// Pass 2 for any x: exp(x) * s * 2^e.
TWOPASS_EXTEXP_INLINE __m128 ScaledExtExp(__m128 vx, __m128 vs, __m128 ve) {
  __m128 vp, vn;
  ExtExp(vx, &vp, &vn);
  return ScaleExtExp(vp, vn, vs, ve);
}

}  // namespace
