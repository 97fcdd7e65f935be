// The extended exp exp(x) = p * 2^n on eight lanes with FMA, AVX2: range reduction,
// polynomial, the extended-exponent accumulation and the clamped powers of two of
// the two-pass families (src/f32-raddextexp/avx2.cc.in, src/f32-vscaleextexp/avx2.cc.in
// and their f16 versions), also used by twopass/expminusmax-avx2.h. The math, and how
// it differs per ISA, is in docs/exp-math.md; the constants in twopass/exp-constants.h.
//
// Internal to the avx2 kernel files (build_defs.bzl: -mavx2 -mfma -mf16c
// -mno-avx512f); include it from nothing else. Everything is in an anonymous
// namespace on purpose: each kernel file gets its own internal copy, compiled with
// its own ISA flags, which the linker can never merge with a copy built for another
// target.
#pragma once

#include <immintrin.h>

#if !defined(__AVX2__) || !defined(__FMA__) || defined(__AVX512F__)
#error "twopass/extexp-avx2.h is for the avx2 kernel files only (-mavx2 -mfma -mno-avx512f)"
#endif

#include "twopass/exp-constants.h"
#include "twopass/extexp-inline.h"

namespace {

// x_c = min(B, max(-B, x)), B = 2^23. vmaxps/vminps return their SECOND operand when
// either is NaN, so this order keeps a NaN x NaN.
TWOPASS_EXTEXP_INLINE __m256 ClampExtExpInput(__m256 vx) {
  return _mm256_min_ps(_mm256_set1_ps(twopass::kExtExpBound),
                       _mm256_max_ps(_mm256_set1_ps(-twopass::kExtExpBound), vx));
}

// n = round(x * log2e) to nearest: of the exact product (an FMA with 1.5 * 2^23, the
// rounding of the fast forms) where the rounded one is at most 2^21 in magnitude, of the
// rounded product (vroundps, nearest even) beyond. Why: every path of both passes then
// gets the same n, hence the same p * 2^n, for each x the fast forms see (|x| <= 2^21 ln2
// or so), which keeps a term that dominates its row at most 1 (the contract's [0, 1]);
// vroundps alone rounds fl(x log2e) = k + 1/2 to even where the exact product may lie on
// the other side. The exact product never ties below 2^21 (x log2e = k + 1/2 needs |x| >=
// 2^22), so the FMA's bias parity does not matter.
TWOPASS_EXTEXP_INLINE __m256 RoundXLog2e(__m256 vx) {
  const __m256 vlog2e = _mm256_set1_ps(twopass::kLog2e);
  const __m256 vmagic = _mm256_set1_ps(0x1.8p23f);
  const __m256 vrounded = _mm256_round_ps(_mm256_mul_ps(vx, vlog2e),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256 vexact = _mm256_sub_ps(_mm256_fmadd_ps(vx, vlog2e, vmagic), vmagic);
  // |n| <= 2^21 (false for NaN, which vrounded keeps).
  const __m256 vsmall = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), vrounded),
                                      _mm256_set1_ps(0x1p21f), _CMP_LE_OQ);
  return _mm256_blendv_ps(vrounded, vexact, vsmall);
}

// t = x - n*ln2 with the two-constant FMA Cody-Waite split.
TWOPASS_EXTEXP_INLINE __m256 ReduceLn2(__m256 vn, __m256 vx) {
  const __m256 vt = _mm256_fmadd_ps(vn, _mm256_set1_ps(-twopass::kLn2Hi), vx);
  return _mm256_fmadd_ps(vn, _mm256_set1_ps(-twopass::kLn2Lo), vt);
}

// q(t) = c1 + t*(c2 + t*(c3 + t*(c4 + t*c5))), Horner with FMA: p(t) = 1 + t*q(t).
TWOPASS_EXTEXP_INLINE __m256 ExpPolyQ(__m256 vt) {
  __m256 vq = _mm256_fmadd_ps(_mm256_set1_ps(twopass::kExpC5), vt, _mm256_set1_ps(twopass::kExpC4));
  vq = _mm256_fmadd_ps(vq, vt, _mm256_set1_ps(twopass::kExpC3));
  vq = _mm256_fmadd_ps(vq, vt, _mm256_set1_ps(twopass::kExpC2));
  return _mm256_fmadd_ps(vq, vt, _mm256_set1_ps(twopass::kExpC1));
}

// p(t) = 1 + t*q(t).
TWOPASS_EXTEXP_INLINE __m256 ExpPoly(__m256 vt) {
  return _mm256_fmadd_ps(ExpPolyQ(vt), vt, _mm256_set1_ps(1.0f));
}

