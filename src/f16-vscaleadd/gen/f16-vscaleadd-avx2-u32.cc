// Auto-generated file. Do not edit!
//   Template: src/f16-vscaleadd/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vscaleadd_ukernel__avx2_u32

// f16-vscaleadd, AVX2 + F16C: output[i] = float(input[i]) * scale + float(addend[i]) on
// half-precision input and addend (widened exactly with vcvtph2ps), f32 output.
// vmaskmovps has no 16-bit form: the last 1-7 elements go through small buffers.
//
// The scaled and masked input of softmax(scale * x + mask), a chunk at a time.
// Contract (tested by test/f16-vscaleadd.cc): batch > 0 bytes of input, a multiple of
// sizeof(uint16_t); no alignment needed; addend may be NULL (output[i] = input[i] * scale);
// output must not overlap input or addend; reads and writes nothing outside the rows.
// Every output is the IEEE product rounded to float, then the IEEE sum: vmulps and
// vaddps, never vfmadd (one rounding would give other bits than the other ISAs).
// 32 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/microkernels.h"

namespace {

// The product as a rounded float: the empty asm hides it from the compiler, which
// would otherwise contract the multiply and the add into one fused vfmadd (GCC does
// in C++ by default). No instruction is emitted.
inline __m256 Rounded(__m256 v) {
  __asm__("" : "+x"(v));
  return v;
}

inline __m256 LoadF16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

}  // namespace

extern "C" void twopass_f16_vscaleadd_ukernel__avx2_u32(
    size_t batch, const void* input_data, const void* addend_data, float* output, float scale) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  const uint16_t* addend = static_cast<const uint16_t*>(addend_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m256 vscale = _mm256_set1_ps(scale);
  if (addend == nullptr) {
    for (; batch >= 32 * sizeof(uint16_t); batch -= 32 * sizeof(uint16_t)) {
      _mm256_storeu_ps(output + 0, _mm256_mul_ps(LoadF16(input + 0), vscale));
      _mm256_storeu_ps(output + 8, _mm256_mul_ps(LoadF16(input + 8), vscale));
      _mm256_storeu_ps(output + 16, _mm256_mul_ps(LoadF16(input + 16), vscale));
      _mm256_storeu_ps(output + 24, _mm256_mul_ps(LoadF16(input + 24), vscale));
      input += 32;
      output += 32;
    }
    for (; batch >= 8 * sizeof(uint16_t); batch -= 8 * sizeof(uint16_t)) {
      _mm256_storeu_ps(output, _mm256_mul_ps(LoadF16(input), vscale));
      input += 8;
      output += 8;
    }
  } else {
    for (; batch >= 32 * sizeof(uint16_t); batch -= 32 * sizeof(uint16_t)) {
      const __m256 vp0 = Rounded(_mm256_mul_ps(LoadF16(input + 0), vscale));
      const __m256 vp1 = Rounded(_mm256_mul_ps(LoadF16(input + 8), vscale));
      const __m256 vp2 = Rounded(_mm256_mul_ps(LoadF16(input + 16), vscale));
      const __m256 vp3 = Rounded(_mm256_mul_ps(LoadF16(input + 24), vscale));
      _mm256_storeu_ps(output + 0, _mm256_add_ps(vp0, LoadF16(addend + 0)));
      _mm256_storeu_ps(output + 8, _mm256_add_ps(vp1, LoadF16(addend + 8)));
      _mm256_storeu_ps(output + 16, _mm256_add_ps(vp2, LoadF16(addend + 16)));
      _mm256_storeu_ps(output + 24, _mm256_add_ps(vp3, LoadF16(addend + 24)));
      input += 32;
      addend += 32;
      output += 32;
    }
    for (; batch >= 8 * sizeof(uint16_t); batch -= 8 * sizeof(uint16_t)) {
      const __m256 vp = Rounded(_mm256_mul_ps(LoadF16(input), vscale));
      _mm256_storeu_ps(output, _mm256_add_ps(vp, LoadF16(addend)));
      input += 8;
      addend += 8;
      output += 8;
    }
  }
  if (batch != 0) {
    // 1-7 elements through buffers.
    uint16_t x[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    uint16_t a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(x, input, batch);
    __m256 vy = Rounded(_mm256_mul_ps(LoadF16(x), vscale));
    if (addend != nullptr) {
      memcpy(a, addend, batch);
      vy = _mm256_add_ps(vy, LoadF16(a));
    }
    float y[8];
    _mm256_storeu_ps(y, vy);
    memcpy(output, y, batch / sizeof(uint16_t) * sizeof(float));
  }
}
