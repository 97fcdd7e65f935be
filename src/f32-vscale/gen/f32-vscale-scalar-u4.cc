// Auto-generated file. Do not edit!
//   Template: src/f32-vscale/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscale_ukernel__scalar_u4

// f32-vscale, portable scalar: output[i] = input[i] * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place), other overlaps are not allowed. Every
// output is the correctly rounded IEEE product (NaN and inf as IEEE says).
// 4 elements per main-loop iteration.

#include <assert.h>
#include <stddef.h>

#include "twopass/microkernels.h"

extern "C" void twopass_f32_vscale_ukernel__scalar_u4(size_t batch, const float* input, float* output, float scale) {
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

    output[0] = vx0 * scale;
    output[1] = vx1 * scale;
    output[2] = vx2 * scale;
    output[3] = vx3 * scale;
    output += 4;
  }
  for (; batch != 0; batch -= sizeof(float)) {
    *output++ = *input++ * scale;
  }
}
