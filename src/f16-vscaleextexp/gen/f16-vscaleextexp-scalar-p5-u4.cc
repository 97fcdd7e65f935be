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
// Math per element x (the same as pass 1, see src/f32-raddextexp/scalar.cc.in):
// 1. x_c = min(max(x, -B), B), B = 0x1p23f, keeping NaN; dx = x - x_c.
// 2. n = rint(x_c * log2e), log2e = 0x1.715476p+0f.
// 3. t = x_c - n*ln2, three-constant Cody-Waite split for exact products without FMA
//    (tools/cody_waite.py): ln2_hi = 0x1.630000p-1f, ln2_mid = -0x1.BD0000p-13f,
//    ln2_lo = -0x1.05C610p-29f.
// 4. p = 1 + t*(c1 + t*(c2 + t*(c3 + t*(c4 + t*c5)))), c1 = 0x1.FFFFF6p-1f,
//    c2 = 0x1.FFFDC6p-2f, c3 = 0x1.555A80p-3f, c4 = 0x1.573A1Ap-5f, c5 = 0x1.0F9F9Cp-7f.
// 5. d = n + dx + scale_exponent, clamped to [-127, 128] with comparisons that map NaN
//    to -127 (x NaN: p is NaN already). 2^d is built exactly by adding 0x1.8000FEp23f
//    (1.5*2^23 + 127) and shifting the bits left by 23: d = -127 gives +0 (so x = -inf
//    gives p * s * 0 = +0), d = 128 gives +inf (x = +inf gives +inf).
// 6. y = (p * scale_mantissa) * 2^d.
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
#include "twopass/microkernels.h"

namespace {

// exp(x) * s * 2^e, steps 1-6 above.
inline float ScaledExtExp(float x, float s, float e) {
  const float kBound = 0x1p23f;
  const float kLog2e = 0x1.715476p+0f;
  const float kMinusLn2Hi = -0x1.630000p-1f;
  const float kMinusLn2Mid = 0x1.BD0000p-13f;
  const float kMinusLn2Lo = 0x1.05C610p-29f;
  const float kC1 = 0x1.FFFFF6p-1f;
  const float kC2 = 0x1.FFFDC6p-2f;
  const float kC3 = 0x1.555A80p-3f;
  const float kC4 = 0x1.573A1Ap-5f;
  const float kC5 = 0x1.0F9F9Cp-7f;

  // Comparisons are false for NaN, so a NaN x passes through unchanged.
  float xc = x < -kBound ? -kBound : x;
  xc = xc > kBound ? kBound : xc;
  const float dx = x - xc;

  const float n = std::rint(xc * kLog2e);
  float t = n * kMinusLn2Hi + xc;  // exact
  t = n * kMinusLn2Mid + t;
  t = n * kMinusLn2Lo + t;

  float q = kC5 * t + kC4;
  q = q * t + kC3;
  q = q * t + kC2;
  q = q * t + kC1;
  const float p = q * t + 1.0f;

  float d = (n + dx) + e;
  d = d >= -127.0f ? d : -127.0f;  // NaN -> -127
  d = d <= 128.0f ? d : 128.0f;
  const float biased = d + 0x1.8000FEp23f;
  uint32_t bits;
  memcpy(&bits, &biased, sizeof(bits));
  bits <<= 23;
  float scale;
  memcpy(&scale, &bits, sizeof(scale));
  return (p * s) * scale;
}

}  // namespace

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
