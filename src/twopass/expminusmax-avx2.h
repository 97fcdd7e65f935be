// exp(x - max) on eight lanes with FMA, AVX2: the exp helper shared by the
// kernel families f32-raddstoreexpminusmax, f32-raddexpminusmax and
// f32-vscaleexpminusmax, whose src/<family>/avx2.cc.in templates include this
// header, and the maskload/maskstore mask of their remainder code. The math,
// the constants and the special values are documented step by step once, here.
//
// Internal to the avx2 kernel files (build_defs.bzl: -mavx2 -mfma -mf16c
// -mno-avx512f); the intrinsics need those flags. Everything is in an anonymous
// namespace on purpose: each kernel file gets its own internal copy, compiled
// with its own ISA flags, which the linker can never merge with a copy built
// for another target.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

namespace {

// exp(z) for z = x - max <= 0 on eight lanes, with FMA.
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
//    forming p first.
// 6. Lanes with z < cutoff (including z = -inf) are set to exactly +0: no
//    denormal outputs. NaN z gives NaN (NaN passes every step and the ordered
//    comparison z < cutoff is false for NaN).
// z = +inf (x = +inf with finite max) is outside the contract z <= 0.
inline __m256 exp_minus_max(__m256 vx, __m256 vmax) {
  const __m256 vcutoff = _mm256_set1_ps(-0x1.5D589Ep+6f);
  const __m256 vlog2e = _mm256_set1_ps(0x1.715476p+0f);
  const __m256 vmagic_bias = _mm256_set1_ps(0x1.8000FEp+23f);
  const __m256 vminus_ln2_hi = _mm256_set1_ps(-0x1.62E430p-1f);
  const __m256 vminus_ln2_lo = _mm256_set1_ps(0x1.05C610p-29f);
  const __m256 vc5 = _mm256_set1_ps(0x1.0F9F9Cp-7f);
  const __m256 vc4 = _mm256_set1_ps(0x1.573A1Ap-5f);
  const __m256 vc3 = _mm256_set1_ps(0x1.555A80p-3f);
  const __m256 vc2 = _mm256_set1_ps(0x1.FFFDC6p-2f);
  const __m256 vc1 = _mm256_set1_ps(0x1.FFFFF6p-1f);

  const __m256 vz = _mm256_sub_ps(vx, vmax);
  const __m256 vz_minus_x = _mm256_sub_ps(vz, vx);
  const __m256 vx_rounded = _mm256_sub_ps(vz, vz_minus_x);
  const __m256 verr = _mm256_sub_ps(_mm256_sub_ps(vx, vx_rounded), _mm256_add_ps(vmax, vz_minus_x));

  const __m256 vzc = _mm256_max_ps(vcutoff, vz);
  __m256 vn = _mm256_fmadd_ps(vzc, vlog2e, vmagic_bias);
  const __m256 vs = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(vn), 23));
  vn = _mm256_sub_ps(vn, vmagic_bias);
  __m256 vt = _mm256_fmadd_ps(vn, vminus_ln2_hi, vzc);
  vt = _mm256_fmadd_ps(vn, vminus_ln2_lo, vt);
  vt = _mm256_add_ps(vt, verr);
  __m256 vp = _mm256_fmadd_ps(vc5, vt, vc4);
  vp = _mm256_fmadd_ps(vp, vt, vc3);
  vp = _mm256_fmadd_ps(vp, vt, vc2);
  vp = _mm256_fmadd_ps(vp, vt, vc1);
  vt = _mm256_mul_ps(vt, vs);
  const __m256 vf = _mm256_fmadd_ps(vt, vp, vs);
  return _mm256_andnot_ps(_mm256_cmp_ps(vz, vcutoff, _CMP_LT_OQ), vf);
}

// maskload/maskstore mask with the first n lanes active (0 < n < 8): the
// eight entries of {-1 x 7, 0 x 7} starting at 7 - n.
alignas(32) const int32_t kTailMask[14] = {-1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0};

inline __m256i tail_mask(size_t elements) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&kTailMask[7 - elements]));
}

}  // namespace
