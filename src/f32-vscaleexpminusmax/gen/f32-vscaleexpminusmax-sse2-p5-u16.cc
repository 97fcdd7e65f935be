// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleexpminusmax/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleexpminusmax_ukernel__sse2_p5_u16

// f32-vscaleexpminusmax, SSE2: output[i] = exp(input[i] - max) * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place); never touches memory outside the rows.
// Intended for max = the row maximum, so z = input[i] - max <= 0 (rounded to
// float, it decides the flush; the exp is of the exact difference). exp(z) is
// within a few ULP when exp(z) >= FLT_MIN and is then multiplied by scale (one
// more rounding); z below ln(FLT_MIN) (also z = -inf from input -inf) gives
// exactly +0 (for finite scale); NaN in input, max or scale gives NaN; input =
// max = +inf gives NaN.
// 16 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>

#include <emmintrin.h>

#include "twopass/microkernels.h"

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

extern "C" void twopass_f32_vscaleexpminusmax_ukernel__sse2_p5_u16(size_t batch, const float* input, float* output, float max,
                           float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(output != NULL);

  const __m128 vmax = _mm_set1_ps(max);
  const __m128 vscale = _mm_set1_ps(scale);
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m128 vx0 = _mm_loadu_ps(input + 0);
    const __m128 vx1 = _mm_loadu_ps(input + 4);
    const __m128 vx2 = _mm_loadu_ps(input + 8);
    const __m128 vx3 = _mm_loadu_ps(input + 12);
    input += 16;

    const __m128 vf0 = _mm_mul_ps(exp_minus_max(vx0, vmax), vscale);
    const __m128 vf1 = _mm_mul_ps(exp_minus_max(vx1, vmax), vscale);
    const __m128 vf2 = _mm_mul_ps(exp_minus_max(vx2, vmax), vscale);
    const __m128 vf3 = _mm_mul_ps(exp_minus_max(vx3, vmax), vscale);

    _mm_storeu_ps(output + 0, vf0);
    _mm_storeu_ps(output + 4, vf1);
    _mm_storeu_ps(output + 8, vf2);
    _mm_storeu_ps(output + 12, vf3);
    output += 16;
  }
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const __m128 vx = _mm_loadu_ps(input);
    input += 4;
    _mm_storeu_ps(output, _mm_mul_ps(exp_minus_max(vx, vmax), vscale));
    output += 4;
  }
  if (batch != 0) {
    // 1-3 elements: 2 with movlps, then 1 with movss; never past the rows.
    if (batch & (2 * sizeof(float))) {
      const __m128 vx = _mm_loadl_pi(_mm_setzero_ps(), reinterpret_cast<const __m64*>(input));
      input += 2;
      const __m128 vf = _mm_mul_ps(exp_minus_max(vx, vmax), vscale);
      _mm_storel_pi(reinterpret_cast<__m64*>(output), vf);
      output += 2;
    }
    if (batch & sizeof(float)) {
      const __m128 vf = exp_minus_max(_mm_load_ss(input), vmax);
      _mm_store_ss(output, _mm_mul_ss(vf, vscale));
    }
  }
}
