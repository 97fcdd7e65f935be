// <immintrin.h> for running AVX512F kernels on CPUs without AVX512F.
//
// Used only by the emulated-AVX512F kernel libraries (build_defs.bzl,
// twopass_ukernel_family: <family>_avx512f_emulated), which compile the very
// same generated src/<family>/gen/<family>-avx512f-*.cc files with the AVX2 flags
// (-mavx2 -mfma -mf16c -mno-avx512f) and -Ithird_party/simde-shim, so that the
// kernels' `#include <immintrin.h>` lands here. Tests then run the AVX512F
// kernel logic (main loops, k-mask tails, special values) on the CI machine.
//
// How:
// 1. The compiler's own <immintrin.h> (#include_next) provides SSE/AVX/AVX2/FMA
//    natively. It also declares the AVX512F intrinsics, but as functions that
//    require target("avx512f"): any AVX512F intrinsic that nothing below
//    replaces is a compile error here, never a silent AVX512 instruction.
// 2. SIMDe (Debian libsimde-dev) with native aliases re-defines the _mm512_*
//    names as macros over its portable implementation, which here runs on two
//    AVX2 halves (real vmaxps/vcmpps/vroundps/vfmadd semantics per half).
// 3. Intrinsics whose SIMDe version is missing or differs from the hardware in
//    a way the kernels depend on are replaced below, lane by lane, following the
//    instruction definitions in the Intel SDM:
//    - k-masked loads/stores touch only the active lanes (hardware suppresses
//      faults on masked-off lanes; the tests put tails against PROT_NONE pages);
//    - vscalefps: exact a * 2^floor(b) with denormal results and the special
//      cases of the SDM table (SIMDe flushes denormals and multiplies by exp2f);
//    - masked compares, k-register helpers, the reductions and the f16
//      conversions (not in this SIMDe release);
//    - vmovntps (_mm512_stream_ps, not in this SIMDe release): a plain store that
//      aborts on an address that is not 64-byte aligned, where the hardware faults.
//
// This is a test vehicle: it is slow (scalar loops for the replaced intrinsics)
// and never part of the library that users link.
#pragma once

#include_next <immintrin.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>

#if defined(SIMDE_X86_AVX512F_NATIVE)
#error "simde-shim: compiled with AVX512F enabled; the shim is for -mno-avx512f builds"
#endif
#if !defined(SIMDE_X86_FMA_NATIVE) || !defined(SIMDE_X86_AVX2_NATIVE)
// The AVX512F kernels rely on fused multiply-add rounding (Cody-Waite, Horner);
// SIMDe's portable fallback would multiply and add separately.
#error "simde-shim: compile with -mavx2 -mfma so that _mm512_fmadd_ps stays fused"
#endif

