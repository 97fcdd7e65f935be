// Auto-generated file. Do not edit!
//   Template: src/f16-vscaleextexp/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vscaleextexp_ukernel__scalar_p5_u4

// Pass 2 of the Two-Pass softmax on IEEE half-precision data, portable scalar C++
// (no intrinsics, no FMA); all arithmetic in f32.
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
// with FAMILY f16-vscaleextexp): batch counts bytes, 2 per element. Elements are
// converted with the FP16 library: fp16_ieee_to_fp32_value (exact) and
// fp16_ieee_from_fp32_value (round to nearest even).
// Each result is computed in f32 as below and then rounded to the nearest half
// (ties to even); results below the smallest normal half (2^-14) become correctly
// rounded subnormal halves or +0. The f32 result is rounded first, so the half is
// within 0.5 half-ULP plus the f32 error of the exact value; it is never more than
// 1 half-ULP away. NaN stays NaN (quiet), +inf stays +inf.
//
// Math per element x: docs/exp-math.md (steps 1-6; the per-ISA differences are listed
// there), with the helpers of twopass/extexp-scalar.h and the constants of
// twopass/exp-constants.h. In short: (p, n_eff) as in pass 1 (x_c = min(max(x, -B), B)
// keeping NaN, dx = x - x_c, n = rint(x_c * log2e), three-constant Cody-Waite split
// without FMA, degree-5 polynomial, n_eff = n + dx); d = n_eff + scale_exponent clamped
// to [-127, 128] with comparisons that map NaN to -127 (p is NaN already); 2^d from the
// bits of d + kExp2Magic shifted left by 23 (d = -127 gives +0, so x = -inf gives
// p * s * 0 = +0; d = 128 gives +inf); y = (p * scale_mantissa) * 2^d (ScaledExtExp).
// 4 elements per iteration, then a remainder loop of single elements.
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// (scale (1, e) per block of inputs, normal results only) on 2026-11-24: scalar max 2.16 ULP
// (bound asserted: 4 ULP).

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <cmath>

#include <fp16.h>

#include "twopass/half-io.h"
#include "twopass/exp-constants.h"
#include "twopass/extexp-scalar.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f16_vscaleextexp_ukernel__scalar_p5_u4(size_t batch, const void* input_data, void* output_data,
                           float scale_mantissa, float scale_exponent) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  uint16_t* output = static_cast<uint16_t*>(output_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  for (; batch >= 4 * sizeof(uint16_t); batch -= 4 * sizeof(uint16_t)) {
    // Load the whole tile before storing, so that in-place calls see the inputs.
    const float vx0 = twopass::LoadHalf(input + 0);
    const float vx1 = twopass::LoadHalf(input + 1);
    const float vx2 = twopass::LoadHalf(input + 2);
    const float vx3 = twopass::LoadHalf(input + 3);
    input += 4;

    twopass::StoreHalf(output + 0, ScaledExtExp(vx0, scale_mantissa, scale_exponent));
    twopass::StoreHalf(output + 1, ScaledExtExp(vx1, scale_mantissa, scale_exponent));
    twopass::StoreHalf(output + 2, ScaledExtExp(vx2, scale_mantissa, scale_exponent));
    twopass::StoreHalf(output + 3, ScaledExtExp(vx3, scale_mantissa, scale_exponent));
    output += 4;
  }
  for (; batch != 0; batch -= sizeof(uint16_t)) {
    twopass::StoreHalf(output++, ScaledExtExp(twopass::LoadHalf(input++), scale_mantissa,
                                              scale_exponent));
  }
}
