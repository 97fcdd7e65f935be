// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleextexp/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleextexp_ukernel__scalar_p5_u4

// Pass 2 of the Two-Pass softmax, portable scalar C++ (no intrinsics, no FMA).
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

#include "twopass/exp-constants.h"
#include "twopass/extexp-scalar.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_vscaleextexp_ukernel__scalar_p5_u4(size_t batch, const float* input, float* output,
                           float scale_mantissa, float scale_exponent) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    // Load the whole tile before storing, so that in-place calls see the inputs.
    const float vx0 = input[0];
    const float vx1 = input[1];
    const float vx2 = input[2];
    const float vx3 = input[3];
    input += 4;

    output[0] = ScaledExtExp(vx0, scale_mantissa, scale_exponent);
    output[1] = ScaledExtExp(vx1, scale_mantissa, scale_exponent);
    output[2] = ScaledExtExp(vx2, scale_mantissa, scale_exponent);
    output[3] = ScaledExtExp(vx3, scale_mantissa, scale_exponent);
    output += 4;
  }
  for (; batch != 0; batch -= sizeof(float)) {
    *output++ = ScaledExtExp(*input++, scale_mantissa, scale_exponent);
  }
}
