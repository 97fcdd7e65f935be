// exp(x - max), up to a per-call factor (twopass/expminusmax-ref.h), on eight
// lanes with FMA, AVX2: the exp helper shared by the
// kernel families f32-raddstoreexpminusmax, f32-raddexpminusmax and
// f32-vscaleexpminusmax, whose src/<family>/avx2.cc.in templates include this
// header, and the maskload/maskstore mask of their remainder code. The math,
// the constants and the special values are documented step by step once, here.
//
// Internal to the avx2 kernel files (build_defs.bzl: -mavx2 -mfma -mf16c
// -mno-avx512f); the intrinsics need those flags. Everything is in an anonymous
// namespace on purpose: each kernel file gets its own internal copy, compiled
// with its own ISA flags, which the linker can never merge with a copy built
// for another target.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

#include "twopass/expminusmax-ref.h"

namespace {

// The per-call constants of exp_minus_max(), broadcast from GetExpMinusMaxRef(max)
// (twopass/expminusmax-ref.h, which explains the reference point and the flush).
struct ExpMinusMaxParams {
  bool shift_needed;  // shift != 0: the kernels then run exp_minus_max<true>
  __m256 shift;
  __m256 cut;
  __m256 bias;
};

inline ExpMinusMaxParams exp_minus_max_params(float max) {
  const twopass::ExpMinusMaxRef r = twopass::GetExpMinusMaxRef(max);
  return ExpMinusMaxParams{r.shift != 0.0f, _mm256_set1_ps(r.shift), _mm256_set1_ps(r.cut), _mm256_set1_ps(r.bias)};
}

// exp(x - ref) on eight lanes with FMA, ref = shift + k*ln2 (expminusmax-ref.h):
// 1. x' = x - shift (exact where it matters, see expminusmax-ref.h), clamped below:
//    xc = max(cut, x'). vmaxps returns its second operand when either is NaN, so a
//    NaN x' stays NaN; -inf and -FLT_MAX become cut.
// 2. v = fma(xc, log2e, bias), log2e = 0x1.715476p+0f, bias = 0x1.8000FEp+23f - k:
//    rounds xc*log2e to the integer n (to nearest even) and leaves n - k + 127, in
//    [0, 128], in the low mantissa bits, so s = 2^(n - k) is those bits shifted into
//    the exponent field: +0 for n - k = -127 (the flushed terms), a normal power of
//    two above. n = v - bias exactly.
// 3. t = xc - n*ln2 with the two-constant Cody-Waite split for FMA:
//    ln2_hi = 0x1.62E430p-1f (ln2 rounded to float), ln2_lo = -0x1.05C610p-29f
//    (the rounded remainder); each FMA rounds once. t in about [-ln2/2, ln2/2].
// 4. p(t) = 1 + t*(c1 + t*(c2 + t*(c3 + t*(c4 + t*c5)))), the published degree-5
//    minimax coefficients (c1 = 0x1.FFFFF6p-1f, c2 = 0x1.FFFDC6p-2f,
//    c3 = 0x1.555A80p-3f, c4 = 0x1.573A1Ap-5f, c5 = 0x1.0F9F9Cp-7f), Horner with FMA.
// 5. exp(x - ref) = s * p = fma(t*s, c1 + t*(...), s), which rounds better than
//    forming p first; exactly +0 where s = +0 (t*s = ±0). A NaN x' gives NaN through t.
// Twelve vector operations per eight elements, no comparison or blend.
// kShift = false skips step 1's subtraction, for shift == 0 (|max| < 2^14, the common
// case): one vector operation less per vector, 9% faster measured on AVX2.
template <bool kShift>
inline __m256 exp_minus_max(__m256 vx, const ExpMinusMaxParams& params) {
  const __m256 vlog2e = _mm256_set1_ps(0x1.715476p+0f);
  const __m256 vminus_ln2_hi = _mm256_set1_ps(-0x1.62E430p-1f);
  const __m256 vminus_ln2_lo = _mm256_set1_ps(0x1.05C610p-29f);
  const __m256 vc5 = _mm256_set1_ps(0x1.0F9F9Cp-7f);
  const __m256 vc4 = _mm256_set1_ps(0x1.573A1Ap-5f);
  const __m256 vc3 = _mm256_set1_ps(0x1.555A80p-3f);
  const __m256 vc2 = _mm256_set1_ps(0x1.FFFDC6p-2f);
  const __m256 vc1 = _mm256_set1_ps(0x1.FFFFF6p-1f);

  const __m256 vxs = kShift ? _mm256_sub_ps(vx, params.shift) : vx;
  const __m256 vxc = _mm256_max_ps(params.cut, vxs);
  __m256 vn = _mm256_fmadd_ps(vxc, vlog2e, params.bias);
  const __m256 vs = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(vn), 23));
  vn = _mm256_sub_ps(vn, params.bias);
  __m256 vt = _mm256_fmadd_ps(vn, vminus_ln2_hi, vxc);
  vt = _mm256_fmadd_ps(vn, vminus_ln2_lo, vt);
  __m256 vp = _mm256_fmadd_ps(vc5, vt, vc4);
  vp = _mm256_fmadd_ps(vp, vt, vc3);
  vp = _mm256_fmadd_ps(vp, vt, vc2);
  vp = _mm256_fmadd_ps(vp, vt, vc1);
  vt = _mm256_mul_ps(vt, vs);
  return _mm256_fmadd_ps(vt, vp, vs);
}

// Sums of the exp terms in double: each main-loop iteration adds its few float
// terms in float (one or two roundings), then into double lanes, so the relative
// error of a sum stays ~1e-7 at any length, even for rows of equal terms whose float
// roundings all go the same way (a float accumulator of 4096 terms equal to
// 0.966 drifted 3e-6).
struct F64Acc {
  __m256d lo;
  __m256d hi;
};

inline F64Acc f64acc_zero() { return F64Acc{_mm256_setzero_pd(), _mm256_setzero_pd()}; }

inline void f64acc_add(F64Acc* acc, __m256 v) {
  acc->lo = _mm256_add_pd(acc->lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  acc->hi = _mm256_add_pd(acc->hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

inline void f64acc_merge(F64Acc* acc, const F64Acc& other) {
  acc->lo = _mm256_add_pd(acc->lo, other.lo);
  acc->hi = _mm256_add_pd(acc->hi, other.hi);
}

// The total of acc and the float lanes of rest, rounded to float once.
inline float f64acc_total(F64Acc acc, __m256 rest) {
  f64acc_add(&acc, rest);
  const __m256d vs = _mm256_add_pd(acc.lo, acc.hi);
  __m128d vh = _mm_add_pd(_mm256_castpd256_pd128(vs), _mm256_extractf128_pd(vs, 1));
  vh = _mm_add_sd(vh, _mm_unpackhi_pd(vh, vh));
  return static_cast<float>(_mm_cvtsd_f64(vh));
}

// maskload/maskstore mask with the first n lanes active (0 < n < 8): the
// eight entries of {-1 x 7, 0 x 7} starting at 7 - n.
alignas(32) const int32_t kTailMask[14] = {-1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0};

inline __m256i tail_mask(size_t elements) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&kTailMask[7 - elements]));
}

}  // namespace
