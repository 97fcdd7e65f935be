// Auto-generated file. Do not edit!
//   Template: src/f32-vscaleadd/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f32_vscaleadd_ukernel__avx512f_u64

// f32-vscaleadd, AVX512F: output[i] = input[i] * scale + addend[i]; the last 1-15
// elements use k-masked loads and stores.
//
// The scaled and masked input of softmax(scale * x + mask), a chunk at a time.
// Contract (tested by test/f32-vscaleadd.cc): batch > 0 bytes of input, a multiple of
// sizeof(float); no alignment needed; addend may be NULL (output[i] = input[i] * scale);
// output must not overlap input or addend; reads and writes nothing outside the rows.
// Every output is the IEEE product rounded to float, then the IEEE sum: vmulps and
// vaddps, never vfmadd (one rounding would give other bits than the other ISAs).
// 64 elements (4 vectors) per main-loop iteration.

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include "twopass/microkernels.h"
#include "twopass/tail-mask-avx512f.h"

namespace {

// The product as a rounded float: the empty asm hides it from the compiler, which
// would otherwise contract the multiply and the add into one fused vfmadd (GCC does
// in C++ by default). No instruction is emitted.
inline __m512 Rounded(__m512 v) {
#if defined(__AVX512F__)
  __asm__("" : "+v"(v));
#else  // SIMDe emulation in tests: __m512 is no register type there
  __asm__("" : "+m"(v));
#endif
  return v;
}

}  // namespace

extern "C" void twopass_f32_vscaleadd_ukernel__avx512f_u64(
    size_t batch, const float* input, const float* addend, float* output, float scale) {
  assert(batch != 0);
  assert(batch % sizeof(float) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m512 vscale = _mm512_set1_ps(scale);
  if (addend == nullptr) {
    for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
      _mm512_storeu_ps(output + 0, _mm512_mul_ps(_mm512_loadu_ps(input + 0), vscale));
      _mm512_storeu_ps(output + 16, _mm512_mul_ps(_mm512_loadu_ps(input + 16), vscale));
      _mm512_storeu_ps(output + 32, _mm512_mul_ps(_mm512_loadu_ps(input + 32), vscale));
      _mm512_storeu_ps(output + 48, _mm512_mul_ps(_mm512_loadu_ps(input + 48), vscale));
      input += 64;
      output += 64;
    }
    for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
      _mm512_storeu_ps(output, _mm512_mul_ps(_mm512_loadu_ps(input), vscale));
      input += 16;
      output += 16;
    }
  } else {
    for (; batch >= 64 * sizeof(float); batch -= 64 * sizeof(float)) {
      const __m512 vp0 = Rounded(_mm512_mul_ps(_mm512_loadu_ps(input + 0), vscale));
      const __m512 vp1 = Rounded(_mm512_mul_ps(_mm512_loadu_ps(input + 16), vscale));
      const __m512 vp2 = Rounded(_mm512_mul_ps(_mm512_loadu_ps(input + 32), vscale));
      const __m512 vp3 = Rounded(_mm512_mul_ps(_mm512_loadu_ps(input + 48), vscale));
      _mm512_storeu_ps(output + 0, _mm512_add_ps(vp0, _mm512_loadu_ps(addend + 0)));
      _mm512_storeu_ps(output + 16, _mm512_add_ps(vp1, _mm512_loadu_ps(addend + 16)));
      _mm512_storeu_ps(output + 32, _mm512_add_ps(vp2, _mm512_loadu_ps(addend + 32)));
      _mm512_storeu_ps(output + 48, _mm512_add_ps(vp3, _mm512_loadu_ps(addend + 48)));
      input += 64;
      addend += 64;
      output += 64;
    }
    for (; batch >= 16 * sizeof(float); batch -= 16 * sizeof(float)) {
      const __m512 vp = Rounded(_mm512_mul_ps(_mm512_loadu_ps(input), vscale));
      _mm512_storeu_ps(output, _mm512_add_ps(vp, _mm512_loadu_ps(addend)));
      input += 16;
      addend += 16;
      output += 16;
    }
  }
  if (batch != 0) {
    const size_t n = batch / sizeof(float);
    const __mmask16 vmask = TailMask(n);
    __m512 vy = Rounded(_mm512_mul_ps(_mm512_maskz_loadu_ps(vmask, input), vscale));
    if (addend != nullptr) vy = _mm512_add_ps(vy, _mm512_maskz_loadu_ps(vmask, addend));
    _mm512_mask_storeu_ps(output, vmask, vy);
  }
}
