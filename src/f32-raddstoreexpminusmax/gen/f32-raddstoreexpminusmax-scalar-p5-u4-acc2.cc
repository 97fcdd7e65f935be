// Auto-generated file. Do not edit!
//   Template: src/f32-raddstoreexpminusmax/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddstoreexpminusmax_ukernel__scalar_p5_u4_acc2

// f32-raddstoreexpminusmax, portable scalar:
//   output[i] = exp(input[i] - ref), *sum = sum_i output[i].
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place). Intended for max[0] = the row maximum. The terms
// are exp(input[i] - max[0]) up to one factor C in about [2^-0.5, 2^0.5] common to the
// call and to every call with the same max: exp(input[i] - ref) with the reference
// point ref of twopass/expminusmax-ref.h (ref = k*ln2 near max, or max itself for
// |max| >= 2^14), which keeps the range reduction exact without TwoSum; C cancels in
// softmax. Each term is stored and summed; each is within a few ULP of exp(input[i]
// - ref) (relative error < 1e-6); terms below about 2^-126.5 (also input -inf) are
// exactly +0, those just above may be subnormal; NaN in input or max[0] gives NaN
// outputs and a NaN sum; input = max[0] = +inf gives NaN. The sum is accumulated in
// double in 2 accumulators (element i goes to accumulator i mod 2) and
// rounded once, so it stays within ~1e-7 relative however long the row. 4
// elements per main-loop iteration.
//
// max points to two floats: max[0] the max, max[1] an upper clamp of the inputs, +inf for
// none (then no input may exceed the max). max[0] may lie below the row maximum (an
// estimate from a sample of the row, twopass/expminusmax-ref.h "Above max") when max[1]
// is GetExpMinusMaxRef(max[0]).upper, about max[0] + 43: inputs up to it get their terms
// (up to 2^62), larger ones, +inf included, the term there (~2^62), so a sum at or above
// 2^61 says the estimate was low. Without a clamp the loops skip the min (identical bits).
//
// The exp is ExpMinusMax() of twopass/expminusmax-scalar.h, which explains
// the math and its constants step by step.

#include <assert.h>
#include <stddef.h>

#include "twopass/expminusmax-scalar.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_raddstoreexpminusmax_ukernel__scalar_p5_u4_acc2(size_t batch, const float* input, const float* max, float* output,
                           float* sum) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(max != NULL);
  assert(output != NULL);
  assert(sum != NULL);

  const twopass::ExpMinusMaxRef vref = twopass::GetExpMinusMaxRef(max[0]);
  const float vupper = max[1];
  double vacc0 = 0.0;
  double vacc1 = 0.0;
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const float vx0 = input[0];
    const float vx1 = input[1];
    const float vx2 = input[2];
    const float vx3 = input[3];
    input += 4;

    const float vf0 = ExpMinusMax(ClampAboveMax(vx0, vupper), vref);
    const float vf1 = ExpMinusMax(ClampAboveMax(vx1, vupper), vref);
    const float vf2 = ExpMinusMax(ClampAboveMax(vx2, vupper), vref);
    const float vf3 = ExpMinusMax(ClampAboveMax(vx3, vupper), vref);

    output[0] = vf0;
    output[1] = vf1;
    output[2] = vf2;
    output[3] = vf3;
    output += 4;

    vacc0 += (double) vf0;
    vacc1 += (double) vf1;
    vacc0 += (double) vf2;
    vacc1 += (double) vf3;
  }
  for (; batch != 0; batch -= sizeof(float)) {
    const float vf = ExpMinusMax(ClampAboveMax(*input++, vupper), vref);
    *output++ = vf;
    vacc0 += (double) vf;
  }
  vacc0 += vacc1;
  *sum = (float) vacc0;
}
