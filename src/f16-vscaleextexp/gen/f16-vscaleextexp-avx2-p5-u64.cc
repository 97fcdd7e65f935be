// Auto-generated file. Do not edit!
//   Template: src/f16-vscaleextexp/avx2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_vscaleextexp_ukernel__avx2_p5_u64

// Pass 2 of the Two-Pass softmax on IEEE half-precision data, AVX2 + FMA3 + F16C,
// 8 lanes; all arithmetic in f32.
//
// output[i] = exp(input[i]) * scale_mantissa * 2^scale_exponent, computed as
// (p * scale_mantissa) * 2^(n_eff + scale_exponent) from exp(x) = p * 2^n_eff, so
// that exp(x) itself never has to be representable (softmax passes 1/m and -e of
// the pass-1 sum (m, e)).
//
// Contract (tested on every ISA by test/f16-vscaleextexp.cc):
// - scale_exponent is integer-valued. For results in the normal range the error is
//   that of exp (below) plus one rounding of p * scale_mantissa.
// - x = -inf gives exactly +0 (for a finite positive scale_mantissa); NaN gives NaN.
// - 2^(n_eff + scale_exponent) saturates: exponents below -126 give 0 (results below
//   about 2^-126 * |p * scale_mantissa| flush to zero) and exponents above 127 give
//   +inf (results that would exceed 2^127 may saturate to inf).
// - Reads [input, input + batch), writes [output, output + batch), nothing else;
//   output == input (in place) works; no alignment requirement.
//
// Half-precision input and output (this file is generated from the f32 template
// with FAMILY f16-vscaleextexp): batch counts bytes, 2 per element. Inputs are
// widened exactly with vcvtph2ps; results are narrowed with vcvtps2ph, rounding to
// nearest even (immediate rounding mode, independent of MXCSR).
// Each result is computed in f32 as below and then rounded to the nearest half
// (ties to even); results below the smallest normal half (2^-14) become correctly
// rounded subnormal halves or +0. The f32 result is rounded first, so the half is
// within 0.5 half-ULP plus the f32 error of the exact value; it is never more than
// 1 half-ULP away. NaN stays NaN (quiet), +inf stays +inf.
// vmaskmovps has no 16-bit form: the 1-7 element tail goes through a buffer
// (copied in, converted, copied out; in place still works).
//
// Math per element x: docs/exp-math.md (steps 1-6; the per-ISA differences are listed
// there), with the helpers of twopass/extexp-avx2.h and the constants of
// twopass/exp-constants.h. In short: (p, n_eff) as in pass 1 (x_c = min(B, max(-B, x)),
// dx = x - x_c, n = roundps(x_c * log2e), two-constant FMA Cody-Waite split, degree-5
// polynomial, n_eff = n + dx); d = n_eff + scale_exponent clamped to [-127, 128]
// (max(d, -127) maps NaN to -127: p is NaN already); 2^d from the bits of d +
// kExp2Magic shifted left by 23 (d = -127 gives +0, so x = -inf gives +0; d = 128 gives
// +inf); y = (p * scale_mantissa) * 2^d (ScaleExtExp).
// The main loop first computes each block of 64 without step 1 (x_c = x, dx = 0)
// and keeps that only when every |n| <= 2^23, i.e. every |x| < B, where step 1 changes
// nothing; blocks holding ±inf or |x| > 5.8e6 are recomputed with step 1 (about 1.15x
// faster on in-range data).
// 64 elements (8 vectors) per iteration, all loaded before any store (in
// place); then whole vectors; then the last 1-7 elements through a buffer.
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// on 2026-11-24: avx2 max 1.95 ULP (bound asserted: 3 ULP).

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <immintrin.h>

#include <type_traits>

#include "twopass/exp-constants.h"
#include "twopass/extexp-avx2.h"
#include "twopass/microkernels.h"

namespace {

// 8 halves widened exactly to floats (vcvtph2ps).
inline __m256 LoadF16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// 8 floats rounded to halves, nearest even (vcvtps2ph).
inline void StoreF16(uint16_t* p, __m256 v) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}

// The per-call constants of both forms.
struct ScaleParams {
  __m256 vs;    // scale_mantissa
  __m256 ve;    // scale_exponent
  __m256 lo;    // ScaledExpByK: the x where n + e reaches -127 (+0) ...
  __m256 hi;    // ... and 128 (+inf)
  __m256 bias;  // kExp2Magic + e
};

