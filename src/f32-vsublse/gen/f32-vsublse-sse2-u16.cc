// Auto-generated file. Do not edit!
//   Template: src/f32-vsublse/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vsublse_ukernel__sse2_u16

// f32-vsublse, SSE2: pass 2 of log-softmax, output[i] = (input[i] - lse_hi) - lse_lo.
//
// lse_hi + lse_lo is the row's log-sum-exp as an unevaluated float pair: x - lse_hi
// is exact where the result is small (Sterbenz), then lse_lo is subtracted.
// Contract (tested by test/f32-vsublse.cc): batch > 0 bytes, a multiple of
// sizeof(float); no alignment needed; output may equal input (in place), other
// overlaps are not allowed; reads and writes nothing outside the two rows (the last
// 1-3 elements go through a small buffer). Every output is the two IEEE subtractions.
// 16 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <emmintrin.h>

#include "twopass/microkernels.h"

namespace {

inline __m128 SubLse(__m128 vx, __m128 vhi, __m128 vlo) {
  return _mm_sub_ps(_mm_sub_ps(vx, vhi), vlo);
}

}  // namespace

extern "C" void twopass_f32_vsublse_ukernel__sse2_u16(
    size_t batch, const float* input, float* output, float lse_hi, float lse_lo) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m128 vhi = _mm_set1_ps(lse_hi);
  const __m128 vlo = _mm_set1_ps(lse_lo);
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m128 vx0 = _mm_loadu_ps(input + 0);
    const __m128 vx1 = _mm_loadu_ps(input + 4);
    const __m128 vx2 = _mm_loadu_ps(input + 8);
    const __m128 vx3 = _mm_loadu_ps(input + 12);
    input += 16;

    _mm_storeu_ps(output + 0, SubLse(vx0, vhi, vlo));
    _mm_storeu_ps(output + 4, SubLse(vx1, vhi, vlo));
    _mm_storeu_ps(output + 8, SubLse(vx2, vhi, vlo));
    _mm_storeu_ps(output + 12, SubLse(vx3, vhi, vlo));
    output += 16;
  }
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const __m128 vx = _mm_loadu_ps(input);
    input += 4;
    _mm_storeu_ps(output, SubLse(vx, vhi, vlo));
    output += 4;
  }
  if (batch != 0) {
    // 1-3 elements through a buffer.
    float buffer[4] = {0, 0, 0, 0};
    memcpy(buffer, input, batch);
    _mm_storeu_ps(buffer, SubLse(_mm_loadu_ps(buffer), vhi, vlo));
    memcpy(output, buffer, batch);
  }
}
