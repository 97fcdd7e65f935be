// Auto-generated file. Do not edit!
//   Template: src/f16-vsublse/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vsublse_ukernel__avx512f_u64

// f16-vsublse, AVX512F: pass 2 of log-softmax on half-precision data,
// output[i] = half((float(input[i]) - lse_hi) - lse_lo): halves widened exactly with
// vcvtph2ps, results narrowed with vcvtps2ph (nearest even). 16-bit masked loads and
// stores need AVX512BW: the last 1-15 elements go through a small buffer.
//
// lse_hi + lse_lo is the row's log-sum-exp as an unevaluated float pair: x - lse_hi
// is exact where the result is small (Sterbenz), then lse_lo is subtracted.
// Contract (tested by test/f16-vsublse.cc): batch > 0 bytes, a multiple of
// sizeof(uint16_t); no alignment needed; output may equal input (in place), other
// overlaps are not allowed; reads and writes nothing outside the two rows. Every output
// is the two IEEE subtractions.
// 64 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/microkernels.h"
#include "twopass/tail-mask-avx512f.h"

namespace {

inline __m512 LoadF16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

inline void StoreF16(uint16_t* p, __m512 v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                      _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

inline __m512 SubLse(__m512 vx, __m512 vhi, __m512 vlo) {
  return _mm512_sub_ps(_mm512_sub_ps(vx, vhi), vlo);
}

}  // namespace

extern "C" void twopass_f16_vsublse_ukernel__avx512f_u64(
    size_t batch, const void* input_data, void* output_data, float lse_hi, float lse_lo) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  uint16_t* output = static_cast<uint16_t*>(output_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m512 vhi = _mm512_set1_ps(lse_hi);
  const __m512 vlo = _mm512_set1_ps(lse_lo);
  for (; batch >= 64 * sizeof(uint16_t); batch -= 64 * sizeof(uint16_t)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m512 vx0 = LoadF16(input + 0);
    const __m512 vx1 = LoadF16(input + 16);
    const __m512 vx2 = LoadF16(input + 32);
    const __m512 vx3 = LoadF16(input + 48);
    input += 64;

    StoreF16(output + 0, SubLse(vx0, vhi, vlo));
    StoreF16(output + 16, SubLse(vx1, vhi, vlo));
    StoreF16(output + 32, SubLse(vx2, vhi, vlo));
    StoreF16(output + 48, SubLse(vx3, vhi, vlo));
    output += 64;
  }
  for (; batch >= 16 * sizeof(uint16_t); batch -= 16 * sizeof(uint16_t)) {
    const __m512 vx = LoadF16(input);
    input += 16;
    StoreF16(output, SubLse(vx, vhi, vlo));
    output += 16;
  }
  if (batch != 0) {
    // 1-15 elements through a buffer.
    uint16_t buffer[16] = {0};
    memcpy(buffer, input, batch);
    StoreF16(buffer, SubLse(LoadF16(buffer), vhi, vlo));
    memcpy(output, buffer, batch);
  }
}
