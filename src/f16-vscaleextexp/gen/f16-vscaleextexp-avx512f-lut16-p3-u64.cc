// Auto-generated file. Do not edit!
//   Template: src/f16-vscaleextexp/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vscaleextexp_ukernel__avx512f_lut16_p3_u64

// Pass 2 of the Two-Pass softmax on IEEE half-precision data, AVX512F, 16 lanes;
// all arithmetic in f32.
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
// with FAMILY f16-vscaleextexp): batch counts bytes, 2 per element. Inputs are
// widened exactly with vcvtph2ps; results are narrowed with vcvtps2ph, rounding to
// nearest even (immediate rounding mode, independent of MXCSR).
// Each result is computed in f32 as below and then rounded to the nearest half
// (ties to even); results below the smallest normal half (2^-14) become correctly
// rounded subnormal halves or +0. The f32 result is rounded first, so the half is
// within 0.5 half-ULP plus the f32 error of the exact value; it is never more than
// 1 half-ULP away. NaN stays NaN (quiet), +inf stays +inf.
// 16-bit masked loads and stores need AVX512BW: the 1-15 element tail goes through
// a buffer (copied in, converted, copied out; in place still works).
//
// Math per element x: docs/exp-math.md (steps 1-6; the per-ISA differences are listed
// there), with the helpers of twopass/extexp-avx512f.h and the constants of
// twopass/exp-constants.h. In short: (p, n_eff) as in pass 1 (x_c = min(B, max(-B, x)),
// dx = x - x_c, n = vrndscaleps(x_c * log2e), two-constant FMA Cody-Waite split,
// degree-5 polynomial, n_eff = n + dx); d = n_eff + scale_exponent, no clamp: y =
// scalef(p * scale_mantissa, d) (ScaleExtExp), exact with saturation (d = -inf, e.g.
// x = -inf, gives +0; huge d gives inf; results below 2^-126 come out as correctly
// scaled denormals). d is NaN only when x is NaN, and then p is NaN already.
// That p5 form serves only |x| > 2^17, ±inf and NaN: every other x goes through the
// table form (twopass/extexp-avx512f.h, ScaledExtExpCanonical): p = round(2^(j/16) q(t)),
// y = scalef(p * scale_mantissa, N/16 + scale_exponent), the same p and N as pass 1
// (f32-raddextexp avx512f) computes for that x on every one of its paths, so that a
// term that dominates its row comes out at most 1. When |scale_exponent| <= 2^14
// (softmax), every element of the call uses the fast form ScaledExtExpFast instead (the
// clamp to +-12000 replaces the domain test; same bits where it does not saturate).
// 64 elements (8 vectors) per iteration, all loaded before any store (in
// place); then whole vectors; then the last 1-15 elements through a buffer.
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// natively on the Zen 5 VM: 1.95 ULP with the p5 form (2026-12-04), 1.63 ULP with the
// table form (2026-12-06); bound asserted: 3 ULP.

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/exp-constants.h"
#include "twopass/extexp-avx512f.h"
#include "twopass/microkernels.h"
#include "twopass/tail-mask-avx512f.h"

namespace {

// 16 halves widened exactly to floats (vcvtph2ps).
inline __m512 LoadF16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

// 16 floats rounded to halves, nearest even (vcvtps2ph).
inline void StoreF16(uint16_t* p, __m512 v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                      _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

// The fast form, valid when |scale_exponent| <= 2^14 (always in softmax: -e of a
// row whose largest exponent is within 2^14; the canonical form serves the rest).
// x is clamped to [-12000, 12000] instead of testing |x| <= 2^17: every x the clamp
// changes gives a saturated result either way (below: N/16 + e <= -17312 + 2^14, +0;
// above: >= 17312 - 2^14, +inf), and NaN stays NaN; for the other x, the table form's
// bits. 13 vector ops per 16 elements (clamp 2, v, N, t 2, q 3, vpermps, p, p * s, the
// exponent, vscalefps), 10 on the FMA pipes and vpermps, against 14 and 11 for the p5
// form: no faster on the Zen 5 VM (0.60 vs 0.61-0.63 cycles/element), kept for the
// shared p with pass 1 (see above).
inline __m512 ScaledExtExpFast(__m512 vx, __m512 vtable, __m512 vs, __m512 ve) {
  const __m512 vxc = _mm512_min_ps(_mm512_set1_ps(12000.0f),
                                   _mm512_max_ps(_mm512_set1_ps(-12000.0f), vx));
  __m512 vp, vN;
  TableExp(vxc, vtable, &vp, &vN);
  return ScaleTableExp(vp, vN, vs, ve);
}

}  // namespace

extern "C" void twopass_f16_vscaleextexp_ukernel__avx512f_lut16_p3_u64(size_t batch, const void* input_data, void* output_data,
                           float scale_mantissa, float scale_exponent) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  uint16_t* output = static_cast<uint16_t*>(output_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m512 vs = _mm512_set1_ps(scale_mantissa);
  const __m512 ve = _mm512_set1_ps(scale_exponent);
  // Every element of a call goes through one form, chosen once from scale_exponent, so
  // that the results do not depend on where an element falls (tile, tail, head).
  const auto compute = [&](auto scaled_exp) {
    for (; batch >= 64 * sizeof(uint16_t); batch -= 64 * sizeof(uint16_t)) {
      const __m512 vx0 = LoadF16(input + 0);
      const __m512 vx1 = LoadF16(input + 16);
      const __m512 vx2 = LoadF16(input + 32);
      const __m512 vx3 = LoadF16(input + 48);
      input += 64;

      StoreF16(output + 0, scaled_exp(vx0));
      StoreF16(output + 16, scaled_exp(vx1));
      StoreF16(output + 32, scaled_exp(vx2));
      StoreF16(output + 48, scaled_exp(vx3));
      output += 64;
    }
    for (; batch >= 16 * sizeof(uint16_t); batch -= 16 * sizeof(uint16_t)) {
      const __m512 vx = LoadF16(input);
      input += 16;
      StoreF16(output, scaled_exp(vx));
      output += 16;
    }
    if (batch != 0) {
      // 1-15 elements through a buffer: only [input, input + batch) is read and only
      // [output, output + batch) written.
      uint16_t buffer[16] = {0};
      memcpy(buffer, input, batch);
      StoreF16(buffer, scaled_exp(LoadF16(buffer)));
      memcpy(output, buffer, batch);
    }
  };
  const __m512 vtable = _mm512_loadu_ps(twopass::kExp2Table16);
  if (scale_exponent >= -0x1p14f && scale_exponent <= 0x1p14f) {
    compute([&](__m512 vx) { return ScaledExtExpFast(vx, vtable, vs, ve); });
  } else {
    compute([&](__m512 vx) { return ScaledExtExpCanonical(vx, vtable, vs, ve); });
  }
}
