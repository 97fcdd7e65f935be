// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleexpminusmax/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleexpminusmax_ukernel__scalar_p5_u4

// f32-vscaleexpminusmax, portable scalar: output[i] = exp(input[i] - ref) * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place). Intended for max = the row maximum. The terms
// are exp(input[i] - max) up to one factor C in about [2^-0.5, 2^0.5] common to the
// call and to every call with the same max: exp(input[i] - ref) with the reference
// point ref of twopass/expminusmax-ref.h (ref = k*ln2 near max, or max itself for
// |max| >= 2^14), which keeps the range reduction exact without TwoSum; C cancels in
// softmax. Each term is multiplied by scale (one more rounding) and stored; each is
// within a few ULP of exp(input[i] - ref) (relative error < 1e-6); terms below about
// 2^-126.5 (also input -inf) are exactly +0, those just above may be subnormal; the
// flushed terms stay +0 for finite scale; NaN in input, max or scale gives NaN;
// input = max = +inf gives NaN.
//
// The exp is ExpMinusMax() of twopass/expminusmax-scalar.h, which explains
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
  const twopass::ExpMinusMaxRef vref = twopass::GetExpMinusMaxRef(max);

  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    // All loads before the stores, so that in-place operation is safe.
    const float vx0 = input[0];
    const float vx1 = input[1];
    const float vx2 = input[2];
    const float vx3 = input[3];
    input += 4;

    output[0] = ExpMinusMax(vx0, vref) * scale;
    output[1] = ExpMinusMax(vx1, vref) * scale;
    output[2] = ExpMinusMax(vx2, vref) * scale;
    output[3] = ExpMinusMax(vx3, vref) * scale;
    output += 4;
  }
  for (; batch != 0; batch -= sizeof(float)) {
    *output++ = ExpMinusMax(*input++, vref) * scale;
  }
}
