// Auto-generated file. Do not edit!
//   Template: src/f32-rmax/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_rmax_ukernel__avx2_u32_acc4

// f32-rmax, AVX2: *max = max_i input[i].
//
// Contract: batch > 0 bytes, a multiple of sizeof(float); no alignment needed;
// never reads outside [input, input + batch) (the last 1-7 elements use
// maskload). Special values: any NaN in the row gives a NaN result; a row of
// only -inf gives -inf. The sign of a zero maximum is unspecified.
// NaN tracking: vmaxps silently drops NaN (it returns the second operand when
// either is NaN), so each accumulator has a NaN mask updated with one
// unordered compare per vector: vnan = cmp(vnan, x, UNORD). The mask is all
// ones (a NaN bit pattern) once a NaN was seen and stays so.
// 32 elements (4 vectors) per main-loop iteration, 4 accumulators
// (vector i goes to accumulator i mod 4).

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/microkernels.h"

namespace {

// maskload/maskstore mask with the first n lanes active (0 < n < 8): the
// eight entries of {-1 x 7, 0 x 7} starting at 7 - n.
alignas(32) const int32_t kTailMask[14] = {-1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0};

inline __m256i tail_mask(size_t elements) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&kTailMask[7 - elements]));
}

}  // namespace

extern "C" void twopass_f32_rmax_ukernel__avx2_u32_acc4(size_t batch, const float* input, float* max) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != NULL);
  assert(max != NULL);

  __m256 vmax0 = _mm256_set1_ps(-INFINITY);
  __m256 vnan0 = _mm256_setzero_ps();
  __m256 vmax1 = _mm256_set1_ps(-INFINITY);
  __m256 vnan1 = _mm256_setzero_ps();
  __m256 vmax2 = _mm256_set1_ps(-INFINITY);
  __m256 vnan2 = _mm256_setzero_ps();
  __m256 vmax3 = _mm256_set1_ps(-INFINITY);
  __m256 vnan3 = _mm256_setzero_ps();
  for (; batch >= 32 * sizeof(float); batch -= 32 * sizeof(float)) {
    const __m256 vx0 = _mm256_loadu_ps(input + 0);
    const __m256 vx1 = _mm256_loadu_ps(input + 8);
    const __m256 vx2 = _mm256_loadu_ps(input + 16);
    const __m256 vx3 = _mm256_loadu_ps(input + 24);
    input += 32;

    vmax0 = _mm256_max_ps(vmax0, vx0);
    vmax1 = _mm256_max_ps(vmax1, vx1);
    vmax2 = _mm256_max_ps(vmax2, vx2);
    vmax3 = _mm256_max_ps(vmax3, vx3);
    vnan0 = _mm256_cmp_ps(vnan0, vx0, _CMP_UNORD_Q);
    vnan1 = _mm256_cmp_ps(vnan1, vx1, _CMP_UNORD_Q);
    vnan2 = _mm256_cmp_ps(vnan2, vx2, _CMP_UNORD_Q);
    vnan3 = _mm256_cmp_ps(vnan3, vx3, _CMP_UNORD_Q);
  }
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    const __m256 vx = _mm256_loadu_ps(input);
    input += 8;
    vmax0 = _mm256_max_ps(vmax0, vx);
    vnan0 = _mm256_cmp_ps(vnan0, vx, _CMP_UNORD_Q);
  }
  if (batch != 0) {
    // Inactive lanes load as +0, which must not win: replace them by -inf.
    const __m256i vmask = tail_mask(batch / sizeof(float));
    const __m256 vx = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(input, vmask),
                                       _mm256_castsi256_ps(vmask));
    vmax0 = _mm256_max_ps(vmax0, vx);
    vnan0 = _mm256_cmp_ps(vnan0, vx, _CMP_UNORD_Q);
  }
  vmax0 = _mm256_max_ps(vmax0, vmax1);
  vnan0 = _mm256_or_ps(vnan0, vnan1);
  vmax0 = _mm256_max_ps(vmax0, vmax2);
  vnan0 = _mm256_or_ps(vnan0, vnan2);
  vmax0 = _mm256_max_ps(vmax0, vmax3);
  vnan0 = _mm256_or_ps(vnan0, vnan3);
  __m128 vmax = _mm_max_ps(_mm256_castps256_ps128(vmax0), _mm256_extractf128_ps(vmax0, 1));
  vmax = _mm_max_ps(vmax, _mm_movehl_ps(vmax, vmax));
  vmax = _mm_max_ss(vmax, _mm_movehdup_ps(vmax));
  *max = _mm256_movemask_ps(vnan0) != 0 ? NAN : _mm_cvtss_f32(vmax);
}
