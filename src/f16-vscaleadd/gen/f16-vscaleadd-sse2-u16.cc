// Auto-generated file. Do not edit!
//   Template: src/f16-vscaleadd/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vscaleadd_ukernel__sse2_u16

// f16-vscaleadd, SSE2: output[i] = float(input[i]) * scale + float(addend[i]) on
// half-precision input and addend, f32 output. SSE2 has no half conversion: four halves
// at a time are widened exactly in integer arithmetic (twopass/half-sse2.h).
//
// The scaled and masked input of softmax(scale * x + mask), a chunk at a time.
// Contract (tested by test/f16-vscaleadd.cc): batch > 0 bytes of input, a multiple of
// sizeof(uint16_t); no alignment needed; addend may be NULL (output[i] = input[i] * scale);
// output must not overlap input or addend; reads and writes nothing outside the rows
// (the last 1-3 elements go through small buffers). Every output is the IEEE product
// rounded to float, then the IEEE sum: the same bits as every other ISA.
// 16 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <emmintrin.h>

#include "twopass/half-sse2.h"
#include "twopass/microkernels.h"

extern "C" void twopass_f16_vscaleadd_ukernel__sse2_u16(
    size_t batch, const void* input_data, const void* addend_data, float* output, float scale) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  const uint16_t* addend = static_cast<const uint16_t*>(addend_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m128 vscale = _mm_set1_ps(scale);
  if (addend == nullptr) {
    for (; batch >= 16 * sizeof(uint16_t); batch -= 16 * sizeof(uint16_t)) {
      _mm_storeu_ps(output + 0, _mm_mul_ps(twopass::LoadHalvesSse2(input + 0), vscale));
      _mm_storeu_ps(output + 4, _mm_mul_ps(twopass::LoadHalvesSse2(input + 4), vscale));
      _mm_storeu_ps(output + 8, _mm_mul_ps(twopass::LoadHalvesSse2(input + 8), vscale));
      _mm_storeu_ps(output + 12, _mm_mul_ps(twopass::LoadHalvesSse2(input + 12), vscale));
      input += 16;
      output += 16;
    }
    for (; batch >= 4 * sizeof(uint16_t); batch -= 4 * sizeof(uint16_t)) {
      _mm_storeu_ps(output, _mm_mul_ps(twopass::LoadHalvesSse2(input), vscale));
      input += 4;
      output += 4;
    }
  } else {
    for (; batch >= 16 * sizeof(uint16_t); batch -= 16 * sizeof(uint16_t)) {
      const __m128 vp0 = _mm_mul_ps(twopass::LoadHalvesSse2(input + 0), vscale);
      const __m128 vp1 = _mm_mul_ps(twopass::LoadHalvesSse2(input + 4), vscale);
      const __m128 vp2 = _mm_mul_ps(twopass::LoadHalvesSse2(input + 8), vscale);
      const __m128 vp3 = _mm_mul_ps(twopass::LoadHalvesSse2(input + 12), vscale);
      _mm_storeu_ps(output + 0, _mm_add_ps(vp0, twopass::LoadHalvesSse2(addend + 0)));
      _mm_storeu_ps(output + 4, _mm_add_ps(vp1, twopass::LoadHalvesSse2(addend + 4)));
      _mm_storeu_ps(output + 8, _mm_add_ps(vp2, twopass::LoadHalvesSse2(addend + 8)));
      _mm_storeu_ps(output + 12, _mm_add_ps(vp3, twopass::LoadHalvesSse2(addend + 12)));
      input += 16;
      addend += 16;
      output += 16;
    }
    for (; batch >= 4 * sizeof(uint16_t); batch -= 4 * sizeof(uint16_t)) {
      const __m128 vp = _mm_mul_ps(twopass::LoadHalvesSse2(input), vscale);
      _mm_storeu_ps(output, _mm_add_ps(vp, twopass::LoadHalvesSse2(addend)));
      input += 4;
      addend += 4;
      output += 4;
    }
  }
  if (batch != 0) {
    // 1-3 elements through buffers.
    uint16_t x[4] = {0, 0, 0, 0};
    uint16_t a[4] = {0, 0, 0, 0};
    memcpy(x, input, batch);
    __m128 vy = _mm_mul_ps(twopass::LoadHalvesSse2(x), vscale);
    if (addend != nullptr) {
      memcpy(a, addend, batch);
      vy = _mm_add_ps(vy, twopass::LoadHalvesSse2(a));
    }
    float y[4];
    _mm_storeu_ps(y, vy);
    memcpy(output, y, batch / sizeof(uint16_t) * sizeof(float));
  }
}
