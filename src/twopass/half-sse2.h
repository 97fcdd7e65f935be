// IEEE binary16 <-> f32 for the SSE2 kernels (the f16 families' sse2 rows and
// f32-f16-vcvt's), in integer arithmetic on the bits: SSE2 has no conversion instruction
// (F16C comes with the avx2 configuration). One source for every SSE2 template; the
// scalar kernels use the FP16 library (twopass/half-io.h).
//
// Widening is exact: normal halves rebias the exponent (15 -> 127: + 0x38000000 on the
// bits shifted into place), infinities and NaNs move to exponent 255 (+ 0x70000000; a
// NaN keeps its payload and quiet bit), subnormals and zeros are m * 2^-24 (exact).
// Narrowing rounds to nearest, ties to even (with a = |x|'s bits):
// - a > 0x7F800000 (NaN): the quiet NaN 0x7E00; a >= 0x477FF000 (65520, the midpoint
//   between 65504 and 2^16, which ties to the even 2^16): 0x7C00, inf;
// - a >= 0x38800000 (2^-14, the smallest normal half): rebias (a - 0x38000000), then drop
//   13 mantissa bits adding 0xFFF plus the lowest kept bit first (a carry out of the
//   mantissa moves to the next binade, as it should);
// - below: subnormal halves and zeros, the integer nearest to |x| * 2^24 (an exact
//   product) from cvtps2dq, which rounds to nearest even under MXCSR's default rounding
//   (the exp kernels assume it as well).
// Every case is computed in every lane and selected with compare masks; the sign goes in
// last (as 0xFFFF8000 in 32-bit lanes, so that packssdw keeps it).
#pragma once

#include <stdint.h>

#include <emmintrin.h>

namespace twopass {

// 4 halves at p (any alignment) widened to floats.
inline __m128 LoadHalvesSse2(const uint16_t* p) {
  const __m128i h =
      _mm_unpacklo_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), _mm_setzero_si128());
  const __m128i a = _mm_and_si128(h, _mm_set1_epi32(0x7FFF));
  const __m128i shifted = _mm_slli_epi32(a, 13);
  const __m128i normal = _mm_add_epi32(shifted, _mm_set1_epi32(0x38000000));
  const __m128i special = _mm_add_epi32(shifted, _mm_set1_epi32(0x70000000));
  const __m128i subnormal =
      _mm_castps_si128(_mm_mul_ps(_mm_cvtepi32_ps(a), _mm_set1_ps(0x1.0p-24f)));
  const __m128i is_special = _mm_cmpgt_epi32(a, _mm_set1_epi32(0x7BFF));
  const __m128i is_subnormal = _mm_cmplt_epi32(a, _mm_set1_epi32(0x0400));
  __m128i bits =
      _mm_or_si128(_mm_and_si128(is_special, special), _mm_andnot_si128(is_special, normal));
  bits = _mm_or_si128(_mm_and_si128(is_subnormal, subnormal), _mm_andnot_si128(is_subnormal, bits));
  const __m128i sign = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x8000)), 16);
  return _mm_castsi128_ps(_mm_or_si128(bits, sign));
}

// 4 floats rounded to halves, in the low 16 bits of 32-bit lanes (sign-extended).
inline __m128i HalvesOfSse2(__m128 v) {
  const __m128i bits = _mm_castps_si128(v);
  const __m128i a = _mm_and_si128(bits, _mm_set1_epi32(0x7FFFFFFF));
  const __m128i rebiased = _mm_sub_epi32(a, _mm_set1_epi32(0x38000000));
  const __m128i odd = _mm_and_si128(_mm_srli_epi32(rebiased, 13), _mm_set1_epi32(1));
  const __m128i normal =
      _mm_srli_epi32(_mm_add_epi32(rebiased, _mm_add_epi32(odd, _mm_set1_epi32(0xFFF))), 13);
  const __m128i subnormal =
      _mm_cvtps_epi32(_mm_mul_ps(_mm_castsi128_ps(a), _mm_set1_ps(16777216.0f)));
  const __m128i is_normal = _mm_cmpgt_epi32(a, _mm_set1_epi32(0x38800000 - 1));
  const __m128i is_inf = _mm_cmpgt_epi32(a, _mm_set1_epi32(0x477FF000 - 1));
  const __m128i is_nan = _mm_cmpgt_epi32(a, _mm_set1_epi32(0x7F800000));
  __m128i h =
      _mm_or_si128(_mm_and_si128(is_normal, normal), _mm_andnot_si128(is_normal, subnormal));
  h = _mm_or_si128(_mm_andnot_si128(is_inf, h), _mm_and_si128(is_inf, _mm_set1_epi32(0x7C00)));
  h = _mm_or_si128(_mm_andnot_si128(is_nan, h), _mm_and_si128(is_nan, _mm_set1_epi32(0x7E00)));
  const __m128i sign = _mm_slli_epi32(_mm_srai_epi32(bits, 31), 15);  // 0 or 0xFFFF8000
  return _mm_or_si128(h, sign);
}

// 8 floats rounded to 8 halves.
inline __m128i PackHalvesSse2(__m128 lo, __m128 hi) {
  return _mm_packs_epi32(HalvesOfSse2(lo), HalvesOfSse2(hi));
}

// 4 floats rounded to halves, stored at p (any alignment).
inline void StoreHalvesSse2(uint16_t* p, __m128 v) {
  _mm_storel_epi64(reinterpret_cast<__m128i*>(p),
                   _mm_packs_epi32(HalvesOfSse2(v), _mm_setzero_si128()));
}

}  // namespace twopass
