// Auto-generated file. Do not edit!
//   Template: src/f16-vsublse/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vsublse_ukernel__sse2_u16

// f16-vsublse, SSE2: pass 2 of log-softmax on half-precision data,
// output[i] = half((float(input[i]) - lse_hi) - lse_lo), rounded to nearest even.
// SSE2 has no half conversion: four elements at a time are converted in integer
// arithmetic (twopass/half-sse2.h), as in f16-vscaleextexp.
//
// lse_hi + lse_lo is the row's log-sum-exp as an unevaluated float pair: x - lse_hi
// is exact where the result is small (Sterbenz), then lse_lo is subtracted.
// Contract (tested by test/f16-vsublse.cc): batch > 0 bytes, a multiple of
// sizeof(uint16_t); no alignment needed; output may equal input (in place), other
// overlaps are not allowed; reads and writes nothing outside the two rows (the last
// 1-3 elements go through a small buffer). Every output is the two IEEE subtractions.
// 16 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <emmintrin.h>

#include "twopass/half-sse2.h"
#include "twopass/microkernels.h"

namespace {

inline __m128 SubLse(__m128 vx, __m128 vhi, __m128 vlo) {
  return _mm_sub_ps(_mm_sub_ps(vx, vhi), vlo);
}

}  // namespace

extern "C" void twopass_f16_vsublse_ukernel__sse2_u16(
    size_t batch, const void* input_data, void* output_data, float lse_hi, float lse_lo) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  uint16_t* output = static_cast<uint16_t*>(output_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m128 vhi = _mm_set1_ps(lse_hi);
  const __m128 vlo = _mm_set1_ps(lse_lo);
  for (; batch >= 16 * sizeof(uint16_t); batch -= 16 * sizeof(uint16_t)) {
    // All loads before the stores, so that in-place operation is safe.
    const __m128 vx0 = twopass::LoadHalvesSse2(input + 0);
    const __m128 vx1 = twopass::LoadHalvesSse2(input + 4);
    const __m128 vx2 = twopass::LoadHalvesSse2(input + 8);
    const __m128 vx3 = twopass::LoadHalvesSse2(input + 12);
    input += 16;

    twopass::StoreHalvesSse2(output + 0, SubLse(vx0, vhi, vlo));
    twopass::StoreHalvesSse2(output + 4, SubLse(vx1, vhi, vlo));
    twopass::StoreHalvesSse2(output + 8, SubLse(vx2, vhi, vlo));
    twopass::StoreHalvesSse2(output + 12, SubLse(vx3, vhi, vlo));
    output += 16;
  }
  for (; batch >= 4 * sizeof(uint16_t); batch -= 4 * sizeof(uint16_t)) {
    const __m128 vx = twopass::LoadHalvesSse2(input);
    input += 4;
    twopass::StoreHalvesSse2(output, SubLse(vx, vhi, vlo));
    output += 4;
  }
  if (batch != 0) {
    // 1-3 elements through a buffer.
    uint16_t buffer[4] = {0, 0, 0, 0};
    memcpy(buffer, input, batch);
    twopass::StoreHalvesSse2(buffer, SubLse(twopass::LoadHalvesSse2(buffer), vhi, vlo));
    memcpy(output, buffer, batch);
  }
}