namespace twopass_simde_shim {

constexpr int kLanes = 16;

inline void ToLanes(__m512 v, float out[kLanes]) { simde_mm512_storeu_ps(out, v); }
inline __m512 FromLanes(const float in[kLanes]) { return simde_mm512_loadu_ps(in); }
inline bool Active(__mmask16 k, int lane) { return ((k >> lane) & 1) != 0; }

// vmovups with a merge mask: inactive lanes keep `src`, their memory is not read.
inline __m512 MaskLoaduPs(__m512 src, __mmask16 k, const void* p) {
  float lanes[kLanes];
  ToLanes(src, lanes);
  for (int i = 0; i < kLanes; i++) {
    if (Active(k, i)) memcpy(&lanes[i], static_cast<const char*>(p) + i * sizeof(float), sizeof(float));
  }
  return FromLanes(lanes);
}

// vmovups with a zeroing mask: inactive lanes are +0, their memory is not read.
inline __m512 MaskzLoaduPs(__mmask16 k, const void* p) {
  return MaskLoaduPs(simde_mm512_setzero_ps(), k, p);
}

// Masked vmovups store: only active lanes are written.
inline void MaskStoreuPs(void* p, __mmask16 k, __m512 v) {
  float lanes[kLanes];
  ToLanes(v, lanes);
  for (int i = 0; i < kLanes; i++) {
    if (Active(k, i)) memcpy(static_cast<char*>(p) + i * sizeof(float), &lanes[i], sizeof(float));
  }
}

inline bool IsSignalingNaN(float x) {
  uint32_t bits;
  memcpy(&bits, &x, sizeof(bits));
  return isnan(x) && (bits & UINT32_C(0x00400000)) == 0;
}

// One lane of vscalefps (MXCSR default: round to nearest, no DAZ/FTZ).
// Special cases per the SDM's VSCALEFPS table:
//   b NaN -> NaN; a NaN -> NaN, except quiet a with b = -inf -> +0, b = +inf -> +inf;
//   a = ±inf: b = -inf -> NaN, else a;  a = ±0: b = +inf -> NaN, else a;
//   b = ±inf (a finite, non-zero): -inf -> ±0, +inf -> ±inf (sign of a).
// Otherwise a * 2^floor(b), rounded once (ldexpf is exact up to that rounding,
// including denormal results); |floor(b)| beyond 512 saturates the same way.
inline float ScalefLane(float a, float b) {
  if (isnan(b)) return b + a;  // a NaN; which payload wins is irrelevant to the kernels
  if (isnan(a)) {
    if (!IsSignalingNaN(a) && isinf(b)) return b < 0.0f ? 0.0f : INFINITY;
    return a + a;
  }
  if (isinf(a)) return (isinf(b) && b < 0.0f) ? NAN : a;
  if (a == 0.0f) return (isinf(b) && b > 0.0f) ? NAN : a;
  if (isinf(b)) return b < 0.0f ? copysignf(0.0f, a) : copysignf(INFINITY, a);
  const float e = floorf(b);
  const int exponent = e > 512.0f ? 512 : e < -512.0f ? -512 : static_cast<int>(e);
  return ldexpf(a, exponent);
}

inline __m512 ScalefPs(__m512 a, __m512 b) {
  float va[kLanes], vb[kLanes];
  ToLanes(a, va);
  ToLanes(b, vb);
  for (int i = 0; i < kLanes; i++) va[i] = ScalefLane(va[i], vb[i]);
  return FromLanes(va);
}

// x86 max: the second operand when either is NaN (or both are zeros).
inline float MaxLane(float a, float b) { return a > b ? a : b; }

// The reductions are compiler sequences, not instructions. Same tree as GCC's
// avx512fintrin.h: upper 256 bits op lower, then upper 128 op lower, then pairs,
// so sums round exactly as on hardware built with GCC.
inline float ReduceAddPs(__m512 v) {
  float lanes[kLanes];
  ToLanes(v, lanes);
  for (int width = kLanes / 2; width >= 1; width /= 2) {
    for (int i = 0; i < width; i++) lanes[i] = lanes[i + width] + lanes[i];
  }
  return lanes[0];
}

// vcvtps2pd (8 floats to 8 doubles, exact) and the double horizontal sum: SIMDe
// lacks the 512-bit forms.
inline __m512d CvtpsPd(__m256 v) {
  float in[8];
  simde_mm256_storeu_ps(in, v);
  double out[8];
  for (int i = 0; i < 8; i++) out[i] = in[i];
  return simde_mm512_loadu_pd(out);
}

inline double ReduceAddPd(__m512d v) {
  double lanes[8];
  simde_mm512_storeu_pd(lanes, v);
  for (int width = 4; width >= 1; width /= 2) {
    for (int i = 0; i < width; i++) lanes[i] = lanes[i + width] + lanes[i];
  }
  return lanes[0];
}

inline float ReduceMaxPs(__m512 v) {
  float lanes[kLanes];
  ToLanes(v, lanes);
  for (int width = kLanes / 2; width >= 1; width /= 2) {
    for (int i = 0; i < width; i++) lanes[i] = MaxLane(lanes[i + width], lanes[i]);
  }
  return lanes[0];
}

// vcvtph2ps / vcvtps2ph on 16 lanes as two native F16C halves (exact widening;
// narrowing with the same rounding immediate as the instruction).
inline __m512 CvtphPs(__m256i h) {
  float lanes[kLanes];
  _mm256_storeu_ps(lanes, _mm256_cvtph_ps(_mm256_castsi256_si128(h)));
  _mm256_storeu_ps(lanes + 8, _mm256_cvtph_ps(_mm256_extracti128_si256(h, 1)));
  return FromLanes(lanes);
}

template <int kRounding>
inline __m256i CvtpsPh(__m512 v) {
  float lanes[kLanes];
  ToLanes(v, lanes);
  const __m128i lo = _mm256_cvtps_ph(_mm256_loadu_ps(lanes), kRounding);
  const __m128i hi = _mm256_cvtps_ph(_mm256_loadu_ps(lanes + 8), kRounding);
  return _mm256_set_m128i(hi, lo);
}

// vmovntps (not in this SIMDe release): a plain store here, but the hardware faults
// (#GP) on an address that is not 64-byte aligned, so this aborts on one.
inline void StreamPs(void* p, __m512 v) {
  if (reinterpret_cast<uintptr_t>(p) % 64 != 0) {
    fprintf(stderr, "simde-shim: _mm512_stream_ps to %p, not 64-byte aligned\n", p);
    abort();
  }
  simde_mm512_storeu_ps(p, v);
}

}  // namespace twopass_simde_shim

