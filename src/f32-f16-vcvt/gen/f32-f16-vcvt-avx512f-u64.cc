// Auto-generated file. Do not edit!
//   Template: src/f32-f16-vcvt/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_f16_vcvt_ukernel__avx512f_u64

// f32-f16-vcvt, AVX512F: output[i] = half(input[i]) with vcvtps2ph, rounded to nearest,
// ties to even (the rounding given in the instruction, whatever MXCSR says); NaN gives a
// NaN half (quieted).
//
// Contract (tested by test/f32-f16-vcvt.cc): batch > 0 bytes of input, a multiple of
// sizeof(float); no alignment needed (output at any byte address); output must not
// overlap input; reads and writes nothing outside the rows: the last 1-15 elements are
// loaded with a k-mask and stored through a small buffer (16-bit masked stores need
// AVX512BW).
// 64 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/microkernels.h"
#include "twopass/tail-mask-avx512f.h"

namespace {

inline __m256i ToHalves(__m512 v) {
  return _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

inline void Store(uint16_t* p, __m256i h) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), h);
}

}  // namespace

extern "C" void twopass_f32_f16_vcvt_ukernel__avx512f_u64(size_t batch, const float* input, void* output_data) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output_data != nullptr);

  uint16_t* output = static_cast<uint16_t*>(output_data);
  for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
    const __m256i vh0 = ToHalves(_mm512_loadu_ps(input + 0));
    const __m256i vh1 = ToHalves(_mm512_loadu_ps(input + 16));
    const __m256i vh2 = ToHalves(_mm512_loadu_ps(input + 32));
    const __m256i vh3 = ToHalves(_mm512_loadu_ps(input + 48));
    Store(output + 0, vh0);
    Store(output + 16, vh1);
    Store(output + 32, vh2);
    Store(output + 48, vh3);
    input += 64;
    output += 64;
  }
  for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
    Store(output, ToHalves(_mm512_loadu_ps(input)));
    input += 16;
    output += 16;
  }
  if (batch != 0) {
    const size_t n = batch / sizeof(float);
    const __mmask16 vmask = TailMask(n);
    uint16_t halves[16];
    Store(halves, ToHalves(_mm512_maskz_loadu_ps(vmask, input)));
    memcpy(output, halves, n * sizeof(uint16_t));
  }
}
