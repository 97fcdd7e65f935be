// The extended exp exp(x) = p * 2^n on sixteen lanes with FMA, AVX512F: range
// reduction, polynomial, the extended-exponent accumulation and the scaling by powers
// of two (vscalefps) of the two-pass families (src/f32-raddextexp/avx512f.cc.in,
// src/f32-vscaleextexp/avx512f.cc.in and their f16 versions), also used by
// twopass/expminusmax-avx512f.h. The math, and how it differs per ISA, is in
// docs/exp-math.md; the constants in twopass/exp-constants.h.
//
// Internal to the avx512f kernel files (build_defs.bzl: -mavx512f -mavx2 -mfma
// -mf16c). The emulated-AVX512F test libraries compile those same files with the AVX2
// flags and third_party/simde-shim in front of <immintrin.h>, so the intrinsics below
// must be ones the shim provides (no _mm512_kortestz: gcc 12 does not inline it with
// -mavx512f alone). Everything is in an anonymous namespace on purpose: each kernel
// file gets its own internal copy, compiled with its own ISA flags, which the linker
// can never merge with a copy built for another target (such as the emulated one).
#pragma once

#include <immintrin.h>

// Native AVX512F, or the emulated test build (AVX2 flags, SIMDe shim in front of
// <immintrin.h>, which defines SIMDE_ENABLE_NATIVE_ALIASES).
#if !defined(__AVX512F__) && !defined(SIMDE_ENABLE_NATIVE_ALIASES)
#error "twopass/extexp-avx512f.h is for the avx512f kernel files only (-mavx512f)"
#endif

#include "twopass/exp-constants.h"
#include "twopass/extexp-inline.h"

namespace {

// x_c = min(B, max(-B, x)), B = 2^23. vmaxps/vminps return their SECOND operand when
// either is NaN, so this order keeps a NaN x NaN.
TWOPASS_EXTEXP_INLINE __m512 ClampExtExpInput(__m512 vx) {
  return _mm512_min_ps(_mm512_set1_ps(twopass::kExtExpBound),
                       _mm512_max_ps(_mm512_set1_ps(-twopass::kExtExpBound), vx));
}

// n = round(x * log2e) to nearest even (vrndscaleps).
TWOPASS_EXTEXP_INLINE __m512 RoundXLog2e(__m512 vx) {
  return _mm512_roundscale_ps(_mm512_mul_ps(vx, _mm512_set1_ps(twopass::kLog2e)),
                              _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

// t = x - n*ln2 with the two-constant FMA Cody-Waite split.
TWOPASS_EXTEXP_INLINE __m512 ReduceLn2(__m512 vn, __m512 vx) {
  const __m512 vt = _mm512_fmadd_ps(vn, _mm512_set1_ps(-twopass::kLn2Hi), vx);
  return _mm512_fmadd_ps(vn, _mm512_set1_ps(-twopass::kLn2Lo), vt);
}

// q(t) = c1 + t*(c2 + t*(c3 + t*(c4 + t*c5))), Horner with FMA: p(t) = 1 + t*q(t).
TWOPASS_EXTEXP_INLINE __m512 ExpPolyQ(__m512 vt) {
  __m512 vq = _mm512_fmadd_ps(_mm512_set1_ps(twopass::kExpC5), vt, _mm512_set1_ps(twopass::kExpC4));
  vq = _mm512_fmadd_ps(vq, vt, _mm512_set1_ps(twopass::kExpC3));
  vq = _mm512_fmadd_ps(vq, vt, _mm512_set1_ps(twopass::kExpC2));
  return _mm512_fmadd_ps(vq, vt, _mm512_set1_ps(twopass::kExpC1));
}

// p(t) = 1 + t*q(t).
TWOPASS_EXTEXP_INLINE __m512 ExpPoly(__m512 vt) {
  return _mm512_fmadd_ps(ExpPolyQ(vt), vt, _mm512_set1_ps(1.0f));
}

// exp(x) = p * 2^n for |x| <= B (no clamp): n = round(x*log2e), p = p(x - n*ln2).
TWOPASS_EXTEXP_INLINE void ExtExpUnclamped(__m512 vx, __m512* vp_out, __m512* vn_out) {
  const __m512 vn = RoundXLog2e(vx);
  *vp_out = ExpPoly(ReduceLn2(vn, vx));
  *vn_out = vn;
}

// exp(x) = p * 2^n_eff for any x: x is clamped to [-B, B] and n_eff = n + (x - x_c)
// (±inf for ±inf, NaN for NaN); p is finite unless x is NaN.
TWOPASS_EXTEXP_INLINE void ExtExp(__m512 vx, __m512* vp_out, __m512* vn_out) {
  const __m512 vxc = ClampExtExpInput(vx);
  const __m512 vdx = _mm512_sub_ps(vx, vxc);
  __m512 vn;
  ExtExpUnclamped(vxc, vp_out, &vn);
  *vn_out = _mm512_add_ps(vn, vdx);
}

// 2^d from v = d + kExp2Magic (or any v holding d + 127 in its low mantissa bits, such
// as the rounding FMA of the fast forms): the bits shifted left by 23.
TWOPASS_EXTEXP_INLINE __m512 Exp2FromBiased(__m512 vv) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(vv), 23));
}

