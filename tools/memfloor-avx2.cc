// AVX2 floor kernels (compiled with -mavx2 only; see memfloor.h).
#include <immintrin.h>
#include <stdint.h>

#include "tools/memfloor.h"

namespace twopass_bench {
namespace {

float ReadAvx2(size_t n, const float* x) {
  // Four independent accumulators so the max chain never limits throughput.
  __m256 m0 = _mm256_set1_ps(-__builtin_inff());
  __m256 m1 = m0, m2 = m0, m3 = m0;
  for (; n >= 32; n -= 32, x += 32) {
    m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x));
    m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + 8));
    m2 = _mm256_max_ps(m2, _mm256_loadu_ps(x + 16));
    m3 = _mm256_max_ps(m3, _mm256_loadu_ps(x + 24));
  }
  for (; n >= 8; n -= 8, x += 8) {
    m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x));
  }
  m0 = _mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3));
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(m0), _mm256_extractf128_ps(m0, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  float result = _mm_cvtss_f32(m);
  for (; n != 0; n--, x++) {
    result = *x > result ? *x : result;
  }
  return result;
}

template <bool kStream>
void ScaleAvx2(size_t n, const float* x, float* y, float scale) {
  const __m256 s = _mm256_set1_ps(scale);
  if (kStream) {
    // Streaming stores need 32-byte aligned addresses: regular stores up to there.
    for (; n != 0 && (reinterpret_cast<uintptr_t>(y) & 31) != 0; n--) {
      *y++ = *x++ * scale;
    }
  }
  for (; n >= 32; n -= 32, x += 32, y += 32) {
    const __m256 v0 = _mm256_mul_ps(_mm256_loadu_ps(x), s);
    const __m256 v1 = _mm256_mul_ps(_mm256_loadu_ps(x + 8), s);
    const __m256 v2 = _mm256_mul_ps(_mm256_loadu_ps(x + 16), s);
    const __m256 v3 = _mm256_mul_ps(_mm256_loadu_ps(x + 24), s);
    if (kStream) {
      _mm256_stream_ps(y, v0);
      _mm256_stream_ps(y + 8, v1);
      _mm256_stream_ps(y + 16, v2);
      _mm256_stream_ps(y + 24, v3);
    } else {
      _mm256_storeu_ps(y, v0);
      _mm256_storeu_ps(y + 8, v1);
      _mm256_storeu_ps(y + 16, v2);
      _mm256_storeu_ps(y + 24, v3);
    }
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x), s);
    if (kStream) {
      _mm256_stream_ps(y, v);
    } else {
      _mm256_storeu_ps(y, v);
    }
  }
  for (; n != 0; n--) {
    *y++ = *x++ * scale;
  }
  // Streaming stores are weakly ordered: fence before another thread reads y.
  if (kStream) _mm_sfence();
}

}  // namespace

const FloorKernels kFloorKernelsAvx2 = {
    twopass_isa_avx2,
    ReadAvx2,
    ScaleAvx2<false>,
    ScaleAvx2<true>,
};

}  // namespace twopass_bench
