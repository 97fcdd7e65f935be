// Auto-generated file. Do not edit!
//   Template: src/f32-raddexpminusmax/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddexpminusmax_ukernel__avx512f_p5_u64_acc2

// f32-raddexpminusmax, AVX512F: *sum = sum_i exp(input[i] - max).
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// never reads outside [input, input + batch) (the last 1-15 elements use a
// k-masked load). Intended for max = the row maximum, so z = input[i] - max <=
// 0 (rounded to float, it decides the flush; the exp is of the exact
// difference). Each term is within a few ULP of exp(z) when exp(z) >= FLT_MIN;
// z below ln(FLT_MIN) (also z = -inf from input -inf) contributes exactly 0;
// NaN in input or max gives a NaN sum; input = max = +inf gives NaN.
// 64 elements (4 vectors) per main-loop iteration; the sum is kept in
// 2 f32 vector accumulators (vector i goes to accumulator i mod 2),
// i.e. in 32 partial sums, which keeps rows of a few thousand
// elements within ~1e-7 relative.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/microkernels.h"

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

extern "C" void twopass_f32_raddexpminusmax_ukernel__avx512f_p5_u64_acc2(size_t batch, const float* input, float* sum, float max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(sum != NULL);

  const __m512 vmax = _mm512_set1_ps(max);
  __m512 vacc0 = _mm512_setzero_ps();
  __m512 vacc1 = _mm512_setzero_ps();
  for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
    const __m512 vx0 = _mm512_loadu_ps(input + 0);
    const __m512 vx1 = _mm512_loadu_ps(input + 16);
    const __m512 vx2 = _mm512_loadu_ps(input + 32);
    const __m512 vx3 = _mm512_loadu_ps(input + 48);
    input += 64;

    const __m512 vf0 = exp_minus_max(vx0, vmax);
    const __m512 vf1 = exp_minus_max(vx1, vmax);
    const __m512 vf2 = exp_minus_max(vx2, vmax);
    const __m512 vf3 = exp_minus_max(vx3, vmax);

    vacc0 = _mm512_add_ps(vacc0, vf0);
    vacc1 = _mm512_add_ps(vacc1, vf1);
    vacc0 = _mm512_add_ps(vacc0, vf2);
    vacc1 = _mm512_add_ps(vacc1, vf3);
  }
  vacc0 = _mm512_add_ps(vacc0, vacc1);
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    const __m512 vx = _mm512_loadu_ps(input);
    input += 16;
    const __m512 vf = exp_minus_max(vx, vmax);
    vacc0 = _mm512_add_ps(vacc0, vf);
  }
  if (batch != 0) {
    // Only the first n lanes are loaded, stored and summed.
    const __mmask16 vmask = tail_mask(batch / sizeof(float));
    const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
    const __m512 vf = exp_minus_max(vx, vmax);
    vacc0 = _mm512_mask_add_ps(vacc0, vmask, vacc0, vf);
  }
  *sum = _mm512_reduce_add_ps(vacc0);
}
