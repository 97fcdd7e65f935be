// exp(x - max), up to a per-call factor (twopass/expminusmax-ref.h), on sixteen
// lanes with FMA, AVX512F: the exp helper shared by the
// kernel families f32-raddstoreexpminusmax, f32-raddexpminusmax,
// f32-vscaleexpminusmax and f32-softmaxrow, whose src/<family>/avx512f.cc.in templates
// include this header, and the k-mask of their remainder code. The reference point is
// the other ISAs' (twopass/expminusmax-ref.h); the exp is the table form of the two-pass
// kernels, built from the helpers of twopass/extexp-avx512f.h and the constants of
// twopass/exp-constants.h (docs/exp-math.md).
//
// Internal to the avx512f kernel files (build_defs.bzl: -mavx512f -mavx2 -mfma
// -mf16c). The emulated-AVX512F test libraries compile those same files with
// the AVX2 flags, -mno-avx512f and -Ithird_party/simde-shim, so <immintrin.h>
// below is then the SIMDe shim, as it is for the including kernel file.
// Everything is in an anonymous namespace on purpose: each kernel file gets its
// own internal copy, compiled with its own ISA flags, which the linker can
// never merge with a copy built for another target (such as the emulated one).
#pragma once

#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "twopass/exp-constants.h"
#include "twopass/expminusmax-ref.h"
#include "twopass/extexp-avx512f.h"
#include "twopass/tail-mask-avx512f.h"

