// Auto-generated file. Do not edit!
//   Template: src/f32-vsublse/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vsublse_ukernel__avx2_u64

// f32-vsublse, AVX2: pass 2 of log-softmax, output[i] = (input[i] - lse_hi) - lse_lo;
// the last 1-7 elements use vmaskmovps loads and stores.
//
// lse_hi + lse_lo is the row's log-sum-exp as an unevaluated float pair: x - lse_hi
// is exact where the result is small (Sterbenz), then lse_lo is subtracted.
// Contract (tested by test/f32-vsublse.cc): batch > 0 bytes, a multiple of
// sizeof(float); no alignment needed; output may equal input (in place), other
// overlaps are not allowed; reads and writes nothing outside the two rows. Every output
// is the two IEEE subtractions.
// 64 elements (8 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/microkernels.h"

namespace {

// vmaskmovps mask of the first n lanes (0 < n < 8): the 8 entries from 7 - n.
alignas(32) const int32_t kTailMask[14] = {-1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0};

inline __m256i TailMask(size_t elements) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&kTailMask[7 - elements]));
}

// 1-7 elements with masked loads and stores.
inline void PartialVector(size_t bytes, const float* input, float* output, __m256 vhi,
                          __m256 vlo) {
  const __m256i vmask = TailMask(bytes / sizeof(float));
  const __m256 vx = _mm256_maskload_ps(input, vmask);
  _mm256_maskstore_ps(output, vmask, _mm256_sub_ps(_mm256_sub_ps(vx, vhi), vlo));
}

inline __m256 SubLse(__m256 vx, __m256 vhi, __m256 vlo) {
  return _mm256_sub_ps(_mm256_sub_ps(vx, vhi), vlo);
}

}  // namespace

extern "C" void twopass_f32_vsublse_ukernel__avx2_u64(
    size_t batch, const float* input, float* output, float lse_hi, float lse_lo) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m256 vhi = _mm256_set1_ps(lse_hi);
  const __m256 vlo = _mm256_set1_ps(lse_lo);
  for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m256 vx0 = _mm256_loadu_ps(input + 0);
    const __m256 vx1 = _mm256_loadu_ps(input + 8);
    const __m256 vx2 = _mm256_loadu_ps(input + 16);
    const __m256 vx3 = _mm256_loadu_ps(input + 24);
    const __m256 vx4 = _mm256_loadu_ps(input + 32);
    const __m256 vx5 = _mm256_loadu_ps(input + 40);
    const __m256 vx6 = _mm256_loadu_ps(input + 48);
    const __m256 vx7 = _mm256_loadu_ps(input + 56);
    input += 64;

    _mm256_storeu_ps(output + 0, SubLse(vx0, vhi, vlo));
    _mm256_storeu_ps(output + 8, SubLse(vx1, vhi, vlo));
    _mm256_storeu_ps(output + 16, SubLse(vx2, vhi, vlo));
    _mm256_storeu_ps(output + 24, SubLse(vx3, vhi, vlo));
    _mm256_storeu_ps(output + 32, SubLse(vx4, vhi, vlo));
    _mm256_storeu_ps(output + 40, SubLse(vx5, vhi, vlo));
    _mm256_storeu_ps(output + 48, SubLse(vx6, vhi, vlo));
    _mm256_storeu_ps(output + 56, SubLse(vx7, vhi, vlo));
    output += 64;
  }
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    const __m256 vx = _mm256_loadu_ps(input);
    input += 8;
    _mm256_storeu_ps(output, SubLse(vx, vhi, vlo));
    output += 8;
  }
  if (batch != 0) {
    PartialVector(batch, input, output, vhi, vlo);
  }
}
