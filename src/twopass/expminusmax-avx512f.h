// exp(x - max) on sixteen lanes with FMA, AVX512F: the exp helper shared by the
// kernel families f32-raddstoreexpminusmax, f32-raddexpminusmax and
// f32-vscaleexpminusmax, whose src/<family>/avx512f.cc.in templates include
// this header, and the k-mask of their remainder code. The math, the constants
// and the special values are documented step by step once, here.
//
// Internal to the avx512f kernel files (build_defs.bzl: -mavx512f -mavx2 -mfma
// -mf16c). The emulated-AVX512F test libraries compile those same files with
// the AVX2 flags, -mno-avx512f and -Ithird_party/simde-shim, so <immintrin.h>
// below is then the SIMDe shim, as it is for the including kernel file.
// Everything is in an anonymous namespace on purpose: each kernel file gets its
// own internal copy, compiled with its own ISA flags, which the linker can
// never merge with a copy built for another target (such as the emulated one).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

namespace {

// exp(z) for z = x - max <= 0 on sixteen lanes, with FMA.
//
// 0. z = x - max is rounded to float; TwoSum (Knuth's six additions, exact for
//    any magnitudes of x and max, unlike Fast2Sum which needs |x| >= |max|)
//    recovers err with z + err == x - max exactly. Without it, the rounding of
//    z (up to 2^-24 |z|, about 2.6e-6 relative near the cutoff) would go
//    straight into the relative error of exp; step 3 adds err to t, so the
//    result is exp of the exact difference. err may be NaN where z is not
//    finite (x = -inf gives inf - inf); those lanes are flushed or NaN anyway
//    (step 6 zeroes z < cutoff by mask, ignoring the value).
// 1. Clamp: zc = max(cutoff, z). vmaxps returns its second operand when either
//    is NaN, so a NaN z stays NaN. cutoff = -0x1.5D589Ep+6f is the float just
//    above ln(FLT_MIN) = -87.33654475: every z >= cutoff has exp(z) >= FLT_MIN,
//    and the clamp keeps n >= -126 below, so 2^n is a normal float and -inf or
//    -FLT_MAX never reach the reduction (no inf - inf = NaN).
// 2. n = round-to-nearest-even(zc * log2(e)), log2(e) = 0x1.715476p+0f: the
//    FMA zc * log2e + magic bias (0x1.8000FEp+23f = 1.5 * 2^23 + 127) rounds to
//    an integer and leaves n + 127 in the low mantissa bits, so s = 2^n is
//    those bits shifted into the exponent field (n + 127 in [1, 127] for zc in
//    [cutoff, 0]). Subtracting the bias again gives n as a float.
// 3. t = zc - n*ln2 with the two-constant Cody-Waite split for FMA:
//    ln2_hi = 0x1.62E430p-1f (ln2 rounded to float), ln2_lo = -0x1.05C610p-29f
//    (the rounded remainder); each FMA rounds once. Then t += err (step 0), one
//    more rounding of t. t in about [-ln2/2, ln2/2].
// 4. p(t) = 1 + t*(c1 + t*(c2 + t*(c3 + t*(c4 + t*c5)))), the published
//    degree-5 minimax coefficients (c1 = 0x1.FFFFF6p-1f, c2 = 0x1.FFFDC6p-2f,
//    c3 = 0x1.555A80p-3f, c4 = 0x1.573A1Ap-5f, c5 = 0x1.0F9F9Cp-7f), Horner
//    with FMA.
// 5. exp(z) = s * p = fma(t*s, c1 + t*(...), s), which rounds better than
//    forming p first; the final FMA is zero-masked:
// 6. lanes with z < cutoff (including z = -inf) are exactly +0: no denormal
//    outputs. The keep mask is "not less than, unordered" so NaN lanes stay NaN
//    (NaN passes every step).
// z = +inf (x = +inf with finite max) is outside the contract z <= 0.
inline __m512 exp_minus_max(__m512 vx, __m512 vmax) {
  const __m512 vcutoff = _mm512_set1_ps(-0x1.5D589Ep+6f);
  const __m512 vlog2e = _mm512_set1_ps(0x1.715476p+0f);
  const __m512 vmagic_bias = _mm512_set1_ps(0x1.8000FEp+23f);
  const __m512 vminus_ln2_hi = _mm512_set1_ps(-0x1.62E430p-1f);
  const __m512 vminus_ln2_lo = _mm512_set1_ps(0x1.05C610p-29f);
  const __m512 vc5 = _mm512_set1_ps(0x1.0F9F9Cp-7f);
  const __m512 vc4 = _mm512_set1_ps(0x1.573A1Ap-5f);
  const __m512 vc3 = _mm512_set1_ps(0x1.555A80p-3f);
  const __m512 vc2 = _mm512_set1_ps(0x1.FFFDC6p-2f);
  const __m512 vc1 = _mm512_set1_ps(0x1.FFFFF6p-1f);

  const __m512 vz = _mm512_sub_ps(vx, vmax);
  const __m512 vz_minus_x = _mm512_sub_ps(vz, vx);
  const __m512 vx_rounded = _mm512_sub_ps(vz, vz_minus_x);
  const __m512 verr = _mm512_sub_ps(_mm512_sub_ps(vx, vx_rounded), _mm512_add_ps(vmax, vz_minus_x));

  const __mmask16 vkeep = _mm512_cmp_ps_mask(vz, vcutoff, _CMP_NLT_UQ);
  const __m512 vzc = _mm512_max_ps(vcutoff, vz);
  __m512 vn = _mm512_fmadd_ps(vzc, vlog2e, vmagic_bias);
  const __m512 vs = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(vn), 23));
  vn = _mm512_sub_ps(vn, vmagic_bias);
  __m512 vt = _mm512_fmadd_ps(vn, vminus_ln2_hi, vzc);
  vt = _mm512_fmadd_ps(vn, vminus_ln2_lo, vt);
  vt = _mm512_add_ps(vt, verr);
  __m512 vp = _mm512_fmadd_ps(vc5, vt, vc4);
  vp = _mm512_fmadd_ps(vp, vt, vc3);
  vp = _mm512_fmadd_ps(vp, vt, vc2);
  vp = _mm512_fmadd_ps(vp, vt, vc1);
  vt = _mm512_mul_ps(vt, vs);
  return _mm512_maskz_fmadd_ps(vkeep, vt, vp, vs);
}

// Mask of the first `elements` lanes (0 < elements < 16).
inline __mmask16 tail_mask(size_t elements) {
  return _cvtu32_mask16((UINT32_C(1) << elements) - UINT32_C(1));
}

}  // namespace
