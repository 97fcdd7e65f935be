// Auto-generated file. Do not edit!
//   Template: src/f16-raddextexp/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_raddextexp_ukernel__scalar_p5_u8_acc8

// Pass 1 of the Two-Pass softmax on IEEE half-precision input, portable scalar C++
// (no intrinsics, no FMA); all arithmetic in f32.
//
// sum[0] * 2^sum[1] = sum_i exp(input[i]), computed in the extended-exponent
// representation exp(x) = p * 2^n so that no finite input can overflow.
//
// Contract (tested on every ISA by test/f16-raddextexp.cc):
// - Finite inputs only (any magnitude, ±FLT_MAX and denormals included): sum[0] is
//   finite and > 0, sum[1] is finite and integer-valued. For |x| <= 1e4 and rows of
//   up to 4096 elements sum[0] * 2^sum[1] is within 1e-6 relative of the exact sum.
// - x = -inf, and finite x whose term vanishes next to the others (-1e9, -FLT_MAX
//   next to 0), contribute exactly 0, never NaN. A row of only -inf gives
//   sum[0] == 0 exactly (sum[1] is then unspecified but not NaN).
// - Any NaN and no +inf: sum[0] is NaN.
// - Any +inf: sum[1] == +inf (sum[0] unspecified; the operator handles such rows).
// - Reads exactly [input, input + batch); no alignment requirement.
//
// Half-precision input (this file is generated from the f32 template with FAMILY
// f16-raddextexp): batch counts bytes, 2 per element. Each element is widened to
// f32 exactly with the FP16 library (fp16_ieee_to_fp32_value), then the f32 math
// below runs unchanged; sums are never kept in half precision. |x| <= 65504 < B
// for finite halves, so step 1 only acts on ±inf.
//
// Math per element x: docs/exp-math.md (steps 1-4, the same on every ISA up to the
// differences listed there), with the helpers of twopass/extexp-scalar.h and the
// constants of twopass/exp-constants.h. In short: x_c = min(max(x, -B), B), B = 2^23,
// with comparisons that keep a NaN x NaN; dx = x - x_c; n = rint(x_c * log2e) (nearest
// even, exact for every magnitude); t = x_c - n*ln2 with the three-constant Cody-Waite
// split (no FMA here; products exact for |n| < 2^15); p = p(t), the degree-5
// polynomial, in about [0.707, 1.414] (finite unless x is NaN); n_eff = n + dx (±inf
// for ±inf, NaN for NaN).
//
// Accumulation, per accumulator, state (a = 0, E = -inf):
//   M = max(n_eff, E), written so that a NaN n_eff yields E (E is never NaN);
//   a = a * 2^(E - M) + p * 2^(n_eff - M); E = M.
// Scale exponents d are <= 0 or NaN (-inf - -inf, +inf - +inf, NaN - M). They are
// clamped with d = (d >= -127 ? d : -127), which also maps NaN to -127, and 2^d is
// built exactly (Exp2Clamped): d + kExp2Magic (= 1.5*2^23 + 127) holds 127 + d in its
// low mantissa bits; shifting the bits left by 23 moves them into the exponent field,
// giving 2^d for d in [-126, 0] and +0 for d = -127. So a -inf (or a vanishing) term
// adds p * 0 = 0, a NaN term adds NaN * 0 = NaN, and +inf makes E = +inf.
// 8 elements per iteration; element i goes to accumulator i % 8. Several
// accumulators shorten the dependency chains and keep the rounding error of long
// rows small (with 4 accumulators 4096-element rows came within 15% of the 1e-6
// bound; 8 leave a factor 3). The maximum over an accumulator's elements of one
// iteration is taken first (delayed maximum), so the accumulator is rescaled once.
// The remainder (batch not a multiple of 8 elements) goes element by element into
// accumulator 0. Accumulators are merged by the same rule; sum[0] = a, sum[1] = E.
//
// Accumulation error, worst case (attained by rows of equal values, whose terms all
// round the same way; tested by EqualValues): each float accumulator takes
// 1 terms per block and is flushed into a double accumulator every
// 8 blocks, and before the remainder (at most 8 more terms), so it
// never holds more than T = 8 terms. Terms are >= 0, so the float sum of T terms is
// within (T - 1) * 2^-24 = 4.2e-7 relative, at any row length (without the flush,
// 4096 equal terms over 16 lanes gave 1.8e-6). The double sums add at most N *
// 2^-53 (1e-9 at N = 2^23), scaling by 2^(E - M) is exact, and the result is rounded
// to float once (3e-8). With exp's own error (<= 3 ULP of p >= 0.7: 2.5e-7) the sum is
// within 7e-7 of exact; in softmax the exp error of equal terms cancels.
// Cost: one Flush per accumulator every 8 blocks (see the table).
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4): see test/exp-ulp-sweep.cc; measured
// on 2026-11-24 over the strided sweep: scalar max 2.16 ULP (bound asserted: 4).

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <cmath>

