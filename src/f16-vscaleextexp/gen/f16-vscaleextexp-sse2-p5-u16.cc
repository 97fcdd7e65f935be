// Auto-generated file. Do not edit!
//   Template: src/f16-vscaleextexp/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vscaleextexp_ukernel__sse2_p5_u16

// Pass 2 of the Two-Pass softmax on IEEE half-precision data, SSE2 (no FMA, no
// roundps), 4 lanes; all arithmetic in f32.
//
// output[i] = exp(input[i]) * scale_mantissa * 2^scale_exponent, computed as
// (p * scale_mantissa) * 2^(n_eff + scale_exponent) from exp(x) = p * 2^n_eff, so
// that exp(x) itself never has to be representable (softmax passes 1/m and -e of
// the pass-1 sum (m, e)).
//
// Contract (tested on every ISA by test/f16-vscaleextexp.cc):
// - scale_exponent is integer-valued. For results in the normal range the error is
//   that of exp (below) plus one rounding of p * scale_mantissa.
// - x = -inf gives exactly +0 (for a finite positive scale_mantissa); NaN gives NaN.
// - 2^(n_eff + scale_exponent) saturates: exponents below -126 give 0 (results below
//   about 2^-126 * |p * scale_mantissa| flush to zero) and exponents above 127 give
//   +inf (results that would exceed 2^127 may saturate to inf).
// - Reads [input, input + batch), writes [output, output + batch), nothing else;
//   output == input (in place) works; no alignment requirement.
//
// Half-precision input and output (this file is generated from the f32 template
// with FAMILY f16-vscaleextexp): batch counts bytes, 2 per element. SSE2 has no
// half conversion: four elements at a time are converted in integer arithmetic
// (twopass/half-sse2.h: widened exactly, rounded to nearest even).
// Each result is computed in f32 as below and then rounded to the nearest half
// (ties to even); results below the smallest normal half (2^-14) become correctly
// rounded subnormal halves or +0. The f32 result is rounded first, so the half is
// within 0.5 half-ULP plus the f32 error of the exact value; it is never more than
// 1 half-ULP away. NaN stays NaN (quiet), +inf stays +inf.
// The 1-3 element tail goes through a buffer (in place still works).
//
// Math per element x: docs/exp-math.md (steps 1-6; the per-ISA differences are listed
// there), with the helpers of twopass/extexp-sse2.h and the constants of
// twopass/exp-constants.h. In short: (p, n_eff) as in pass 1 (x_c = min(B, max(-B, x)),
// dx = x - x_c, n = cvtdq2ps(cvtps2dq(x_c * log2e)), three-constant Cody-Waite split
// without FMA, degree-5 polynomial, n_eff = n + dx); d = n_eff + scale_exponent clamped
// to [-127, 128] (_mm_max_ps(d, -127) maps NaN to -127: p is NaN already); 2^d from the
// bits of d + kExp2Magic shifted left by 23 (d = -127 gives +0, so x = -inf gives +0;
// d = 128 gives +inf); y = (p * scale_mantissa) * 2^d (ScaledExtExp).
// 16 elements (4 vectors) per iteration, all loaded before any store (in
// place); then whole vectors; then the last 1-3 elements, loaded through a small
// buffer and stored with movlps / movss.
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// on 2026-11-24: sse2 max 2.16 ULP (bound asserted: 4 ULP).

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <emmintrin.h>

#include "twopass/half-sse2.h"

#include "twopass/exp-constants.h"
#include "twopass/extexp-sse2.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f16_vscaleextexp_ukernel__sse2_p5_u16(size_t batch, const void* input_data, void* output_data,
                           float scale_mantissa, float scale_exponent) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  uint16_t* output = static_cast<uint16_t*>(output_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m128 vs = _mm_set1_ps(scale_mantissa);
  const __m128 ve = _mm_set1_ps(scale_exponent);
  for (; batch >= 16 * sizeof(uint16_t); batch -= 16 * sizeof(uint16_t)) {
    const __m128 vx0 = twopass::LoadHalvesSse2(input + 0);
    const __m128 vx1 = twopass::LoadHalvesSse2(input + 4);
    const __m128 vx2 = twopass::LoadHalvesSse2(input + 8);
    const __m128 vx3 = twopass::LoadHalvesSse2(input + 12);
    input += 16;

    twopass::StoreHalvesSse2(output + 0, ScaledExtExp(vx0, vs, ve));
    twopass::StoreHalvesSse2(output + 4, ScaledExtExp(vx1, vs, ve));
    twopass::StoreHalvesSse2(output + 8, ScaledExtExp(vx2, vs, ve));
    twopass::StoreHalvesSse2(output + 12, ScaledExtExp(vx3, vs, ve));
    output += 16;
  }
  for (; batch >= 4 * sizeof(uint16_t); batch -= 4 * sizeof(uint16_t)) {
    const __m128 vx = twopass::LoadHalvesSse2(input);
    input += 4;
    twopass::StoreHalvesSse2(output, ScaledExtExp(vx, vs, ve));
    output += 4;
  }
  if (batch != 0) {
    // 1-3 elements.
    uint16_t buffer[4] = {0, 0, 0, 0};
    memcpy(buffer, input, batch);
    twopass::StoreHalvesSse2(buffer, ScaledExtExp(twopass::LoadHalvesSse2(buffer), vs, ve));
    memcpy(output, buffer, batch);
  }
}
