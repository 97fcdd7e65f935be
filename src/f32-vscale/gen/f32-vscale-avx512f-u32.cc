// Auto-generated file. Do not edit!
//   Template: src/f32-vscale/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscale_ukernel__avx512f_u32

// f32-vscale, AVX512F: output[i] = input[i] * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place), other overlaps are not allowed; never
// touches memory outside the two rows (the last 1-15 elements use
// AVX512 k-masks). Every output is the IEEE product.
// 32 elements (2 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/microkernels.h"
#include "twopass/tail-mask-avx512f.h"

extern "C" void twopass_f32_vscale_ukernel__avx512f_u32(size_t batch, const float* input, float* output, float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(output != NULL);

  const __m512 vscale = _mm512_set1_ps(scale);
  for (; batch >= 32 * sizeof(float); batch -= 32 * sizeof(float)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m512 vx0 = _mm512_loadu_ps(input + 0);
    const __m512 vx1 = _mm512_loadu_ps(input + 16);
    input += 32;

    _mm512_storeu_ps(output + 0, _mm512_mul_ps(vx0, vscale));
    _mm512_storeu_ps(output + 16, _mm512_mul_ps(vx1, vscale));
    output += 32;
  }
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    _mm512_storeu_ps(output, _mm512_mul_ps(_mm512_loadu_ps(input), vscale));
    input += 16;
    output += 16;
  }
  if (batch != 0) {
    const __mmask16 vmask = TailMask(batch / sizeof(float));
    const __m512 vx = _mm512_maskz_loadu_ps(vmask, input);
    _mm512_mask_storeu_ps(output, vmask, _mm512_mul_ps(vx, vscale));
  }
}