// The table form (twopass/exp-constants.h, kExp2Table16): N = round(16 x log2e) =
// 16n + j, t = x - N*ln2/16, exp(x) = 2^n * 2^(j/16) * q(t). Used by the AVX512F
// pass-1 fast form (src/f32-raddextexp/avx512f.cc.in): 2^(j/16) by one vpermps instead
// of two more polynomial terms, 7 FMA-pipe operations per 16 terms against 9.

// The table 2^(j/16 - 64) (exact scaling): entries with exponent field 63, into which
// Exp2Table16FromBiased adds n - E + 64.
TWOPASS_EXTEXP_INLINE __m512 Exp2Table16Scaled() {
  return _mm512_mul_ps(_mm512_loadu_ps(twopass::kExp2Table16), _mm512_set1_ps(0x1p-64f));
}

// 2^(n - E) * 2^(j/16) from v, a float in [2^23, 2^24) whose low 13 mantissa bits hold
// 16(n - E + 64) + j: the low 4 bits index the table (vpermps reads only those), the
// next 9, shifted into the exponent field, add n - E + 64. Exact for n - E in [-126, 63];
// at n - E = -127 the field wraps to 0: +0 for j = 0 (the table entry 2^-64 has a zero
// significand), else a subnormal below 2^-126 (the entry's significand bits alone).
TWOPASS_EXTEXP_INLINE __m512 Exp2Table16FromBiased(__m512 vv, __m512 vtable) {
  const __m512i vbits = _mm512_castps_si512(vv);
  const __m512i vexponent = _mm512_and_si512(_mm512_slli_epi32(vbits, 19),
                                             _mm512_set1_epi32(static_cast<int32_t>(0xFF800000u)));
  return _mm512_castsi512_ps(
      _mm512_add_epi32(_mm512_castps_si512(_mm512_permutexvar_ps(vbits, vtable)), vexponent));
}

// t = x - N*ln2/16 with the two-constant FMA split (ln2/16's parts: exact scalings).
TWOPASS_EXTEXP_INLINE __m512 ReduceLn2Over16(__m512 vN, __m512 vx) {
  const __m512 vt = _mm512_fmadd_ps(vN, _mm512_set1_ps(-twopass::kLn2Hi * 0.0625f), vx);
  return _mm512_fmadd_ps(vN, _mm512_set1_ps(-twopass::kLn2Lo * 0.0625f), vt);
}

// q(t) = 1 + t*(1 + t*(c2 + t*c3)) ~= exp(t) on [-ln2/32, ln2/32].
TWOPASS_EXTEXP_INLINE __m512 ExpTablePoly(__m512 vt) {
  __m512 vq = _mm512_fmadd_ps(_mm512_set1_ps(twopass::kExpTableC3), vt,
                              _mm512_set1_ps(twopass::kExpTableC2));
  vq = _mm512_fmadd_ps(vq, vt, _mm512_set1_ps(1.0f));
  return _mm512_fmadd_ps(vq, vt, _mm512_set1_ps(1.0f));
}

// Terms taken relative to an exponent E (pass 1's fast form: its accumulators' E; the
// three-pass ExpMinusMax of twopass/expminusmax-avx512f.h: the reference's k). The
// rounding FMA v = fma(xc, 16 log2e, kTableBiasAtZero - 16E) rounds 16 xc log2e to N =
// 16n + j and leaves 16(n - E + 64) + j in v's low bits (Exp2Table16FromBiased); the clamp
// xc = max(cut, x), cut = (E - kTableCutOffset) ln2, makes N - 16E = -2032 exactly
// (n - E = -127, j = 0), whose term is +0 (the cut sits 0.25 above -2032 in 16 log2e
// units, far more than its rounding error for |E| <= 2^16).
constexpr float kTableBiasAtZero = 0x1.8p23f + 1024.0f;  // kTableMagic + 16 * 64
constexpr float kTableCutOffset = 126.984375f;

