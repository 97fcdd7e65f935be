// Auto-generated file. Do not edit!
//   Template: src/f32-vscale/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscale_ukernel__sse2_u8

// f32-vscale, SSE2: output[i] = input[i] * scale.
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// output may equal input (in place), other overlaps are not allowed; never
// touches memory outside the two rows. Every output is the IEEE product.
// 8 elements (2 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>

#include <emmintrin.h>

#include "twopass/microkernels.h"

extern "C" void twopass_f32_vscale_ukernel__sse2_u8(size_t batch, const float* input, float* output, float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(output != NULL);

  const __m128 vscale = _mm_set1_ps(scale);
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m128 vx0 = _mm_loadu_ps(input + 0);
    const __m128 vx1 = _mm_loadu_ps(input + 4);
    input += 8;

    _mm_storeu_ps(output + 0, _mm_mul_ps(vx0, vscale));
    _mm_storeu_ps(output + 4, _mm_mul_ps(vx1, vscale));
    output += 8;
  }
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    _mm_storeu_ps(output, _mm_mul_ps(_mm_loadu_ps(input), vscale));
    input += 4;
    output += 4;
  }
  if (batch != 0) {
    // 1-3 elements: 2 with movlps, then 1 with movss; never past the row.
    if (batch & (2 * sizeof(float))) {
      const __m128 vx = _mm_loadl_pi(_mm_setzero_ps(), reinterpret_cast<const __m64*>(input));
      _mm_storel_pi(reinterpret_cast<__m64*>(output), _mm_mul_ps(vx, vscale));
      input += 2;
      output += 2;
    }
    if (batch & sizeof(float)) {
      _mm_store_ss(output, _mm_mul_ss(_mm_load_ss(input), vscale));
    }
  }
}
