// Auto-generated file. Do not edit!
//   Template: src/f32-raddexpminusmax/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddexpminusmax_ukernel__scalar_p5_u4_acc2

// f32-raddexpminusmax, portable scalar: *sum = sum_i exp(input[i] - ref).
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed.
// Intended for max = the row maximum. The terms are exp(input[i] - max) up to one
// factor C in about [2^-0.5, 2^0.5] common to the call and to every call with the
// same max: exp(input[i] - ref) with the reference point ref of twopass/expminusmax-
// ref.h (ref = k*ln2 near max, or max itself for |max| >= 2^14), which keeps the
// range reduction exact without TwoSum; C cancels in softmax. Each term is summed;
// each is within a few ULP of exp(input[i] - ref) (relative error < 1e-6); terms
// below about 2^-126.5 (also input -inf) are exactly +0, those just above may be
// subnormal; NaN in input or max gives a NaN sum; input = max = +inf gives NaN.
//
// The exp is ExpMinusMax() of twopass/expminusmax-scalar.h, which explains
// the math and its constants step by step.

#include <assert.h>
#include <stddef.h>

#include "twopass/expminusmax-scalar.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_raddexpminusmax_ukernel__scalar_p5_u4_acc2(size_t batch, const float* input, float* sum, float max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(sum != NULL);
  const twopass::ExpMinusMaxRef vref = twopass::GetExpMinusMaxRef(max);

  double vacc0 = 0.0;
  double vacc1 = 0.0;
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const float vx0 = input[0];
    const float vx1 = input[1];
    const float vx2 = input[2];
    const float vx3 = input[3];
    input += 4;

    vacc0 += (double) ExpMinusMax(vx0, vref);
    vacc1 += (double) ExpMinusMax(vx1, vref);
    vacc0 += (double) ExpMinusMax(vx2, vref);
    vacc1 += (double) ExpMinusMax(vx3, vref);
  }
  for (; batch != 0; batch -= sizeof(float)) {
    vacc0 += (double) ExpMinusMax(*input++, vref);
  }
  vacc0 += vacc1;
  *sum = (float) vacc0;
}
