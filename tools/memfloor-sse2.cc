// SSE2 floor kernels (baseline x86-64) and the run-time choice among the
// per-ISA sets; see memfloor.h.
#include <emmintrin.h>
#include <stdint.h>

#include "tools/memfloor.h"

namespace twopass_bench {
namespace {

float ReadSse2(size_t n, const float* x) {
  // Four independent accumulators so the max chain never limits throughput.
  __m128 m0 = _mm_set1_ps(-__builtin_inff());
  __m128 m1 = m0, m2 = m0, m3 = m0;
  for (; n >= 16; n -= 16, x += 16) {
    m0 = _mm_max_ps(m0, _mm_loadu_ps(x));
    m1 = _mm_max_ps(m1, _mm_loadu_ps(x + 4));
    m2 = _mm_max_ps(m2, _mm_loadu_ps(x + 8));
    m3 = _mm_max_ps(m3, _mm_loadu_ps(x + 12));
  }
  __m128 m = _mm_max_ps(_mm_max_ps(m0, m1), _mm_max_ps(m2, m3));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  float result = _mm_cvtss_f32(m);
  for (; n != 0; n--, x++) {
    result = *x > result ? *x : result;
  }
  return result;
}

template <bool kStream>
void ScaleSse2(size_t n, const float* x, float* y, float scale) {
  const __m128 s = _mm_set1_ps(scale);
  if (kStream) {
    // Streaming stores need 16-byte aligned addresses: regular stores up to there.
    for (; n != 0 && (reinterpret_cast<uintptr_t>(y) & 15) != 0; n--) {
      *y++ = *x++ * scale;
    }
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m128 v0 = _mm_mul_ps(_mm_loadu_ps(x), s);
    const __m128 v1 = _mm_mul_ps(_mm_loadu_ps(x + 4), s);
    const __m128 v2 = _mm_mul_ps(_mm_loadu_ps(x + 8), s);
    const __m128 v3 = _mm_mul_ps(_mm_loadu_ps(x + 12), s);
    if (kStream) {
      _mm_stream_ps(y, v0);
      _mm_stream_ps(y + 4, v1);
      _mm_stream_ps(y + 8, v2);
      _mm_stream_ps(y + 12, v3);
    } else {
      _mm_storeu_ps(y, v0);
      _mm_storeu_ps(y + 4, v1);
      _mm_storeu_ps(y + 8, v2);
      _mm_storeu_ps(y + 12, v3);
    }
  }
  for (; n != 0; n--) {
    *y++ = *x++ * scale;
  }
  // Streaming stores are weakly ordered: fence before another thread reads y.
  if (kStream) _mm_sfence();
}

}  // namespace

const FloorKernels kFloorKernelsSse2 = {
    twopass_isa_sse2,
    ReadSse2,
    ScaleSse2<false>,
    ScaleSse2<true>,
};

const FloorKernels& FloorKernelsFor(enum twopass_isa max_isa) {
  if (max_isa >= twopass_isa_avx512f && twopass_isa_supported(twopass_isa_avx512f)) {
    return kFloorKernelsAvx512f;
  }
  if (max_isa >= twopass_isa_avx2 && twopass_isa_supported(twopass_isa_avx2)) {
    return kFloorKernelsAvx2;
  }
  return kFloorKernelsSse2;
}

}  // namespace twopass_bench
