// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleextexp/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleextexp_ukernel__avx512f_p5_u64

// Pass 2 of the Two-Pass softmax, AVX512F, 16 lanes.
//
// output[i] = exp(input[i]) * scale_mantissa * 2^scale_exponent, computed as
// (p * scale_mantissa) * 2^(n_eff + scale_exponent) from exp(x) = p * 2^n_eff, so
// that exp(x) itself never has to be representable (softmax passes 1/m and -e of
// the pass-1 sum (m, e)).
//
// Contract (tested on every ISA by test/f32-vscaleextexp.cc):
// - scale_exponent is integer-valued. For results in the normal range the error is
//   that of exp (below) plus one rounding of p * scale_mantissa.
// - x = -inf gives exactly +0 (for a finite positive scale_mantissa); NaN gives NaN.
// - 2^(n_eff + scale_exponent) saturates: exponents below -126 give 0 (results below
//   about 2^-126 * |p * scale_mantissa| flush to zero) and exponents above 127 give
//   +inf (results that would exceed 2^127 may saturate to inf).
// - Reads [input, input + batch), writes [output, output + batch), nothing else;
//   output == input (in place) works; no alignment requirement.
//
// Math per element x: docs/exp-math.md (steps 1-6; the per-ISA differences are listed
// there), with the helpers of twopass/extexp-avx512f.h and the constants of
// twopass/exp-constants.h. In short: (p, n_eff) as in pass 1 (x_c = min(B, max(-B, x)),
// dx = x - x_c, n = vrndscaleps(x_c * log2e), two-constant FMA Cody-Waite split,
// degree-5 polynomial, n_eff = n + dx); d = n_eff + scale_exponent, no clamp: y =
// scalef(p * scale_mantissa, d) (ScaleExtExp), exact with saturation (d = -inf, e.g.
// x = -inf, gives +0; huge d gives inf; results below 2^-126 come out as correctly
// scaled denormals). d is NaN only when x is NaN, and then p is NaN already.
// When |scale_exponent| <= 2^14 (softmax), the main loop uses the fast form
// ScaledExtExpFast (steps 1 and 5 reduced to a clamp to +-12000; same bits).
// 64 elements (8 vectors) per iteration, all loaded before any store (in
// place); then whole vectors; then the last 1-15 elements with k-masked load/store.
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// 2026-11-24: not measured yet (the dev VM lacks AVX512F; bound asserted: 3 ULP).

#include <assert.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/exp-constants.h"
#include "twopass/extexp-avx512f.h"
#include "twopass/microkernels.h"

namespace {

// The fast form, valid when |scale_exponent| <= 2^14 (always in softmax: -e of a
// row whose largest exponent is within 2^14; the general form above serves the rest).
// x is clamped to [-12000, 12000] instead of +-B, so dx = 0 and d = n + e: every x the
// clamp changes gives a saturated result either way (below: d <= -17312 + 2^14, +0;
// above: d >= 17312 - 2^14, +inf), and NaN stays NaN. For the other x, p and n are
// those of ScaledExtExp: the same bits. 14 vector ops per 16 elements against 16.
inline __m512 ScaledExtExpFast(__m512 vx, __m512 vs, __m512 ve) {
  const __m512 vxc = _mm512_min_ps(_mm512_set1_ps(12000.0f),
                                   _mm512_max_ps(_mm512_set1_ps(-12000.0f), vx));
  __m512 vp, vn;
  ExtExpUnclamped(vxc, &vp, &vn);
  return ScaleExtExp(vp, vn, vs, ve);
}

}  // namespace

extern "C" void twopass_f32_vscaleextexp_ukernel__avx512f_p5_u64(size_t batch, const float* input, float* output,
                           float scale_mantissa, float scale_exponent) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m512 vs = _mm512_set1_ps(scale_mantissa);
  const __m512 ve = _mm512_set1_ps(scale_exponent);
  if (scale_exponent >= -0x1p14f && scale_exponent <= 0x1p14f) {
    for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
      const __m512 vx0 = _mm512_loadu_ps(input + 0);
      const __m512 vx1 = _mm512_loadu_ps(input + 16);
      const __m512 vx2 = _mm512_loadu_ps(input + 32);
      const __m512 vx3 = _mm512_loadu_ps(input + 48);
      input += 64;

      _mm512_storeu_ps(output + 0, ScaledExtExpFast(vx0, vs, ve));
      _mm512_storeu_ps(output + 16, ScaledExtExpFast(vx1, vs, ve));
      _mm512_storeu_ps(output + 32, ScaledExtExpFast(vx2, vs, ve));
      _mm512_storeu_ps(output + 48, ScaledExtExpFast(vx3, vs, ve));
      output += 64;
    }
  }
  for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
    const __m512 vx0 = _mm512_loadu_ps(input + 0);
    const __m512 vx1 = _mm512_loadu_ps(input + 16);
    const __m512 vx2 = _mm512_loadu_ps(input + 32);
    const __m512 vx3 = _mm512_loadu_ps(input + 48);
    input += 64;

    _mm512_storeu_ps(output + 0, ScaledExtExp(vx0, vs, ve));
    _mm512_storeu_ps(output + 16, ScaledExtExp(vx1, vs, ve));
    _mm512_storeu_ps(output + 32, ScaledExtExp(vx2, vs, ve));
    _mm512_storeu_ps(output + 48, ScaledExtExp(vx3, vs, ve));
    output += 64;
  }
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    const __m512 vx = _mm512_loadu_ps(input);
    input += 16;
    _mm512_storeu_ps(output, ScaledExtExp(vx, vs, ve));
    output += 16;
  }
  if (batch != 0) {
    // 1-15 elements: masked load and store touch only the active lanes.
    const __mmask16 vmask =
        _cvtu32_mask16(static_cast<uint32_t>((uint32_t(1) << (batch / sizeof(float))) - 1));
    const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
    _mm512_mask_storeu_ps(output, vmask, ScaledExtExp(vx, vs, ve));
  }
}
