// Auto-generated file. Do not edit!
//   Template: src/f32-softmaxrow/scalar.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_softmaxrow_ukernel__scalar_c512_p5_u4_acc2_r1

// f32-softmaxrow, scalar: the three-pass-reload softmax of rows of at most 512 floats,
// one at a time (contract: f32-softmaxrow.inc). The exp values wait in a stack buffer; the
// max, the terms, their sum (2 double accumulators over 4-element steps, then the
// rest into the first) and the scaling repeat f32-rmax, f32-raddstoreexpminusmax
// (scalar_p5_u4_acc2), MergeSums and f32-vscale bit for bit.

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "twopass/expminusmax-scalar.h"
#include "twopass/microkernels.h"

namespace {

// One row of n floats.
void Row(size_t n, const float* input, float* output, float* max_scale) {
  float max = input[0];
  bool nan = false;
  for (size_t i = 0; i < n; i++) {
    nan |= input[i] != input[i];
    max = input[i] > max ? input[i] : max;
  }
  max_scale[0] = nan ? NAN : max;
  if (nan || !isfinite(max)) return;

  const twopass::ExpMinusMaxRef vref = twopass::GetExpMinusMaxRef(max);
  float f[512];
  double vacc0 = 0.0;
  double vacc1 = 0.0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    f[i + 0] = ExpMinusMax(input[i + 0], vref);
    f[i + 1] = ExpMinusMax(input[i + 1], vref);
    f[i + 2] = ExpMinusMax(input[i + 2], vref);
    f[i + 3] = ExpMinusMax(input[i + 3], vref);
    vacc0 += (double) f[i + 0];
    vacc1 += (double) f[i + 1];
    vacc0 += (double) f[i + 2];
    vacc1 += (double) f[i + 3];
  }
  for (; i < n; i++) {
    f[i] = ExpMinusMax(input[i], vref);
    vacc0 += (double) f[i];
  }
  vacc0 += vacc1;
  const float sum = (float) vacc0;
  const float inv_sum = static_cast<float>(1.0 / static_cast<double>(sum));
  max_scale[1] = inv_sum;
  for (i = 0; i < n; i++) output[i] = f[i] * inv_sum;
}

}  // namespace

extern "C" void twopass_f32_softmaxrow_ukernel__scalar_c512_p5_u4_acc2_r1(size_t rows, size_t batch, const float* input, size_t input_stride,
                           float* output, size_t output_stride, float* max_scale) {
  assert(rows != 0);
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(batch <= 512 * sizeof(float));
  assert(input != NULL);
  assert(output != NULL);
  assert(max_scale != NULL);
  for (; rows != 0; rows--) {
    Row(batch / sizeof(float), input, output, max_scale);
    input = reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(input) + input_stride);
    output = reinterpret_cast<float*>(reinterpret_cast<uintptr_t>(output) + output_stride);
    max_scale += 2;
  }
}
