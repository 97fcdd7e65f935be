// Auto-generated file. Do not edit!
//   Template: src/f32-rmax/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_rmax_ukernel__sse2_u8_acc2

// f32-rmax, SSE2: *max = max_i input[i].
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// never reads outside [input, input + batch). Special values: any NaN in the
// row gives a NaN result; a row of only -inf gives -inf. The sign of a zero
// maximum is unspecified.
// NaN tracking: maxps silently drops NaN (it returns the second operand when
// either is NaN), so each accumulator has a NaN mask updated with one
// cmpunordps per vector: vnan = cmpunord(vnan, x). The mask is all ones (a
// NaN bit pattern) once a NaN was seen and stays so (unordered with itself).
// 8 elements (2 vectors) per main-loop iteration, 2 accumulators
// (vector i goes to accumulator i mod 2).

#include <assert.h>
#include <math.h>
#include <stddef.h>

#include <emmintrin.h>

#include "twopass/microkernels.h"

extern "C" void twopass_f32_rmax_ukernel__sse2_u8_acc2(size_t batch, const float* input, float* max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(max != NULL);

  __m128 vmax0 = _mm_set1_ps(-INFINITY);
  __m128 vnan0 = _mm_setzero_ps();
  __m128 vmax1 = _mm_set1_ps(-INFINITY);
  __m128 vnan1 = _mm_setzero_ps();
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    const __m128 vx0 = _mm_loadu_ps(input + 0);
    const __m128 vx1 = _mm_loadu_ps(input + 4);
    input += 8;

    vmax0 = _mm_max_ps(vmax0, vx0);
    vnan0 = _mm_cmpunord_ps(vnan0, vx0);
    vmax1 = _mm_max_ps(vmax1, vx1);
    vnan1 = _mm_cmpunord_ps(vnan1, vx1);
  }
  for (; batch >= 4 * sizeof(float); batch -= 4 * sizeof(float)) {
    const __m128 vx = _mm_loadu_ps(input);
    input += 4;
    vmax0 = _mm_max_ps(vmax0, vx);
    vnan0 = _mm_cmpunord_ps(vnan0, vx);
  }
  // 1-3 remaining elements, one at a time into lane 0 (the _ss forms keep the
  // other lanes).
  for (; batch != 0; batch -= sizeof(float)) {
    const __m128 vx = _mm_load_ss(input);
    input += 1;
    vmax0 = _mm_max_ss(vmax0, vx);
    vnan0 = _mm_cmpunord_ss(vnan0, vx);
  }
  vmax0 = _mm_max_ps(vmax0, vmax1);
  vnan0 = _mm_or_ps(vnan0, vnan1);
  vmax0 = _mm_max_ps(vmax0, _mm_movehl_ps(vmax0, vmax0));
  vmax0 = _mm_max_ss(vmax0, _mm_shuffle_ps(vmax0, vmax0, _MM_SHUFFLE(1, 1, 1, 1)));
  *max = _mm_movemask_ps(vnan0) != 0 ? NAN : _mm_cvtss_f32(vmax0);
}
