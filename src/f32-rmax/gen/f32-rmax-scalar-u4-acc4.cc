// Auto-generated file. Do not edit!
//   Template: src/f32-rmax/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_rmax_ukernel__scalar_u4_acc4

// f32-rmax, portable scalar: *max = max_i input[i].
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed.
// Special values: any NaN in the row gives a NaN result (a plain comparison
// would silently skip it, so NaN is tracked in a separate flag); a row of only
// -inf gives -inf; +inf gives +inf. The sign of a zero maximum is unspecified.
// 4 independent maxima (element i goes to accumulator i mod 4) break the
// dependency chain; 4 elements per main-loop iteration.

#include <assert.h>
#include <math.h>
#include <stddef.h>

#include "twopass/microkernels.h"

extern "C" void twopass_f32_rmax_ukernel__scalar_u4_acc4(size_t batch, const float* input, float* max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(max != NULL);

  float vmax0 = -INFINITY;
  float vmax1 = -INFINITY;
  float vmax2 = -INFINITY;
  float vmax3 = -INFINITY;
  // Non-zero once a NaN was seen: x != x is true only for NaN.
  int vnan = 0;
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const float vx0 = input[0];
    const float vx1 = input[1];
    const float vx2 = input[2];
    const float vx3 = input[3];
    input += 4;

    vmax0 = vx0 > vmax0 ? vx0 : vmax0;
    vmax1 = vx1 > vmax1 ? vx1 : vmax1;
    vmax2 = vx2 > vmax2 ? vx2 : vmax2;
    vmax3 = vx3 > vmax3 ? vx3 : vmax3;
    vnan |= vx0 != vx0;
    vnan |= vx1 != vx1;
    vnan |= vx2 != vx2;
    vnan |= vx3 != vx3;
  }
  for (; batch != 0; batch -= sizeof(float)) {
    const float vx = *input++;
    vmax0 = vx > vmax0 ? vx : vmax0;
    vnan |= vx != vx;
  }
  vmax0 = vmax1 > vmax0 ? vmax1 : vmax0;
  vmax0 = vmax2 > vmax0 ? vmax2 : vmax0;
  vmax0 = vmax3 > vmax0 ? vmax3 : vmax0;
  *max = vnan ? NAN : vmax0;
}
