// Auto-generated file. Do not edit!
//   Template: src/f32-f16-vcvt/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_f16_vcvt_ukernel__avx2_u32

// f32-f16-vcvt, AVX2 (+F16C, which the avx2 configuration requires): output[i] =
// half(input[i]) with vcvtps2ph, rounded to nearest, ties to even (the rounding given in
// the instruction, whatever MXCSR says); NaN gives a NaN half (quieted).
//
// Contract (tested by test/f32-f16-vcvt.cc): batch > 0 bytes of input, a multiple of
// sizeof(float); no alignment needed (output at any byte address); output must not
// overlap input; reads and writes nothing outside the rows: the last 1-7 elements are
// loaded with vmaskmovps and stored through a small buffer.
// 32 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/microkernels.h"

namespace {

inline __m128i ToHalves(__m256 v) { return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT); }

inline void Store(uint16_t* p, __m128i h) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), h); }

// Lanes [0, n) set, for vmaskmovps (n in 1..7).
inline __m256i TailMask(size_t n) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lanes);
}

}  // namespace

extern "C" void twopass_f32_f16_vcvt_ukernel__avx2_u32(size_t batch, const float* input, void* output_data) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output_data != nullptr);

  uint16_t* output = static_cast<uint16_t*>(output_data);
  for (; batch >= 32 * sizeof(float); batch -= 32 * sizeof(float)) {
    const __m128i vh0 = ToHalves(_mm256_loadu_ps(input + 0));
    const __m128i vh1 = ToHalves(_mm256_loadu_ps(input + 8));
    const __m128i vh2 = ToHalves(_mm256_loadu_ps(input + 16));
    const __m128i vh3 = ToHalves(_mm256_loadu_ps(input + 24));
    Store(output + 0, vh0);
    Store(output + 8, vh1);
    Store(output + 16, vh2);
    Store(output + 24, vh3);
    input += 32;
    output += 32;
  }
  for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
    Store(output, ToHalves(_mm256_loadu_ps(input)));
    input += 8;
    output += 8;
  }
  if (batch != 0) {
    const size_t n = batch / sizeof(float);
    uint16_t halves[8];
    Store(halves, ToHalves(_mm256_maskload_ps(input, TailMask(n))));
    memcpy(output, halves, n * sizeof(uint16_t));
  }
}