inline ScaleParams MakeScaleParams(float scale_mantissa, float scale_exponent) {
  ScaleParams q;
  q.vs = _mm256_set1_ps(scale_mantissa);
  q.ve = _mm256_set1_ps(scale_exponent);
  const double ln2 = 0.69314718055994530942;
  q.lo = _mm256_set1_ps(static_cast<float>((-127.0 - scale_exponent) * ln2));
  q.hi = _mm256_set1_ps(static_cast<float>((128.0 - scale_exponent) * ln2));
  q.bias = _mm256_set1_ps(twopass::kExp2Magic + scale_exponent);
  return q;
}

// The form for |scale_exponent| <= 2^14 (always in softmax, where |e| <= 14427 plus
// log2 of the row length): steps 1-6 with 14 vector operations instead of 18. x is
// clamped to [lo, hi], the inputs where n + e reaches -127 and 128, which does the
// saturation of step 6 (|lo|, |hi| < 11500, so step 1's clamp to B is implied and dx
// = 0; NaN stays NaN: max/min return their second operand). v = fma(xc, log2e,
// kExp2Magic + e) rounds xc*log2e to n (nearest even) and leaves n + e + 127, in
// [0, 255], in its low mantissa bits; shifted into the exponent field they are
// 2^(n + e): +0 at -127, +inf at 128. n = v - bias exactly; t and the polynomial as in
// ExtExpUnclamped, p = fma(q, t, 1) first so that p * +inf stays +inf. The results follow the
// contract above and are ScaledExtExp's bits wherever neither saturates: both round the
// exact product to n (RoundXLog2e does for |n| <= 2^21, which every unsaturated x here is).
inline __m256 ScaledExpByK(__m256 vx, const ScaleParams& q) {
  const __m256 vlog2e = _mm256_set1_ps(twopass::kLog2e);

  const __m256 vxc = _mm256_min_ps(q.hi, _mm256_max_ps(q.lo, vx));
  __m256 vn = _mm256_fmadd_ps(vxc, vlog2e, q.bias);
  const __m256 vscale = Exp2FromBiased(vn);
  vn = _mm256_sub_ps(vn, q.bias);
  const __m256 vt = ReduceLn2(vn, vxc);
  const __m256 vp = ExpPoly(vt);
  return _mm256_mul_ps(_mm256_mul_ps(vp, q.vs), vscale);
}

// One element vector by the form the call chose.
template <bool kByK>
inline __m256 Scaled(__m256 vx, const ScaleParams& q) {
  return kByK ? ScaledExpByK(vx, q) : ScaledExtExp(vx, q.vs, q.ve);
}


}  // namespace

