// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleadd/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleadd_ukernel__avx2_u32

// f32-vscaleadd, AVX2: output[i] = input[i] * scale + addend[i]; the last 1-7 elements
// use vmaskmovps loads and stores.
//
// The scaled and masked input of softmax(scale * x + mask), a chunk at a time.
// Contract (tested by test/f32-vscaleadd.cc): batch > 0 bytes of input, a multiple of
// sizeof(float); no alignment needed; addend may be NULL (output[i] = input[i] * scale);
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

// vmaskmovps mask of the first n lanes (0 < n < 8): the 8 entries from 7 - n.
alignas(32) const int32_t kTailMask[14] = {-1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0};

inline __m256i TailMask(size_t elements) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&kTailMask[7 - elements]));
}

}  // namespace

extern "C" void twopass_f32_vscaleadd_ukernel__avx2_u32(
    size_t batch, const float* input, const float* addend, float* output, float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m256 vscale = _mm256_set1_ps(scale);
  if (addend == nullptr) {
    for (; batch >= 32 * sizeof(float); batch -= 32 * sizeof(float)) {
      _mm256_storeu_ps(output + 0, _mm256_mul_ps(_mm256_loadu_ps(input + 0), vscale));
      _mm256_storeu_ps(output + 8, _mm256_mul_ps(_mm256_loadu_ps(input + 8), vscale));
      _mm256_storeu_ps(output + 16, _mm256_mul_ps(_mm256_loadu_ps(input + 16), vscale));
      _mm256_storeu_ps(output + 24, _mm256_mul_ps(_mm256_loadu_ps(input + 24), vscale));
      input += 32;
      output += 32;
    }
    for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
      _mm256_storeu_ps(output, _mm256_mul_ps(_mm256_loadu_ps(input), vscale));
      input += 8;
      output += 8;
    }
  } else {
    for (; batch >= 32 * sizeof(float); batch -= 32 * sizeof(float)) {
      const __m256 vp0 = Rounded(_mm256_mul_ps(_mm256_loadu_ps(input + 0), vscale));
      const __m256 vp1 = Rounded(_mm256_mul_ps(_mm256_loadu_ps(input + 8), vscale));
      const __m256 vp2 = Rounded(_mm256_mul_ps(_mm256_loadu_ps(input + 16), vscale));
      const __m256 vp3 = Rounded(_mm256_mul_ps(_mm256_loadu_ps(input + 24), vscale));
      _mm256_storeu_ps(output + 0, _mm256_add_ps(vp0, _mm256_loadu_ps(addend + 0)));
      _mm256_storeu_ps(output + 8, _mm256_add_ps(vp1, _mm256_loadu_ps(addend + 8)));
      _mm256_storeu_ps(output + 16, _mm256_add_ps(vp2, _mm256_loadu_ps(addend + 16)));
      _mm256_storeu_ps(output + 24, _mm256_add_ps(vp3, _mm256_loadu_ps(addend + 24)));
      input += 32;
      addend += 32;
      output += 32;
    }
    for (; batch >= 8 * sizeof(float); batch -= 8 * sizeof(float)) {
      const __m256 vp = Rounded(_mm256_mul_ps(_mm256_loadu_ps(input), vscale));
      _mm256_storeu_ps(output, _mm256_add_ps(vp, _mm256_loadu_ps(addend)));
      input += 8;
      addend += 8;
      output += 8;
    }
  }
  if (batch != 0) {
    const __m256i vmask = TailMask(batch / sizeof(float));
    __m256 vy = Rounded(_mm256_mul_ps(_mm256_maskload_ps(input, vmask), vscale));
    if (addend != nullptr) vy = _mm256_add_ps(vy, _mm256_maskload_ps(addend, vmask));
    _mm256_maskstore_ps(output, vmask, vy);
  }
}
