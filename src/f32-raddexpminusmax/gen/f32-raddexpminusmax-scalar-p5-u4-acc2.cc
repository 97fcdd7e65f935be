// Auto-generated file. Do not edit!
//   Template: src/f32-raddexpminusmax/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_raddexpminusmax_ukernel__scalar_p5_u4_acc2

// f32-raddexpminusmax, portable scalar: *sum = sum_i exp(input[i] - max).
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed.
// Intended for max = the row maximum, so z = input[i] - max <= 0 (rounded to
// float, it decides the flush; the exp is of the exact difference). Each term
// is within a few ULP of exp(z) when exp(z) >= FLT_MIN; z below ln(FLT_MIN)
// (also z = -inf from input -inf) contributes exactly 0; NaN in input or max
// gives a NaN sum; input = max = +inf gives NaN. The sum is accumulated in
// double in 2 accumulators (element i goes to accumulator i mod 2)
// and rounded once, so it stays within ~1e-7 relative however long the row.
// 4 elements per main-loop iteration.
//
// exp(z) is exp_minus_max() of twopass/expminusmax-scalar.h, which explains
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

  double vacc0 = 0.0;
  double vacc1 = 0.0;
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const float vx0 = input[0];
    const float vx1 = input[1];
    const float vx2 = input[2];
    const float vx3 = input[3];
    input += 4;

    vacc0 += (double) exp_minus_max(vx0, max);
    vacc1 += (double) exp_minus_max(vx1, max);
    vacc0 += (double) exp_minus_max(vx2, max);
    vacc1 += (double) exp_minus_max(vx3, max);
  }
  for (; batch != 0; batch -= sizeof(float)) {
    vacc0 += (double) exp_minus_max(*input++, max);
  }
  vacc0 += vacc1;
  *sum = (float) vacc0;
}
