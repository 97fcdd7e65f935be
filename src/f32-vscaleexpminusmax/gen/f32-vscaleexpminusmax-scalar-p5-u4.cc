// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleexpminusmax/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleexpminusmax_ukernel__scalar_p5_u4

// f32-vscaleexpminusmax, portable scalar: output[i] = exp(input[i] - max) * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place). Intended for max = the row maximum, so z =
// input[i] - max <= 0 (rounded to float, it decides the flush; the exp is of
// the exact difference). exp(z) is within a few ULP when exp(z) >= FLT_MIN and
// is then multiplied by scale (one more rounding); z below ln(FLT_MIN) (also z
// = -inf from input -inf) gives exactly +0 (for finite scale); NaN in input,
// max or scale gives NaN; input = max = +inf gives NaN. 4 elements per
// main-loop iteration.
//
// exp(z) is exp_minus_max() of twopass/expminusmax-scalar.h, which explains
// the math and its constants step by step.

#include <assert.h>
#include <stddef.h>

#include "twopass/expminusmax-scalar.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f32_vscaleexpminusmax_ukernel__scalar_p5_u4(size_t batch, const float* input, float* output, float max,
                           float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(output != NULL);

  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    // All loads before the stores, so that in-place operation is safe.
    const float vx0 = input[0];
    const float vx1 = input[1];
    const float vx2 = input[2];
    const float vx3 = input[3];
    input += 4;

    output[0] = exp_minus_max(vx0, max) * scale;
    output[1] = exp_minus_max(vx1, max) * scale;
    output[2] = exp_minus_max(vx2, max) * scale;
    output[3] = exp_minus_max(vx3, max) * scale;
    output += 4;
  }
  for (; batch != 0; batch -= sizeof(float)) {
    *output++ = exp_minus_max(*input++, max) * scale;
  }
}
