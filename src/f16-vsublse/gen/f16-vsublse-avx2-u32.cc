// Auto-generated file. Do not edit!
//   Template: src/f16-vsublse/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vsublse_ukernel__avx2_u32

// f16-vsublse, AVX2 + F16C: pass 2 of log-softmax on half-precision data,
// output[i] = half((float(input[i]) - lse_hi) - lse_lo): halves widened exactly with
// vcvtph2ps, results narrowed with vcvtps2ph (nearest even). vmaskmovps has no 16-bit
// form: the last 1-7 elements go through a small buffer.
//
// lse_hi + lse_lo is the row's log-sum-exp as an unevaluated float pair: x - lse_hi
// is exact where the result is small (Sterbenz), then lse_lo is subtracted.
// Contract (tested by test/f16-vsublse.cc): batch > 0 bytes, a multiple of
// sizeof(uint16_t); no alignment needed; output may equal input (in place), other
// overlaps are not allowed; reads and writes nothing outside the two rows. Every output
// is the two IEEE subtractions.
// 32 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/microkernels.h"

namespace {

inline __m256 LoadF16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

inline void StoreF16(uint16_t* p, __m256 v) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}

inline __m256 SubLse(__m256 vx, __m256 vhi, __m256 vlo) {
  return _mm256_sub_ps(_mm256_sub_ps(vx, vhi), vlo);
}

}  // namespace

extern "C" void twopass_f16_vsublse_ukernel__avx2_u32(
    size_t batch, const void* input_data, void* output_data, float lse_hi, float lse_lo) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  uint16_t* output = static_cast<uint16_t*>(output_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m256 vhi = _mm256_set1_ps(lse_hi);
  const __m256 vlo = _mm256_set1_ps(lse_lo);
  for (; batch >= 32 * sizeof(uint16_t); batch -= 32 * sizeof(uint16_t)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m256 vx0 = LoadF16(input + 0);
    const __m256 vx1 = LoadF16(input + 8);
    const __m256 vx2 = LoadF16(input + 16);
    const __m256 vx3 = LoadF16(input + 24);
    input += 32;

    StoreF16(output + 0, SubLse(vx0, vhi, vlo));
    StoreF16(output + 8, SubLse(vx1, vhi, vlo));
    StoreF16(output + 16, SubLse(vx2, vhi, vlo));
    StoreF16(output + 24, SubLse(vx3, vhi, vlo));
    output += 32;
  }
  for (; batch >= 8 * sizeof(uint16_t); batch -= 8 * sizeof(uint16_t)) {
    const __m256 vx = LoadF16(input);
    input += 8;
    StoreF16(output, SubLse(vx, vhi, vlo));
    output += 8;
  }
  if (batch != 0) {
    // 1-7 elements through a buffer.
    uint16_t buffer[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(buffer, input, batch);
    StoreF16(buffer, SubLse(LoadF16(buffer), vhi, vlo));
    memcpy(output, buffer, batch);
  }
}