// exp(x) = p * 2^n for |x| <= B (no clamp): n = round(x*log2e), p = p(x - n*ln2).
TWOPASS_EXTEXP_INLINE void ExtExpUnclamped(__m256 vx, __m256* vp_out, __m256* vn_out) {
  const __m256 vn = RoundXLog2e(vx);
  *vp_out = ExpPoly(ReduceLn2(vn, vx));
  *vn_out = vn;
}

// exp(x) = p * 2^n_eff for any x: x is clamped to [-B, B] and n_eff = n + (x - x_c)
// (±inf for ±inf, NaN for NaN); p is finite unless x is NaN.
TWOPASS_EXTEXP_INLINE void ExtExp(__m256 vx, __m256* vp_out, __m256* vn_out) {
  const __m256 vxc = ClampExtExpInput(vx);
  const __m256 vdx = _mm256_sub_ps(vx, vxc);
  __m256 vn;
  ExtExpUnclamped(vxc, vp_out, &vn);
  *vn_out = _mm256_add_ps(vn, vdx);
}

// 2^d from v = d + kExp2Magic (or any v holding d + 127 in its low mantissa bits, such
// as the rounding FMA of the fast forms): the bits shifted left by 23.
TWOPASS_EXTEXP_INLINE __m256 Exp2FromBiased(__m256 vv) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(vv), 23));
}

// 2^d for integer-valued d <= 0 (pass 1): d < -127 and the default NaN give +0. The
// clamp is an integer max on the bits of d + kExp2Magic against those of 1.5*2^23
// (positive floats order like their bits; negative values and the default NaN of
// inf - inf have negative bits), measurably faster than a float max before the add.
TWOPASS_EXTEXP_INLINE __m256 Exp2Clamped(__m256 vd) {
  const __m256i vbiased = _mm256_castps_si256(_mm256_add_ps(vd, _mm256_set1_ps(twopass::kExp2Magic)));
  const __m256i vclamped = _mm256_max_epi32(vbiased, _mm256_set1_epi32(twopass::kExp2MagicMinBits));
  return _mm256_castsi256_ps(_mm256_slli_epi32(vclamped, 23));
}

// Extended-exponent accumulation, per lane: the accumulator a at exponent E moved to
// the new maximum M >= E: a * 2^(E - M).
TWOPASS_EXTEXP_INLINE __m256 ExtExpRescale(__m256 vacc, __m256 vexp, __m256 vmax) {
  return _mm256_mul_ps(vacc, Exp2Clamped(_mm256_sub_ps(vexp, vmax)));
}

// ... and the term p * 2^n added at exponent M >= n: acc + p * 2^(n - M).
TWOPASS_EXTEXP_INLINE __m256 ExtExpAddTerm(__m256 vacc, __m256 vp, __m256 vn, __m256 vmax) {
  return _mm256_fmadd_ps(vp, Exp2Clamped(_mm256_sub_ps(vn, vmax)), vacc);
}

// (a, e) += (p, n): M = max(n, e) (e when n is NaN; e is never NaN), then both terms
// at M.
TWOPASS_EXTEXP_INLINE void ExtExpMerge(__m256* va, __m256* ve, __m256 vp, __m256 vn) {
  const __m256 vm = _mm256_max_ps(vn, *ve);
  // One expression, in this operand order: the order decides which NaN payload
  // propagates when several inputs are NaN (kept as it was before the helpers).
  *va = _mm256_fmadd_ps(vp, Exp2Clamped(_mm256_sub_ps(vn, vm)),
                        _mm256_mul_ps(*va, Exp2Clamped(_mm256_sub_ps(*ve, vm))));
  *ve = vm;
}

// Pass 2: (p * s) * 2^(n_eff + e), the exponent clamped to [-127, 128] (max maps NaN
// to -127: p is NaN then), so -127 gives +0 and 128 gives +inf.
TWOPASS_EXTEXP_INLINE __m256 ScaleExtExp(__m256 vp, __m256 vn_eff, __m256 vs, __m256 ve) {
  __m256 vd = _mm256_add_ps(vn_eff, ve);
  vd = _mm256_max_ps(vd, _mm256_set1_ps(twopass::kExp2MinExponent));
  vd = _mm256_min_ps(vd, _mm256_set1_ps(twopass::kExp2MaxExponent));
  const __m256 vscale = Exp2FromBiased(_mm256_add_ps(vd, _mm256_set1_ps(twopass::kExp2Magic)));
  return _mm256_mul_ps(_mm256_mul_ps(vp, vs), vscale);
}

// Pass 2 for any x: exp(x) * s * 2^e.
TWOPASS_EXTEXP_INLINE __m256 ScaledExtExp(__m256 vx, __m256 vs, __m256 ve) {
  __m256 vp, vn;
  ExtExp(vx, &vp, &vn);
  return ScaleExtExp(vp, vn, vs, ve);
}

}  // namespace