// acc + 2^(n - E) * 2^(j/16) * q(t) from that v and its bias: N = v - bias exactly, t, q,
// and one FMA with the accumulator (acc = +0 gives the term itself, rounded once).
// vtable: Exp2Table16Scaled().
TWOPASS_EXTEXP_INLINE __m512 AddTableTermAt(__m512 vacc, __m512 vxc, __m512 vv, __m512 vbias,
                                            __m512 vtable) {
  const __m512 vscale = Exp2Table16FromBiased(vv, vtable);
  const __m512 vN = _mm512_sub_ps(vv, vbias);
  return _mm512_fmadd_ps(vscale, ExpTablePoly(ReduceLn2Over16(vN, vxc)), vacc);
}

// |v| per lane (the sign bit cleared with an integer and: vandps needs AVX512DQ).
TWOPASS_EXTEXP_INLINE __m512 AbsPs(__m512 v) {
  return _mm512_castsi512_ps(
      _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(0x7FFFFFFF)));
}

// The exp of the AVX512F two-pass kernels, per element: the table form where
// |x| <= kTableDomain, ExtExp's p5 form beyond (and for ±inf and NaN). Pass 1 (every path)
// and pass 2 compute the same p * 2^n for each x, so that a term that dominates its row
// gets y = round(p * s) * 2^(n + e) with s = round(1 / m) and m >= p: at most 1, the
// contract's [0, 1], which two different exp forms (a last-bit difference) would break.
// N = round(16 x log2e) comes from the FMA with an even integer bias (kTableMagic, or
// the pass-1 fast form's kTableMagic + 1024 - 16E), which rounds ties alike for any such
// bias, so every path gets the same N.
constexpr float kTableMagic = 0x1.8p23f;  // integers in [2^23, 2^24) are exact floats
static_assert(kTableBiasAtZero == kTableMagic + 1024.0f, "the fast forms' bias at E = 0");
constexpr float kTableDomain = 0x1p17f;   // |16 x log2e| < 2^22: v stays in [2^23, 2^24)

// p = 2^(j/16) * q(t), rounded once, and N, for |x| <= kTableDomain. vtable: kExp2Table16.
TWOPASS_EXTEXP_INLINE void TableExp(__m512 vx, __m512 vtable, __m512* vp_out, __m512* vN_out) {
  const __m512 vv =
      _mm512_fmadd_ps(vx, _mm512_set1_ps(twopass::kLog2e * 16.0f), _mm512_set1_ps(kTableMagic));
  const __m512 vN = _mm512_sub_ps(vv, _mm512_set1_ps(kTableMagic));
  const __m512 vq = ExpTablePoly(ReduceLn2Over16(vN, vx));
  *vp_out = _mm512_mul_ps(_mm512_permutexvar_ps(_mm512_castps_si512(vv), vtable), vq);
  *vN_out = vN;
}

// The lanes the table form serves: |x| <= kTableDomain (not NaN).
TWOPASS_EXTEXP_INLINE __mmask16 TableDomainLanes(__m512 vx) {
  return _mm512_cmp_ps_mask(AbsPs(vx), _mm512_set1_ps(kTableDomain), _CMP_LE_OQ);
}

// Pass 2 from TableExp's p and N: scalef(p * s, N/16 + e) (vscalefps floors the exponent:
// floor(N/16 + e) = n + e for an integer-valued e; N/16 + e is exact whenever the result
// is not saturated).
TWOPASS_EXTEXP_INLINE __m512 ScaleTableExp(__m512 vp, __m512 vN, __m512 vs, __m512 ve) {
  return _mm512_scalef_ps(_mm512_mul_ps(vp, vs), _mm512_fmadd_ps(vN, _mm512_set1_ps(0.0625f), ve));
}

