// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleextexp/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleextexp_ukernel__sse2_p5_u8

// Pass 2 of the Two-Pass softmax, SSE2 (no FMA, no roundps), 4 lanes.
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
// there), with the helpers of twopass/extexp-sse2.h and the constants of
// twopass/exp-constants.h. In short: (p, n_eff) as in pass 1 (x_c = min(B, max(-B, x)),
// dx = x - x_c, n = cvtdq2ps(cvtps2dq(x_c * log2e)), three-constant Cody-Waite split
// without FMA, degree-5 polynomial, n_eff = n + dx); d = n_eff + scale_exponent clamped
// to [-127, 128] (_mm_max_ps(d, -127) maps NaN to -127: p is NaN already); 2^d from the
// bits of d + kExp2Magic shifted left by 23 (d = -127 gives +0, so x = -inf gives +0;
// d = 128 gives +inf); y = (p * scale_mantissa) * 2^d (ScaledExtExp).
// 8 elements (2 vectors) per iteration, all loaded before any store (in
// place); then whole vectors; then the last 1-3 elements, loaded through a small
// buffer and stored with movlps / movss.
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// on 2026-11-24: sse2 max 2.16 ULP (bound asserted: 4 ULP).

#include <assert.h>
#include <string.h>

#include <emmintrin.h>

#include "twopass/exp-constants.h"
#include "twopass/extexp-sse2.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_vscaleextexp_ukernel__sse2_p5_u8(size_t batch, const float* input, float* output,
                           float scale_mantissa, float scale_exponent) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m128 vs = _mm_set1_ps(scale_mantissa);
  const __m128 ve = _mm_set1_ps(scale_exponent);
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    const __m128 vx0 = _mm_loadu_ps(input + 0);
    const __m128 vx1 = _mm_loadu_ps(input + 4);
    input += 8;

    _mm_storeu_ps(output + 0, ScaledExtExp(vx0, vs, ve));
    _mm_storeu_ps(output + 4, ScaledExtExp(vx1, vs, ve));
    output += 8;
  }
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const __m128 vx = _mm_loadu_ps(input);
    input += 4;
    _mm_storeu_ps(output, ScaledExtExp(vx, vs, ve));
    output += 4;
  }
  if (batch != 0) {
    // 1-3 elements.
    float buffer[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    memcpy(buffer, input, batch);
    __m128 vy = ScaledExtExp(_mm_loadu_ps(buffer), vs, ve);
    if (batch & (2 * sizeof(float))) {
      _mm_storel_pi(reinterpret_cast<__m64*>(output), vy);
      vy = _mm_movehl_ps(vy, vy);
      output += 2;
    }
    if (batch & (1 * sizeof(float))) {
      _mm_store_ss(output, vy);
    }
  }
}
