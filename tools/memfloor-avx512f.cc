// AVX512F floor kernels (compiled with -mavx512f only; see memfloor.h).
#include <immintrin.h>
#include <stdint.h>

#include "tools/memfloor.h"

namespace twopass_bench {
namespace {

float ReadAvx512f(size_t n, const float* x) {
  // Four independent accumulators so the max chain never limits throughput.
  __m512 m0 = _mm512_set1_ps(-__builtin_inff());
  __m512 m1 = m0, m2 = m0, m3 = m0;
  for (; n >= 64; n -= 64, x += 64) {
    m0 = _mm512_max_ps(m0, _mm512_loadu_ps(x));
    m1 = _mm512_max_ps(m1, _mm512_loadu_ps(x + 16));
    m2 = _mm512_max_ps(m2, _mm512_loadu_ps(x + 32));
    m3 = _mm512_max_ps(m3, _mm512_loadu_ps(x + 48));
  }
  for (; n >= 16; n -= 16, x += 16) {
    m0 = _mm512_max_ps(m0, _mm512_loadu_ps(x));
  }
  if (n != 0) {
    const __mmask16 mask = static_cast<__mmask16>((1u << n) - 1);
    m1 = _mm512_mask_max_ps(m1, mask, m1, _mm512_maskz_loadu_ps(mask, x));
  }
  m0 = _mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3));
  return _mm512_reduce_max_ps(m0);
}

template <bool kStream>
void ScaleAvx512f(size_t n, const float* x, float* y, float scale) {
  const __m512 s = _mm512_set1_ps(scale);
  if (kStream) {
    // Streaming stores need 64-byte aligned addresses: regular stores up to there.
    size_t head = ((64 - (reinterpret_cast<uintptr_t>(y) & 63)) & 63) / sizeof(float);
    if (head > n) head = n;
    if (head != 0) {
      const __mmask16 mask = static_cast<__mmask16>((1u << head) - 1);
      _mm512_mask_storeu_ps(y, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, x), s));
      x += head;
      y += head;
      n -= head;
    }
  }
  for (; n >= 64; n -= 64, x += 64, y += 64) {
    const __m512 v0 = _mm512_mul_ps(_mm512_loadu_ps(x), s);
    const __m512 v1 = _mm512_mul_ps(_mm512_loadu_ps(x + 16), s);
    const __m512 v2 = _mm512_mul_ps(_mm512_loadu_ps(x + 32), s);
    const __m512 v3 = _mm512_mul_ps(_mm512_loadu_ps(x + 48), s);
    if (kStream) {
      _mm512_stream_ps(y, v0);
      _mm512_stream_ps(y + 16, v1);
      _mm512_stream_ps(y + 32, v2);
      _mm512_stream_ps(y + 48, v3);
    } else {
      _mm512_storeu_ps(y, v0);
      _mm512_storeu_ps(y + 16, v1);
      _mm512_storeu_ps(y + 32, v2);
      _mm512_storeu_ps(y + 48, v3);
    }
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(x), s);
    if (kStream) {
      _mm512_stream_ps(y, v);
    } else {
      _mm512_storeu_ps(y, v);
    }
  }
  if (n != 0) {
    const __mmask16 mask = static_cast<__mmask16>((1u << n) - 1);
    _mm512_mask_storeu_ps(y, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, x), s));
  }
  // Streaming stores are weakly ordered: fence before another thread reads y.
  if (kStream) _mm_sfence();
}

}  // namespace

const FloorKernels kFloorKernelsAvx512f = {
    twopass_isa_avx512f,
    ReadAvx512f,
    ScaleAvx512f<false>,
    ScaleAvx512f<true>,
};

}  // namespace twopass_bench