// ExtExp's (p, n_eff) in the canonical form above: n = floor(N / 16) where the table form
// applies (p in about [0.98, 2.04]), ExtExp's p and n_eff elsewhere (computed only when
// some lane needs them).
TWOPASS_EXTEXP_INLINE void ExtExpCanonical(__m512 vx, __m512 vtable, __m512* vp_out,
                                           __m512* vn_out) {
  const __mmask16 vin = TableDomainLanes(vx);
  __m512 vp, vN;
  TableExp(_mm512_maskz_mov_ps(vin, vx), vtable, &vp, &vN);
  // n = floor(N/16) = N/16 - 15/32 rounded to an integer (the fraction minus 15/32 is
  // never a tie) by the magic add: |N/16| < 2^18, every step exact but the rounding.
  __m512 vn = _mm512_add_ps(_mm512_fmadd_ps(vN, _mm512_set1_ps(0.0625f), _mm512_set1_ps(-0.46875f)),
                            _mm512_set1_ps(kTableMagic));
  vn = _mm512_sub_ps(vn, _mm512_set1_ps(kTableMagic));
  if (_cvtmask16_u32(vin) != 0xFFFF) {
    __m512 vp5, vn5;
    ExtExp(vx, &vp5, &vn5);
    vp = _mm512_mask_mov_ps(vp5, vin, vp);
    vn = _mm512_mask_mov_ps(vn5, vin, vn);
  }
  *vp_out = vp;
  *vn_out = vn;
}

// Extended-exponent accumulation, per lane, with vscalefps (v * 2^floor(d), exact and
// saturating: no clamp of d): the accumulator a at exponent E moved to the new maximum
// M >= E: scalef(a, E - M).
TWOPASS_EXTEXP_INLINE __m512 ExtExpRescale(__m512 vacc, __m512 vexp, __m512 vmax) {
  return _mm512_scalef_ps(vacc, _mm512_sub_ps(vexp, vmax));
}

// ... and the term p * 2^n added at exponent M >= n: acc + scalef(p, n - M).
TWOPASS_EXTEXP_INLINE __m512 ExtExpAddTerm(__m512 vacc, __m512 vp, __m512 vn, __m512 vmax) {
  return _mm512_add_ps(vacc, _mm512_scalef_ps(vp, _mm512_sub_ps(vn, vmax)));
}

// (a, e) += (p, n): M = max(n, e) (e when n is NaN; e is never NaN), then both terms
// at M.
TWOPASS_EXTEXP_INLINE void ExtExpMerge(__m512* va, __m512* ve, __m512 vp, __m512 vn) {
  const __m512 vm = _mm512_max_ps(vn, *ve);
  // One expression, in this operand order: the order decides which NaN payload
  // propagates when several inputs are NaN (kept as it was before the helpers).
  *va = _mm512_add_ps(_mm512_scalef_ps(*va, _mm512_sub_ps(*ve, vm)),
                      _mm512_scalef_ps(vp, _mm512_sub_ps(vn, vm)));
  *ve = vm;
}

// Pass 2: scalef(p * s, n_eff + e), no clamp (vscalefps saturates: -inf gives +0, huge
// exponents inf; results below 2^-126 come out as correctly scaled denormals).
TWOPASS_EXTEXP_INLINE __m512 ScaleExtExp(__m512 vp, __m512 vn_eff, __m512 vs, __m512 ve) {
  return _mm512_scalef_ps(_mm512_mul_ps(vp, vs), _mm512_add_ps(vn_eff, ve));
}

// Pass 2 for any x: exp(x) * s * 2^e.
TWOPASS_EXTEXP_INLINE __m512 ScaledExtExp(__m512 vx, __m512 vs, __m512 ve) {
  __m512 vp, vn;
  ExtExp(vx, &vp, &vn);
  return ScaleExtExp(vp, vn, vs, ve);
}

// Pass 2 in the canonical form (ExtExpCanonical): ScaleTableExp where the table form
// applies, ScaledExtExp elsewhere.
TWOPASS_EXTEXP_INLINE __m512 ScaledExtExpCanonical(__m512 vx, __m512 vtable, __m512 vs, __m512 ve) {
  const __mmask16 vin = TableDomainLanes(vx);
  __m512 vp, vN;
  TableExp(_mm512_maskz_mov_ps(vin, vx), vtable, &vp, &vN);
  __m512 vy = ScaleTableExp(vp, vN, vs, ve);
  if (_cvtmask16_u32(vin) != 0xFFFF) {
    vy = _mm512_mask_mov_ps(ScaledExtExp(vx, vs, ve), vin, vy);
  }
  return vy;
}

}  // namespace