namespace {

// The per-call constants of ExpMinusMax(), from GetExpMinusMaxRef(max)
// (twopass/expminusmax-ref.h, which explains the reference point ref = shift + k*ln2).
struct ExpMinusMaxParams {
  bool shift_needed;  // shift != 0: the kernels then run ExpMinusMax<true>
  __m512 shift;
  __m512 cut;    // (k - kTableCutOffset) * ln2: N - 16k = -2032 exactly, whence +0
  __m512 bias;   // kTableBiasAtZero - 16k: v's low 13 bits hold 16(n - k + 64) + j
  __m512 table;  // Exp2Table16Scaled()
  __m512 upper;  // ClampAboveMax(): the caller's clamp of x
  bool clamp_needed;  // upper < +inf: the kernels then run ClampAboveMax<true>
};

inline ExpMinusMaxParams MakeExpMinusMaxParams(float max, float upper = INFINITY) {
  const twopass::ExpMinusMaxRef r = twopass::GetExpMinusMaxRef(max);
  // |k| <= 23637: k - kTableCutOffset and the bias are exact; cut is within 2^-9 of the
  // exact product (expminusmax-ref.h), which moves 16 cut log2e by 0.05 at most, and
  // -2031.75 is 0.25 from the rounding to -2032's edges.
  const float cut = (r.k - kTableCutOffset) * twopass::kLn2Hi;
  const float bias = kTableBiasAtZero - 16.0f * r.k;
  return ExpMinusMaxParams{r.shift != 0.0f,      _mm512_set1_ps(r.shift), _mm512_set1_ps(cut),
                           _mm512_set1_ps(bias), Exp2Table16Scaled(),     _mm512_set1_ps(upper),
                           upper < INFINITY};
}

// x clamped above at the caller's upper (twopass/expminusmax-ref.h, "Above max"; at most
// the reference's upper: n - k <= 62, within the table form's n - k <= 63):
// f32-raddstoreexpminusmax under a max estimated from a sample. The min returns its second operand
// when either is NaN: a NaN x stays NaN. kClamp = false (upper = +inf, an exact max) leaves x as it
// is without the operation (5-8% of the kernel, measured on AVX512F).
template <bool kClamp>
inline __m512 ClampAboveMax(__m512 vx, const ExpMinusMaxParams& params) {
  return kClamp ? _mm512_min_ps(params.upper, vx) : vx;
}

// exp(x - ref) on sixteen lanes, ref = shift + k*ln2, in the table form of the two-pass
// kernels (twopass/extexp-avx512f.h, docs/exp-math.md "Table form"): xc = max(cut,
// x - shift) (NaN kept: vmaxps returns its second operand), v = fma(xc, 16 log2e, bias)
// holding N = round(16 xc log2e) = 16n + j, s = 2^(n - k) * 2^(j/16) by one vpermps and
// an integer add into the entry's exponent field, t = xc - N*ln2/16, result s * q(t):
// 7 FMA-pipe operations per 16 terms against the degree-5 form's 9 (kernels 1.06-1.14x).
// Flush: at the cut N - 16k = -2032 (n - k = -127, j = 0) and the exponent field wraps to
// 0 on an entry with a zero significand: +0 for every term below 2^-126.97 (x = -inf
// included). For N - 16k in [-2031, -2017] (terms in [2^-126.97, 2^-126.03)) the field
// wraps onto the entry's significand: (2^(j/16) - 1) 2^-126 q(t) = 2 term - q 2^-126,
// between 0 and the term. Every term below 2^-126.03 is thus off by less than 2^-126.96,
// where the degree-5 form's flush drops terms up to 2^-126.5 (test/expminusmax-microkernel-
// tester.h checks these values).
// kShift = false skips step 1's subtraction, for shift == 0 (|max| < 2^14, the common
// case): one vector operation less per vector, 9% faster measured on AVX2.
template <bool kShift>
inline __m512 ExpMinusMax(__m512 vx, const ExpMinusMaxParams& params) {
  const __m512 vxs = kShift ? _mm512_sub_ps(vx, params.shift) : vx;
  const __m512 vxc = _mm512_max_ps(params.cut, vxs);
  const __m512 vv = _mm512_fmadd_ps(vxc, _mm512_set1_ps(twopass::kLog2e * 16.0f), params.bias);
  // s * q as an FMA with +0 (the same rounding; s * q >= 0, so the same zeros): under gcc's
  // default -ffp-contract=fast a plain product is fused into the kernels' next sum, which
  // then adds the exact s * q where the output holds it rounded, and sums differ per
  // kernel. The build turns fusion off (build_defs.bzl); this holds under any flags.
  return AddTableTermAt(_mm512_setzero_ps(), vxc, vv, params.bias, params.table);
}

// Sums of the exp terms in double, as in twopass/expminusmax-avx2.h (which says
// why): float terms of an iteration added in float, then into double lanes.
struct F64Acc {
  __m512d lo;
  __m512d hi;
};

inline F64Acc F64AccZero() { return F64Acc{_mm512_setzero_pd(), _mm512_setzero_pd()}; }

inline void F64AccAdd(F64Acc* acc, __m512 v) {
  const __m256 vhigh = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  acc->lo = _mm512_add_pd(acc->lo, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
  acc->hi = _mm512_add_pd(acc->hi, _mm512_cvtps_pd(vhigh));
}

inline void F64AccMerge(F64Acc* acc, const F64Acc& other) {
  acc->lo = _mm512_add_pd(acc->lo, other.lo);
  acc->hi = _mm512_add_pd(acc->hi, other.hi);
}

// The total of acc and the float lanes of rest, rounded to float once.
inline float F64AccTotal(F64Acc acc, __m512 rest) {
  F64AccAdd(&acc, rest);
  return static_cast<float>(_mm512_reduce_add_pd(_mm512_add_pd(acc.lo, acc.hi)));
}

// Two rows' F64AccTotal(F64AccZero(), v) at once, bitwise: the same additions in the
// same tree (_mm512_reduce_add_pd's: 256-bit halves, 128-bit halves, then the pair; zero
// added to a lane changes nothing, sums being +0 or more), both rows in one vector; out =
// {total0, total1, 1 / (double) total0, 1 / (double) total1}, each rounded to float.
// Why: f32-softmaxrow's per-row reduction and divide; 1.11x on 1000 x 128 rows.
// Intrinsics this SIMDe release emulates only (no vshuff64x2, no 512-bit vcvtpd2ps).
inline void F64AccTotals2(__m512 v0, __m512 v1, float* out) {
  const __m512d d0 = _mm512_add_pd(
      _mm512_cvtps_pd(_mm512_castps512_ps256(v0)),
      _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v0), 1))));
  const __m512d d1 = _mm512_add_pd(
      _mm512_cvtps_pd(_mm512_castps512_ps256(v1)),
      _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v1), 1))));
  // [d0 low half + d0 high half, d1 low half + d1 high half]
  const __m512d h = _mm512_add_pd(_mm512_insertf64x4(d0, _mm512_extractf64x4_pd(d1, 0), 1),
                                  _mm512_insertf64x4(d1, _mm512_extractf64x4_pd(d0, 1), 0));
  const __m512d q =
      _mm512_add_pd(h, _mm512_permutexvar_pd(_mm512_set_epi64(5, 4, 7, 6, 1, 0, 3, 2), h));
  const __m512d t = _mm512_add_pd(q, _mm512_unpackhi_pd(q, q));  // totals in lanes 0 and 4
  const __m128 sums = _mm_cvtpd_ps(_mm_unpacklo_pd(
      _mm512_castpd512_pd128(t), _mm256_castpd256_pd128(_mm512_extractf64x4_pd(t, 1))));
  const __m128 scales = _mm_cvtpd_ps(_mm_div_pd(_mm_set1_pd(1.0), _mm_cvtps_pd(sums)));
  out[0] = _mm_cvtss_f32(sums);
  out[1] = _mm_cvtss_f32(_mm_shuffle_ps(sums, sums, 1));
  out[2] = _mm_cvtss_f32(scales);
  out[3] = _mm_cvtss_f32(_mm_shuffle_ps(scales, scales, 1));
}

}  // namespace