extern "C" void twopass_f16_vscaleextexp_ukernel__avx2_p5_u64(size_t batch, const void* input_data, void* output_data,
                           float scale_mantissa, float scale_exponent) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  uint16_t* output = static_cast<uint16_t*>(output_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(output != nullptr);

  const ScaleParams q = MakeScaleParams(scale_mantissa, scale_exponent);
  // Two forms of the same loops: ScaledExpByK where the scale exponent allows (the
  // softmax case), the general ScaledExtExp otherwise.
  const auto compute = [&](auto by_k) {
    constexpr bool kByK = decltype(by_k)::value;
    for (; batch >= 64 * sizeof(uint16_t); batch -= 64 * sizeof(uint16_t)) {
      const __m256 vx0 = LoadF16(input + 0);
      const __m256 vx1 = LoadF16(input + 8);
      const __m256 vx2 = LoadF16(input + 16);
      const __m256 vx3 = LoadF16(input + 24);
      const __m256 vx4 = LoadF16(input + 32);
      const __m256 vx5 = LoadF16(input + 40);
      const __m256 vx6 = LoadF16(input + 48);
      const __m256 vx7 = LoadF16(input + 56);
      input += 64;

      if constexpr (kByK) {
        StoreF16(output + 0, ScaledExpByK(vx0, q));
        StoreF16(output + 8, ScaledExpByK(vx1, q));
        StoreF16(output + 16, ScaledExpByK(vx2, q));
        StoreF16(output + 24, ScaledExpByK(vx3, q));
        StoreF16(output + 32, ScaledExpByK(vx4, q));
        StoreF16(output + 40, ScaledExpByK(vx5, q));
        StoreF16(output + 48, ScaledExpByK(vx6, q));
        StoreF16(output + 56, ScaledExpByK(vx7, q));
        output += 64;
        continue;
      }
      // Optimistic block: exp without the clamp of step 1, kept only if every
      // |n| <= 2^23 (so every |x| <= 2^23 * ln2 + 1 < B, where the clamp is a no-op and
      // dx = 0: the same results); otherwise (±inf, |x| > 5.8e6) the block is redone
      // with the clamp. NaN lanes pass the check (max/min return their second operand)
      // and give NaN on both paths.
      __m256 vp0, vn0;
      ExtExpUnclamped(vx0, &vp0, &vn0);
      __m256 vp1, vn1;
      ExtExpUnclamped(vx1, &vp1, &vn1);
      __m256 vp2, vn2;
      ExtExpUnclamped(vx2, &vp2, &vn2);
      __m256 vp3, vn3;
      ExtExpUnclamped(vx3, &vp3, &vn3);
      __m256 vp4, vn4;
      ExtExpUnclamped(vx4, &vp4, &vn4);
      __m256 vp5, vn5;
      ExtExpUnclamped(vx5, &vp5, &vn5);
      __m256 vp6, vn6;
      ExtExpUnclamped(vx6, &vp6, &vn6);
      __m256 vp7, vn7;
      ExtExpUnclamped(vx7, &vp7, &vn7);
      __m256 vmin = _mm256_setzero_ps();
      __m256 vmax = _mm256_setzero_ps();
      vmin = _mm256_min_ps(vn0, vmin);
      vmax = _mm256_max_ps(vn0, vmax);
      vmin = _mm256_min_ps(vn1, vmin);
      vmax = _mm256_max_ps(vn1, vmax);
      vmin = _mm256_min_ps(vn2, vmin);
      vmax = _mm256_max_ps(vn2, vmax);
      vmin = _mm256_min_ps(vn3, vmin);
      vmax = _mm256_max_ps(vn3, vmax);
      vmin = _mm256_min_ps(vn4, vmin);
      vmax = _mm256_max_ps(vn4, vmax);
      vmin = _mm256_min_ps(vn5, vmin);
      vmax = _mm256_max_ps(vn5, vmax);
      vmin = _mm256_min_ps(vn6, vmin);
      vmax = _mm256_max_ps(vn6, vmax);
      vmin = _mm256_min_ps(vn7, vmin);
      vmax = _mm256_max_ps(vn7, vmax);
      const __m256 vout_of_range =
          _mm256_or_ps(_mm256_cmp_ps(vmax, _mm256_set1_ps(twopass::kExtExpBound), _CMP_GT_OQ),
                       _mm256_cmp_ps(vmin, _mm256_set1_ps(-twopass::kExtExpBound), _CMP_LT_OQ));
      if (__builtin_expect(_mm256_movemask_ps(vout_of_range) == 0, 1)) {
        StoreF16(output + 0, ScaleExtExp(vp0, vn0, q.vs, q.ve));
        StoreF16(output + 8, ScaleExtExp(vp1, vn1, q.vs, q.ve));
        StoreF16(output + 16, ScaleExtExp(vp2, vn2, q.vs, q.ve));
        StoreF16(output + 24, ScaleExtExp(vp3, vn3, q.vs, q.ve));
        StoreF16(output + 32, ScaleExtExp(vp4, vn4, q.vs, q.ve));
        StoreF16(output + 40, ScaleExtExp(vp5, vn5, q.vs, q.ve));
        StoreF16(output + 48, ScaleExtExp(vp6, vn6, q.vs, q.ve));
        StoreF16(output + 56, ScaleExtExp(vp7, vn7, q.vs, q.ve));
      } else {
        StoreF16(output + 0, ScaledExtExp(vx0, q.vs, q.ve));
        StoreF16(output + 8, ScaledExtExp(vx1, q.vs, q.ve));
        StoreF16(output + 16, ScaledExtExp(vx2, q.vs, q.ve));
        StoreF16(output + 24, ScaledExtExp(vx3, q.vs, q.ve));
        StoreF16(output + 32, ScaledExtExp(vx4, q.vs, q.ve));
        StoreF16(output + 40, ScaledExtExp(vx5, q.vs, q.ve));
        StoreF16(output + 48, ScaledExtExp(vx6, q.vs, q.ve));
        StoreF16(output + 56, ScaledExtExp(vx7, q.vs, q.ve));
      }
      output += 64;
    }
    for (; batch >= 8 * sizeof(uint16_t); batch -= 8 * sizeof(uint16_t)) {
      const __m256 vx = LoadF16(input);
      input += 8;
      StoreF16(output, Scaled<kByK>(vx, q));
      output += 8;
    }
    if (batch != 0) {
      // 1-7 elements through a buffer: only [input, input + batch) is read and only
      // [output, output + batch) written.
      uint16_t buffer[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      memcpy(buffer, input, batch);
      StoreF16(buffer, Scaled<kByK>(LoadF16(buffer), q));
      memcpy(output, buffer, batch);
    }
  };
  if (fabsf(scale_exponent) <= 0x1p14f) {  // false for NaN
    compute(std::true_type());
  } else {
    compute(std::false_type());
  }
}