#include <fp16.h>

#include "twopass/half-io.h"
#include "twopass/exp-constants.h"
#include "twopass/extexp-scalar.h"
#include "twopass/microkernels.h"

namespace {

// Adds the float accumulator (*acc, at exponent e) into the double one (*dacc, at
// exponent *de) and clears it. Exponents never decrease, so *de <= e: the double part
// is first scaled down to e (exactly; below 2^-127 it drops, as the float merges do).
inline void Flush(float* acc, float e, double* dacc, float* de) {
  if (*de != e) {
    *dacc *= static_cast<double>(Exp2Clamped(*de - e));
    *de = e;
  }
  *dacc += static_cast<double>(*acc);
  *acc = 0.0f;
}

}  // namespace

extern "C" void twopass_f16_raddextexp_ukernel__scalar_p5_u8_acc8(size_t batch, const void* input_data, float sum[2]) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(sum != nullptr);

  float vacc0 = 0.0f;
  float vexp0 = -INFINITY;
  double vdacc0 = 0.0;
  float vdexp0 = -INFINITY;
  float vacc1 = 0.0f;
  float vexp1 = -INFINITY;
  double vdacc1 = 0.0;
  float vdexp1 = -INFINITY;
  float vacc2 = 0.0f;
  float vexp2 = -INFINITY;
  double vdacc2 = 0.0;
  float vdexp2 = -INFINITY;
  float vacc3 = 0.0f;
  float vexp3 = -INFINITY;
  double vdacc3 = 0.0;
  float vdexp3 = -INFINITY;
  float vacc4 = 0.0f;
  float vexp4 = -INFINITY;
  double vdacc4 = 0.0;
  float vdexp4 = -INFINITY;
  float vacc5 = 0.0f;
  float vexp5 = -INFINITY;
  double vdacc5 = 0.0;
  float vdexp5 = -INFINITY;
  float vacc6 = 0.0f;
  float vexp6 = -INFINITY;
  double vdacc6 = 0.0;
  float vdexp6 = -INFINITY;
  float vacc7 = 0.0f;
  float vexp7 = -INFINITY;
  double vdacc7 = 0.0;
  float vdexp7 = -INFINITY;
  // Blocks since the float accumulators were last flushed into the double ones: each
  // takes 1 terms per block, at most 8 between flushes.
  size_t pending = 0;
  for (; batch >= 8 * sizeof(uint16_t); batch -= 8 * sizeof(uint16_t)) {
    if (pending == 8) {
      Flush(&vacc0, vexp0, &vdacc0, &vdexp0);
      Flush(&vacc1, vexp1, &vdacc1, &vdexp1);
      Flush(&vacc2, vexp2, &vdacc2, &vdexp2);
      Flush(&vacc3, vexp3, &vdacc3, &vdexp3);
      Flush(&vacc4, vexp4, &vdacc4, &vdexp4);
      Flush(&vacc5, vexp5, &vdacc5, &vdexp5);
      Flush(&vacc6, vexp6, &vdacc6, &vdexp6);
      Flush(&vacc7, vexp7, &vdacc7, &vdexp7);
      pending = 0;
    }
    pending++;
    float vp0, vn0;
    ExtExp(twopass::LoadHalf(input + 0), &vp0, &vn0);
    float vp1, vn1;
    ExtExp(twopass::LoadHalf(input + 1), &vp1, &vn1);
    float vp2, vn2;
    ExtExp(twopass::LoadHalf(input + 2), &vp2, &vn2);
    float vp3, vn3;
    ExtExp(twopass::LoadHalf(input + 3), &vp3, &vn3);
    float vp4, vn4;
    ExtExp(twopass::LoadHalf(input + 4), &vp4, &vn4);
    float vp5, vn5;
    ExtExp(twopass::LoadHalf(input + 5), &vp5, &vn5);
    float vp6, vn6;
    ExtExp(twopass::LoadHalf(input + 6), &vp6, &vn6);
    float vp7, vn7;
    ExtExp(twopass::LoadHalf(input + 7), &vp7, &vn7);
    input += 8;

    // Delayed maximum: one new exponent per accumulator for this iteration.
    float vmax0 = vexp0;
    vmax0 = ExtExpMax(vn0, vmax0);
    float vmax1 = vexp1;
    vmax1 = ExtExpMax(vn1, vmax1);
    float vmax2 = vexp2;
    vmax2 = ExtExpMax(vn2, vmax2);
    float vmax3 = vexp3;
    vmax3 = ExtExpMax(vn3, vmax3);
    float vmax4 = vexp4;
    vmax4 = ExtExpMax(vn4, vmax4);
    float vmax5 = vexp5;
    vmax5 = ExtExpMax(vn5, vmax5);
    float vmax6 = vexp6;
    vmax6 = ExtExpMax(vn6, vmax6);
    float vmax7 = vexp7;
    vmax7 = ExtExpMax(vn7, vmax7);

    vacc0 = ExtExpRescale(vacc0, vexp0, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp0, vn0, vmax0);
    vexp0 = vmax0;
    vacc1 = ExtExpRescale(vacc1, vexp1, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp1, vn1, vmax1);
    vexp1 = vmax1;
    vacc2 = ExtExpRescale(vacc2, vexp2, vmax2);
    vacc2 = ExtExpAddTerm(vacc2, vp2, vn2, vmax2);
    vexp2 = vmax2;
    vacc3 = ExtExpRescale(vacc3, vexp3, vmax3);
    vacc3 = ExtExpAddTerm(vacc3, vp3, vn3, vmax3);
    vexp3 = vmax3;
    vacc4 = ExtExpRescale(vacc4, vexp4, vmax4);
    vacc4 = ExtExpAddTerm(vacc4, vp4, vn4, vmax4);
    vexp4 = vmax4;
    vacc5 = ExtExpRescale(vacc5, vexp5, vmax5);
    vacc5 = ExtExpAddTerm(vacc5, vp5, vn5, vmax5);
    vexp5 = vmax5;
    vacc6 = ExtExpRescale(vacc6, vexp6, vmax6);
    vacc6 = ExtExpAddTerm(vacc6, vp6, vn6, vmax6);
    vexp6 = vmax6;
    vacc7 = ExtExpRescale(vacc7, vexp7, vmax7);
    vacc7 = ExtExpAddTerm(vacc7, vp7, vn7, vmax7);
    vexp7 = vmax7;
  }
  // At most 7 remaining elements into accumulator 0: <= 8 terms.
  Flush(&vacc0, vexp0, &vdacc0, &vdexp0);
  for (; batch != 0; batch -= sizeof(uint16_t)) {
    float vp, vn;
    ExtExp(twopass::LoadHalf(input++), &vp, &vn);
    ExtExpMerge(&vacc0, &vexp0, vp, vn);
  }

  // Flush, then merge the accumulators in double: M = max of the exponents,
  // sum = sum_k d_k * 2^(E_k - M), rounded to float once.
  Flush(&vacc0, vexp0, &vdacc0, &vdexp0);
  Flush(&vacc1, vexp1, &vdacc1, &vdexp1);
  Flush(&vacc2, vexp2, &vdacc2, &vdexp2);
  Flush(&vacc3, vexp3, &vdacc3, &vdexp3);
  Flush(&vacc4, vexp4, &vdacc4, &vdexp4);
  Flush(&vacc5, vexp5, &vdacc5, &vdexp5);
  Flush(&vacc6, vexp6, &vdacc6, &vdexp6);
  Flush(&vacc7, vexp7, &vdacc7, &vdexp7);
  float vmax = vexp0;
  vmax = vexp1 > vmax ? vexp1 : vmax;
  vmax = vexp2 > vmax ? vexp2 : vmax;
  vmax = vexp3 > vmax ? vexp3 : vmax;
  vmax = vexp4 > vmax ? vexp4 : vmax;
  vmax = vexp5 > vmax ? vexp5 : vmax;
  vmax = vexp6 > vmax ? vexp6 : vmax;
  vmax = vexp7 > vmax ? vexp7 : vmax;
  double vsum = 0.0;
  vsum += vdacc0 * static_cast<double>(Exp2Clamped(vexp0 - vmax));
  vsum += vdacc1 * static_cast<double>(Exp2Clamped(vexp1 - vmax));
  vsum += vdacc2 * static_cast<double>(Exp2Clamped(vexp2 - vmax));
  vsum += vdacc3 * static_cast<double>(Exp2Clamped(vexp3 - vmax));
  vsum += vdacc4 * static_cast<double>(Exp2Clamped(vexp4 - vmax));
  vsum += vdacc5 * static_cast<double>(Exp2Clamped(vexp5 - vmax));
  vsum += vdacc6 * static_cast<double>(Exp2Clamped(vexp6 - vmax));
  vsum += vdacc7 * static_cast<double>(Exp2Clamped(vexp7 - vmax));
  sum[0] = static_cast<float>(vsum);
  sum[1] = vmax;
}