// The compiler's versions of these are target("avx512f") functions; macros
// redirect the kernels' calls (the names cannot be redefined as functions).
#undef _mm512_mask_loadu_ps
#undef _mm512_maskz_loadu_ps
#undef _mm512_mask_storeu_ps
#undef _mm512_scalef_ps
#undef _mm512_stream_ps
#undef _mm512_reduce_add_ps
#undef _mm512_reduce_add_pd
#undef _mm512_cvtps_pd
#undef _mm512_reduce_max_ps
#undef _mm512_mask_cmp_ps_mask
#undef _mm512_cvtph_ps
#undef _mm512_cvtps_ph
#undef _cvtu32_mask16
#undef _cvtmask16_u32
#undef _kand_mask16
#define _mm512_mask_loadu_ps(src, k, p) twopass_simde_shim::MaskLoaduPs((src), (k), (p))
#define _mm512_maskz_loadu_ps(k, p) twopass_simde_shim::MaskzLoaduPs((k), (p))
#define _mm512_mask_storeu_ps(p, k, v) twopass_simde_shim::MaskStoreuPs((p), (k), (v))
#define _mm512_scalef_ps(a, b) twopass_simde_shim::ScalefPs((a), (b))
#define _mm512_stream_ps(p, v) twopass_simde_shim::StreamPs((p), (v))
#define _mm512_reduce_add_ps(v) twopass_simde_shim::ReduceAddPs(v)
#define _mm512_reduce_add_pd(v) twopass_simde_shim::ReduceAddPd(v)
#define _mm512_cvtps_pd(v) twopass_simde_shim::CvtpsPd(v)
#define _mm512_reduce_max_ps(v) twopass_simde_shim::ReduceMaxPs(v)
#define _mm512_cvtph_ps(h) twopass_simde_shim::CvtphPs(h)
#define _mm512_cvtps_ph(v, rounding) twopass_simde_shim::CvtpsPh<(rounding)>(v)
// vcmpps with a mask operand: lanes outside k compare false.
#define _mm512_mask_cmp_ps_mask(k, a, b, predicate) \
  static_cast<__mmask16>((k) & simde_mm512_cmp_ps_mask((a), (b), (predicate)))
#define _cvtu32_mask16(x) static_cast<__mmask16>(x)
#define _cvtmask16_u32(k) static_cast<uint32_t>(k)
#define _kand_mask16(a, b) static_cast<__mmask16>((a) & (b))
