// exp(x - max) on four lanes without FMA, SSE2: the exp helper shared by the
// kernel families f32-raddstoreexpminusmax, f32-raddexpminusmax and
// f32-vscaleexpminusmax, whose src/<family>/sse2.cc.in templates include this
// header. The math, the constants and the special values are documented step
// by step once, here.
//
// Internal to the sse2 kernel files (build_defs.bzl: -msse2 -mno-sse3
// -mno-avx); it uses SSE2 intrinsics only, hence <emmintrin.h>. Everything is
// in an anonymous namespace on purpose: each kernel file gets its own internal
// copy, compiled with its own ISA flags, which the linker can never merge with
// a copy built for another target.
#pragma once


#include <emmintrin.h>

namespace {

// exp(z) for z = x - max <= 0 on four lanes, without FMA.
//
// 0. z = x - max is rounded to float; TwoSum (Knuth's six additions, exact for
//    any magnitudes of x and max, unlike Fast2Sum which needs |x| >= |max|)
//    recovers err with z + err == x - max exactly. Without it, the rounding of
//    z (up to 2^-24 |z|, about 2.6e-6 relative near the cutoff) would go
//    straight into the relative error of exp; step 3 adds err to t, so the
//    result is exp of the exact difference. err may be NaN where z is not
//    finite (x = -inf gives inf - inf); those lanes are flushed or NaN anyway
//    (step 6 zeroes z < cutoff by mask, ignoring the value).
// 1. Clamp: zc = max(cutoff, z). maxps returns its second operand when either
//    is NaN, so a NaN z stays NaN. cutoff = -0x1.5D589Ep+6f is the float just
//    above ln(FLT_MIN) = -87.33654475: every z >= cutoff has exp(z) >= FLT_MIN,
//    and the clamp keeps n >= -126 below, so 2^n is a normal float and -inf or
//    -FLT_MAX never reach the reduction (no inf - inf = NaN).
// 2. n = round-to-nearest-even(zc * log2(e)), log2(e) = 0x1.715476p+0f. SSE2
//    has no roundps: adding the magic bias 0x1.8000FEp+23f (1.5 * 2^23 + 127)
//    rounds to an integer and leaves n + 127 in the low mantissa bits, so
//    s = 2^n is those bits shifted into the exponent field (n + 127 in [1, 127]
//    for zc in [cutoff, 0]). Subtracting the bias again gives n as a float.
// 3. t = zc - n*ln2 with a two-constant Cody-Waite split (no FMA):
//    ln2_hi = 0x1.62E400p-1f has 15 significant bits, so n * ln2_hi is exact
//    for |n| <= 2^9 (here |n| <= 127) and zc - n*ln2_hi is exact (Sterbenz);
//    ln2_lo = 0x1.7F7D1Cp-20f = ln2 - ln2_hi rounded to float. Then t += err
//    (step 0), one more rounding of t. t lies in about [-ln2/2, ln2/2].
// 4. p(t) = 1 + t*(c1 + t*(c2 + t*(c3 + t*(c4 + t*c5)))), the published
//    degree-5 minimax coefficients (c1 = 0x1.FFFFF6p-1f, c2 = 0x1.FFFDC6p-2f,
//    c3 = 0x1.555A80p-3f, c4 = 0x1.573A1Ap-5f, c5 = 0x1.0F9F9Cp-7f).
// 5. exp(z) = s * p = s + (t*s) * (c1 + t*(...)), which rounds better than
//    forming p first.
// 6. Lanes with z < cutoff (including z = -inf) are set to exactly +0: no
//    denormal outputs. NaN z gives NaN (NaN passes every step and the
//    comparison z < cutoff is false for NaN).
// z = +inf (x = +inf with finite max) is outside the contract z <= 0.
inline __m128 exp_minus_max(__m128 vx, __m128 vmax) {
  const __m128 vcutoff = _mm_set1_ps(-0x1.5D589Ep+6f);
  const __m128 vlog2e = _mm_set1_ps(0x1.715476p+0f);
  const __m128 vmagic_bias = _mm_set1_ps(0x1.8000FEp+23f);
  const __m128 vminus_ln2_hi = _mm_set1_ps(-0x1.62E400p-1f);
  const __m128 vminus_ln2_lo = _mm_set1_ps(-0x1.7F7D1Cp-20f);
  const __m128 vc5 = _mm_set1_ps(0x1.0F9F9Cp-7f);
  const __m128 vc4 = _mm_set1_ps(0x1.573A1Ap-5f);
  const __m128 vc3 = _mm_set1_ps(0x1.555A80p-3f);
  const __m128 vc2 = _mm_set1_ps(0x1.FFFDC6p-2f);
  const __m128 vc1 = _mm_set1_ps(0x1.FFFFF6p-1f);

  const __m128 vz = _mm_sub_ps(vx, vmax);
  const __m128 vz_minus_x = _mm_sub_ps(vz, vx);
  const __m128 vx_rounded = _mm_sub_ps(vz, vz_minus_x);
  const __m128 verr = _mm_sub_ps(_mm_sub_ps(vx, vx_rounded), _mm_add_ps(vmax, vz_minus_x));

  const __m128 vzc = _mm_max_ps(vcutoff, vz);
  __m128 vn = _mm_add_ps(_mm_mul_ps(vzc, vlog2e), vmagic_bias);
  const __m128 vs = _mm_castsi128_ps(_mm_slli_epi32(_mm_castps_si128(vn), 23));
  vn = _mm_sub_ps(vn, vmagic_bias);
  __m128 vt = _mm_add_ps(_mm_mul_ps(vn, vminus_ln2_hi), vzc);
  vt = _mm_add_ps(_mm_mul_ps(vn, vminus_ln2_lo), vt);
  vt = _mm_add_ps(vt, verr);
  __m128 vp = _mm_add_ps(_mm_mul_ps(vc5, vt), vc4);
  vp = _mm_add_ps(_mm_mul_ps(vp, vt), vc3);
  vp = _mm_add_ps(_mm_mul_ps(vp, vt), vc2);
  vp = _mm_add_ps(_mm_mul_ps(vp, vt), vc1);
  vt = _mm_mul_ps(vt, vs);
  const __m128 vf = _mm_add_ps(_mm_mul_ps(vt, vp), vs);
  return _mm_andnot_ps(_mm_cmplt_ps(vz, vcutoff), vf);
}

}  // namespace
