// Auto-generated file. Do not edit!
//   Template: src/f16-vscaleadd/avx512f.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vscaleadd_ukernel__avx512f_u64

// f16-vscaleadd, AVX512F: output[i] = float(input[i]) * scale + float(addend[i]) on
// half-precision input and addend (widened exactly with vcvtph2ps), f32 output. 16-bit
// masked loads need AVX512BW: the last 1-15 halves go through small buffers, the f32
// results through a k-masked store.
//
// The scaled and masked input of softmax(scale * x + mask), a chunk at a time.
// Contract (tested by test/f16-vscaleadd.cc): batch > 0 bytes of input, a multiple of
// sizeof(uint16_t); no alignment needed; addend may be NULL (output[i] = input[i] * scale);
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

inline __m512 LoadF16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

}  // namespace

extern "C" void twopass_f16_vscaleadd_ukernel__avx512f_u64(
    size_t batch, const void* input_data, const void* addend_data, float* output, float scale) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  const uint16_t* addend = static_cast<const uint16_t*>(addend_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const __m512 vscale = _mm512_set1_ps(scale);
  if (addend == nullptr) {
    for (; batch >= 64 * sizeof(uint16_t); batch -= 64 * sizeof(uint16_t)) {
      _mm512_storeu_ps(output + 0, _mm512_mul_ps(LoadF16(input + 0), vscale));
      _mm512_storeu_ps(output + 16, _mm512_mul_ps(LoadF16(input + 16), vscale));
      _mm512_storeu_ps(output + 32, _mm512_mul_ps(LoadF16(input + 32), vscale));
      _mm512_storeu_ps(output + 48, _mm512_mul_ps(LoadF16(input + 48), vscale));
      input += 64;
      output += 64;
    }
    for (; batch >= 16 * sizeof(uint16_t); batch -= 16 * sizeof(uint16_t)) {
      _mm512_storeu_ps(output, _mm512_mul_ps(LoadF16(input), vscale));
      input += 16;
      output += 16;
    }
  } else {
    for (; batch >= 64 * sizeof(uint16_t); batch -= 64 * sizeof(uint16_t)) {
      const __m512 vp0 = Rounded(_mm512_mul_ps(LoadF16(input + 0), vscale));
      const __m512 vp1 = Rounded(_mm512_mul_ps(LoadF16(input + 16), vscale));
      const __m512 vp2 = Rounded(_mm512_mul_ps(LoadF16(input + 32), vscale));
      const __m512 vp3 = Rounded(_mm512_mul_ps(LoadF16(input + 48), vscale));
      _mm512_storeu_ps(output + 0, _mm512_add_ps(vp0, LoadF16(addend + 0)));
      _mm512_storeu_ps(output + 16, _mm512_add_ps(vp1, LoadF16(addend + 16)));
      _mm512_storeu_ps(output + 32, _mm512_add_ps(vp2, LoadF16(addend + 32)));
      _mm512_storeu_ps(output + 48, _mm512_add_ps(vp3, LoadF16(addend + 48)));
      input += 64;
      addend += 64;
      output += 64;
    }
    for (; batch >= 16 * sizeof(uint16_t); batch -= 16 * sizeof(uint16_t)) {
      const __m512 vp = Rounded(_mm512_mul_ps(LoadF16(input), vscale));
      _mm512_storeu_ps(output, _mm512_add_ps(vp, LoadF16(addend)));
      input += 16;
      addend += 16;
      output += 16;
    }
  }
  if (batch != 0) {
    const size_t n = batch / sizeof(uint16_t);
    const __mmask16 vmask = TailMask(n);
    // 1-15 halves through buffers.
    uint16_t x[16] = {0};
    uint16_t a[16] = {0};
    memcpy(x, input, batch);
    __m512 vy = Rounded(_mm512_mul_ps(LoadF16(x), vscale));
    if (addend != nullptr) {
      memcpy(a, addend, batch);
      vy = _mm512_add_ps(vy, LoadF16(a));
    }
    _mm512_mask_storeu_ps(output, vmask, vy);
  }
}
