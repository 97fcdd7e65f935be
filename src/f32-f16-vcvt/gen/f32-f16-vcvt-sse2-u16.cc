// Auto-generated file. Do not edit!
//   Template: src/f32-f16-vcvt/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_f16_vcvt_ukernel__sse2_u16

// f32-f16-vcvt, SSE2: output[i] = half(input[i]), rounded to nearest, ties to even, in
// integer arithmetic on the float's bits (twopass/half-sse2.h: SSE2 has no conversion
// instruction); NaN gives the quiet NaN half 0x7E00 with the input's sign.
//
// Contract (tested by test/f32-f16-vcvt.cc): batch > 0 bytes of input, a multiple of
// sizeof(float); no alignment needed (output at any byte address); output must not
// overlap input; reads and writes nothing outside the rows: the last 1-7 elements go
// through small buffers.
// 16 elements (2 pairs of vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <emmintrin.h>

#include "twopass/half-sse2.h"
#include "twopass/microkernels.h"

namespace {

inline void Store(uint16_t* p, __m128i h) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), h); }

}  // namespace

extern "C" void twopass_f32_f16_vcvt_ukernel__sse2_u16(size_t batch, const float* input, void* output_data) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output_data != nullptr);

  uint16_t* output = static_cast<uint16_t*>(output_data);
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    const __m128i vh0 = twopass::PackHalvesSse2(_mm_loadu_ps(input + 0), _mm_loadu_ps(input + 4));
    const __m128i vh1 = twopass::PackHalvesSse2(_mm_loadu_ps(input + 8), _mm_loadu_ps(input + 12));
    Store(output + 0, vh0);
    Store(output + 8, vh1);
    input += 16;
    output += 16;
  }
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    Store(output, twopass::PackHalvesSse2(_mm_loadu_ps(input), _mm_loadu_ps(input + 4)));
    input += 8;
    output += 8;
  }
  if (batch != 0) {
    const size_t n = batch / sizeof(float);
    float x[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    memcpy(x, input, batch);
    uint16_t halves[8];
    Store(halves, twopass::PackHalvesSse2(_mm_loadu_ps(x), _mm_loadu_ps(x + 4)));
    memcpy(output, halves, n * sizeof(uint16_t));
  }
}
