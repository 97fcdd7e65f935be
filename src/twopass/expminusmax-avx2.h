// exp(x - max), up to a per-call factor (twopass/expminusmax-ref.h), on eight
// lanes with FMA, AVX2: the exp helper shared by the
// kernel families f32-raddstoreexpminusmax, f32-raddexpminusmax and
// f32-vscaleexpminusmax, whose src/<family>/avx2.cc.in templates include this
// header, and the maskload/maskstore mask of their remainder code. The steps and the
// special values are documented once, here; the range reduction and the polynomial
// are those of the two-pass kernels (twopass/extexp-avx2.h), the constants those of
// twopass/exp-constants.h, the math and its per-ISA differences in docs/exp-math.md.
//
// Internal to the avx2 kernel files (build_defs.bzl: -mavx2 -mfma -mf16c
// -mno-avx512f); the intrinsics need those flags. Everything is in an anonymous
// namespace on purpose: each kernel file gets its own internal copy, compiled
// with its own ISA flags, which the linker can never merge with a copy built
// for another target.
#pragma once

#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "twopass/exp-constants.h"
#include "twopass/expminusmax-ref.h"
#include "twopass/extexp-avx2.h"

namespace {

// The per-call constants of ExpMinusMax(), broadcast from GetExpMinusMaxRef(max)
// (twopass/expminusmax-ref.h, which explains the reference point and the flush).
struct ExpMinusMaxParams {
  bool shift_needed;  // shift != 0: the kernels then run ExpMinusMax<true>
  __m256 shift;
  __m256 cut;
  __m256 bias;
  __m256 upper;       // ClampAboveMax(): the caller's clamp of x
  bool clamp_needed;  // upper < +inf: the kernels then run ClampAboveMax<true>
};

inline ExpMinusMaxParams MakeExpMinusMaxParams(float max, float upper = INFINITY) {
  const twopass::ExpMinusMaxRef r = twopass::GetExpMinusMaxRef(max);
  return ExpMinusMaxParams{r.shift != 0.0f,        _mm256_set1_ps(r.shift), _mm256_set1_ps(r.cut),
                           _mm256_set1_ps(r.bias), _mm256_set1_ps(upper),   upper < INFINITY};
}

// x clamped above at the caller's upper (twopass/expminusmax-ref.h, "Above max"; at most
// the reference's upper: n - k <= 62): f32-raddstoreexpminusmax
// under a max estimated from a sample. The min returns its second operand when either is
// NaN: a NaN x stays NaN. kClamp = false (upper = +inf, an exact max) leaves x as it is
// without the operation (5-8% of the kernel, measured on AVX512F).
template <bool kClamp>
inline __m256 ClampAboveMax(__m256 vx, const ExpMinusMaxParams& params) {
  return kClamp ? _mm256_min_ps(params.upper, vx) : vx;
}

// exp(x - ref) on eight lanes with FMA, ref = shift + k*ln2 (expminusmax-ref.h):
// 1. x' = x - shift (exact where it matters, see expminusmax-ref.h), clamped below:
//    xc = max(cut, x'). vmaxps returns its second operand when either is NaN, so a
//    NaN x' stays NaN; -inf and -FLT_MAX become cut.
// 2. v = fma(xc, log2e, bias), bias = kExp2Magic - k (twopass/exp-constants.h): rounds
//    xc*log2e to the integer n (to nearest even) and leaves n - k + 127, in [0, 128],
//    in the low mantissa bits, so s = 2^(n - k) is those bits shifted into the exponent
//    field (Exp2FromBiased): +0 for n - k = -127 (the flushed terms), a normal power of
//    two above. n = v - bias exactly.
// 3. t = xc - n*ln2 with the two-constant Cody-Waite split for FMA (ReduceLn2 of
//    twopass/extexp-avx2.h, kLn2Hi and kLn2Lo); each FMA rounds once. t in about
//    [-ln2/2, ln2/2].
// 4. q(t) = c1 + t*(c2 + t*(c3 + t*(c4 + t*c5))) (ExpPolyQ, the published degree-5
//    minimax coefficients kExpC1..kExpC5), Horner with FMA; p(t) = 1 + t*q(t).
// 5. exp(x - ref) = s * p = fma(t*s, q(t), s), which rounds better than
//    forming p first; exactly +0 where s = +0 (t*s = ±0). A NaN x' gives NaN through t.
// Twelve vector operations per eight elements, no comparison or blend.
// kShift = false skips step 1's subtraction, for shift == 0 (|max| < 2^14, the common
// case): one vector operation less per vector, 9% faster measured on AVX2.
template <bool kShift>
inline __m256 ExpMinusMax(__m256 vx, const ExpMinusMaxParams& params) {
  const __m256 vxs = kShift ? _mm256_sub_ps(vx, params.shift) : vx;
  const __m256 vxc = _mm256_max_ps(params.cut, vxs);
  __m256 vn = _mm256_fmadd_ps(vxc, _mm256_set1_ps(twopass::kLog2e), params.bias);
  const __m256 vs = Exp2FromBiased(vn);
  vn = _mm256_sub_ps(vn, params.bias);
  __m256 vt = ReduceLn2(vn, vxc);
  const __m256 vq = ExpPolyQ(vt);
  vt = _mm256_mul_ps(vt, vs);
  return _mm256_fmadd_ps(vt, vq, vs);
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

inline F64Acc F64AccZero() { return F64Acc{_mm256_setzero_pd(), _mm256_setzero_pd()}; }

inline void F64AccAdd(F64Acc* acc, __m256 v) {
  acc->lo = _mm256_add_pd(acc->lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  acc->hi = _mm256_add_pd(acc->hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

inline void F64AccMerge(F64Acc* acc, const F64Acc& other) {
  acc->lo = _mm256_add_pd(acc->lo, other.lo);
  acc->hi = _mm256_add_pd(acc->hi, other.hi);
}

// The total of acc and the float lanes of rest, rounded to float once.
inline float F64AccTotal(F64Acc acc, __m256 rest) {
  F64AccAdd(&acc, rest);
  const __m256d vs = _mm256_add_pd(acc.lo, acc.hi);
  __m128d vh = _mm_add_pd(_mm256_castpd256_pd128(vs), _mm256_extractf128_pd(vs, 1));
  vh = _mm_add_sd(vh, _mm_unpackhi_pd(vh, vh));
  return static_cast<float>(_mm_cvtsd_f64(vh));
}

// maskload/maskstore mask with the first n lanes active (0 < n < 8): the
// eight entries of {-1 x 7, 0 x 7} starting at 7 - n.
alignas(32) const int32_t kTailMask[14] = {-1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0};

inline __m256i TailMask(size_t elements) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&kTailMask[7 - elements]));
}

}  // namespace
