// Auto-generated file. Do not edit!
//   Template: src/f16-raddextexp/sse2.cc.in
//   Generator: tools/generate_kernels.py (run scripts/generate-kernels.sh to regenerate)
//   Kernel: twopass_f16_raddextexp_ukernel__sse2_p5_u32_acc4

// Pass 1 of the Two-Pass softmax on IEEE half-precision input, SSE2 (no FMA, no
// roundps), 4 lanes; all arithmetic in f32.
//
// sum[0] * 2^sum[1] = sum_i exp(input[i]), computed in the extended-exponent
// representation exp(x) = p * 2^n so that no finite input can overflow.
//
// Contract (tested on every ISA by test/f16-raddextexp.cc):
// - Finite inputs only (any magnitude, ±FLT_MAX and denormals included): sum[0] is
//   finite and > 0, sum[1] is finite and integer-valued. For |x| <= 1e4 and rows of
//   up to 4096 elements sum[0] * 2^sum[1] is within 1e-6 relative of the exact sum.
// - x = -inf, and finite x whose term vanishes next to the others (-1e9, -FLT_MAX
//   next to 0), contribute exactly 0, never NaN. A row of only -inf gives
//   sum[0] == 0 exactly (sum[1] is then unspecified but not NaN).
// - Any NaN and no +inf: sum[0] is NaN.
// - Any +inf: sum[1] == +inf (sum[0] unspecified; the operator handles such rows).
// - Reads exactly [input, input + batch); no alignment requirement.
//
// Half-precision input (this file is generated from the f32 template with FAMILY
// f16-raddextexp): batch counts bytes, 2 per element. SSE2 has no half conversion:
// four elements at a time are widened to f32 exactly in integer arithmetic
// (twopass/half-sse2.h), then the f32 math below
// runs unchanged; sums are never kept in half precision. |x| <= 65504 < B for
// finite halves, so step 1 only acts on ±inf. The 1-3 element tail is padded with
// f16 -inf (0xFC00), which adds exactly 0.
//
// Math per element x: docs/exp-math.md (steps 1-4, the same on every ISA up to the
// differences listed there), with the helpers of twopass/extexp-sse2.h and the
// constants of twopass/exp-constants.h. In short: x_c = min(B, max(-B, x)), B = 2^23
// (keeps NaN); dx = x - x_c; n = round(x_c * log2e) to nearest even with cvtps2dq and
// back (no roundps; exact for |v| < 2^31); t = x_c - n*ln2 with the three-constant
// Cody-Waite split (no FMA; products exact for |n| < 2^15); p = p(t), the degree-5
// polynomial, in about [0.707, 1.414] (finite unless x is NaN); n_eff = n + dx (±inf
// for ±inf, NaN for NaN).
//
// Accumulation, per accumulator and lane, state (a = 0, E = -inf):
//   M = _mm_max_ps(n_eff, E): returns E when n_eff is NaN (E is never NaN);
//   a = a * 2^(E - M) + p * 2^(n_eff - M); E = M.
// Scale exponents d are <= 0 or NaN (-inf - -inf, +inf - +inf, NaN - M). They are
// clamped with _mm_max_ps(d, -127), which also maps NaN to -127, and 2^d is built
// exactly (Exp2Clamped): d + kExp2Magic (= 1.5*2^23 + 127) holds 127 + d in its low
// mantissa bits; shifting the bits left by 23 moves them into the exponent field, giving 2^d
// for d in [-126, 0] and +0 for d = -127. So a -inf (or vanishing) term adds
// p * 0 = 0, a NaN term adds NaN * 0 = NaN, and +inf makes E = +inf.
// 32 elements (8 vectors) per iteration; vector j goes to accumulator
// j % 4. Each accumulator first takes the maximum over its vectors of the
// iteration (delayed maximum) and is rescaled once. Remaining whole vectors go to
// accumulator 0; the last 1-3 elements are copied into a vector padded with -inf,
// which contributes exactly 0. Accumulators, then lanes, are merged by the same rule;
// sum[0] = a, sum[1] = E.
//
// Accumulation error, worst case (attained by rows of equal values, whose terms all
// round the same way; tested by EqualValues): each float accumulator lane takes
// 2 terms per block and is flushed into a double accumulator every
// 4 blocks, and before the remainder (at most 8 more terms), so it
// never holds more than T = 8 terms. Terms are >= 0, so the float sum of T terms is
// within (T - 1) * 2^-24 = 4.2e-7 relative, at any row length (without the flush,
// 4096 equal terms over 16 lanes gave 1.8e-6). The double sums add at most N *
// 2^-53 (1e-9 at N = 2^23), scaling by 2^(E - M) is exact, and the result is rounded
// to float once (3e-8). With exp's own error (<= 3 ULP of p >= 0.7: 2.5e-7) the sum is
// within 7e-7 of exact; in softmax the exp error of equal terms cancels.
// Cost: one Flush per accumulator every 4 blocks (see the table).
//
// Accuracy of exp (p * 2^n vs exact, |x| <= 1e4), measured by test/exp-ulp-sweep.cc
// on 2026-11-24: sse2 max 2.16 ULP (bound asserted: 4).

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <emmintrin.h>

#include "twopass/half-sse2.h"

#include "twopass/exp-constants.h"
#include "twopass/extexp-sse2.h"
#include "twopass/microkernels.h"

namespace {

// Adds the float accumulator (*vacc, at exponents vexp) into the double accumulator
// (*vdlo: lanes 0-1, *vdhi: lanes 2-3, at exponents *vdexp) and clears it. Exponents
// never decrease, so *vdexp <= vexp: the double part is first scaled down to vexp
// (exactly; below 2^-127 it drops, as the float merges do), which is rarely needed.
inline void Flush(__m128* vacc, __m128 vexp, __m128d* vdlo, __m128d* vdhi, __m128* vdexp) {
  if (_mm_movemask_ps(_mm_cmpneq_ps(*vdexp, vexp)) != 0) {
    const __m128 vs = Exp2Clamped(_mm_sub_ps(*vdexp, vexp));
    *vdlo = _mm_mul_pd(*vdlo, _mm_cvtps_pd(vs));
    *vdhi = _mm_mul_pd(*vdhi, _mm_cvtps_pd(_mm_movehl_ps(vs, vs)));
    *vdexp = vexp;
  }
  *vdlo = _mm_add_pd(*vdlo, _mm_cvtps_pd(*vacc));
  *vdhi = _mm_add_pd(*vdhi, _mm_cvtps_pd(_mm_movehl_ps(*vacc, *vacc)));
  *vacc = _mm_setzero_ps();
}

}  // namespace

extern "C" void twopass_f16_raddextexp_ukernel__sse2_p5_u32_acc4(size_t batch, const void* input_data, float sum[2]) {
  const uint16_t* input = static_cast<const uint16_t*>(input_data);
  assert(batch != 0);
  assert(batch % sizeof(uint16_t) == 0);
  assert(input != nullptr);
  assert(sum != nullptr);

  __m128 vacc0 = _mm_setzero_ps();
  __m128 vexp0 = _mm_set1_ps(-INFINITY);
  __m128d vdlo0 = _mm_setzero_pd(), vdhi0 = _mm_setzero_pd();
  __m128 vdexp0 = vexp0;
  __m128 vacc1 = _mm_setzero_ps();
  __m128 vexp1 = _mm_set1_ps(-INFINITY);
  __m128d vdlo1 = _mm_setzero_pd(), vdhi1 = _mm_setzero_pd();
  __m128 vdexp1 = vexp1;
  __m128 vacc2 = _mm_setzero_ps();
  __m128 vexp2 = _mm_set1_ps(-INFINITY);
  __m128d vdlo2 = _mm_setzero_pd(), vdhi2 = _mm_setzero_pd();
  __m128 vdexp2 = vexp2;
  __m128 vacc3 = _mm_setzero_ps();
  __m128 vexp3 = _mm_set1_ps(-INFINITY);
  __m128d vdlo3 = _mm_setzero_pd(), vdhi3 = _mm_setzero_pd();
  __m128 vdexp3 = vexp3;
  // Blocks since the float accumulators were last flushed into the double ones: each
  // lane takes 2 terms per block, at most 8 between flushes.
  size_t pending = 0;
  for (; batch >= 32 * sizeof(uint16_t); batch -= 32 * sizeof(uint16_t)) {
    if (pending == 4) {
      Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
      Flush(&vacc1, vexp1, &vdlo1, &vdhi1, &vdexp1);
      Flush(&vacc2, vexp2, &vdlo2, &vdhi2, &vdexp2);
      Flush(&vacc3, vexp3, &vdlo3, &vdhi3, &vdexp3);
      pending = 0;
    }
    pending++;
    __m128 vp0, vn0;
    ExtExp(twopass::LoadHalvesSse2(input + 0), &vp0, &vn0);
    __m128 vp1, vn1;
    ExtExp(twopass::LoadHalvesSse2(input + 4), &vp1, &vn1);
    __m128 vp2, vn2;
    ExtExp(twopass::LoadHalvesSse2(input + 8), &vp2, &vn2);
    __m128 vp3, vn3;
    ExtExp(twopass::LoadHalvesSse2(input + 12), &vp3, &vn3);
    __m128 vp4, vn4;
    ExtExp(twopass::LoadHalvesSse2(input + 16), &vp4, &vn4);
    __m128 vp5, vn5;
    ExtExp(twopass::LoadHalvesSse2(input + 20), &vp5, &vn5);
    __m128 vp6, vn6;
    ExtExp(twopass::LoadHalvesSse2(input + 24), &vp6, &vn6);
    __m128 vp7, vn7;
    ExtExp(twopass::LoadHalvesSse2(input + 28), &vp7, &vn7);
    input += 32;

    // Delayed maximum: one new exponent per accumulator for this iteration.
    __m128 vmax0 = vexp0;
    vmax0 = _mm_max_ps(vn0, vmax0);
    vmax0 = _mm_max_ps(vn4, vmax0);
    __m128 vmax1 = vexp1;
    vmax1 = _mm_max_ps(vn1, vmax1);
    vmax1 = _mm_max_ps(vn5, vmax1);
    __m128 vmax2 = vexp2;
    vmax2 = _mm_max_ps(vn2, vmax2);
    vmax2 = _mm_max_ps(vn6, vmax2);
    __m128 vmax3 = vexp3;
    vmax3 = _mm_max_ps(vn3, vmax3);
    vmax3 = _mm_max_ps(vn7, vmax3);

    vacc0 = ExtExpRescale(vacc0, vexp0, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp0, vn0, vmax0);
    vacc0 = ExtExpAddTerm(vacc0, vp4, vn4, vmax0);
    vexp0 = vmax0;
    vacc1 = ExtExpRescale(vacc1, vexp1, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp1, vn1, vmax1);
    vacc1 = ExtExpAddTerm(vacc1, vp5, vn5, vmax1);
    vexp1 = vmax1;
    vacc2 = ExtExpRescale(vacc2, vexp2, vmax2);
    vacc2 = ExtExpAddTerm(vacc2, vp2, vn2, vmax2);
    vacc2 = ExtExpAddTerm(vacc2, vp6, vn6, vmax2);
    vexp2 = vmax2;
    vacc3 = ExtExpRescale(vacc3, vexp3, vmax3);
    vacc3 = ExtExpAddTerm(vacc3, vp3, vn3, vmax3);
    vacc3 = ExtExpAddTerm(vacc3, vp7, vn7, vmax3);
    vexp3 = vmax3;
  }
  // At most 7 whole vectors and the tail into accumulator 0: <= 8 terms.
  Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
  for (; batch >= 4 * sizeof(uint16_t); batch -= 4 * sizeof(uint16_t)) {
    __m128 vp, vn;
    ExtExp(twopass::LoadHalvesSse2(input), &vp, &vn);
    input += 4;
    ExtExpMerge(&vacc0, &vexp0, vp, vn);
  }
  if (batch != 0) {
    // 1-3 elements; the padding lanes hold -inf and add exactly 0.
    uint16_t buffer[4] = {0xFC00, 0xFC00, 0xFC00, 0xFC00};  // f16 -inf
    memcpy(buffer, input, batch);
    __m128 vp, vn;
    ExtExp(twopass::LoadHalvesSse2(buffer), &vp, &vn);
    ExtExpMerge(&vacc0, &vexp0, vp, vn);
  }

  // Flush, then merge accumulators and lanes in double: M = max of the exponents,
  // sum = sum_l d_l * 2^(E_l - M), rounded to float once.
  Flush(&vacc0, vexp0, &vdlo0, &vdhi0, &vdexp0);
  Flush(&vacc1, vexp1, &vdlo1, &vdhi1, &vdexp1);
  Flush(&vacc2, vexp2, &vdlo2, &vdhi2, &vdexp2);
  Flush(&vacc3, vexp3, &vdlo3, &vdhi3, &vdexp3);
  __m128 vmax = vexp0;
  vmax = _mm_max_ps(vexp1, vmax);
  vmax = _mm_max_ps(vexp2, vmax);
  vmax = _mm_max_ps(vexp3, vmax);
  vmax = _mm_max_ps(vmax, _mm_shuffle_ps(vmax, vmax, _MM_SHUFFLE(1, 0, 3, 2)));
  vmax = _mm_max_ps(vmax, _mm_shuffle_ps(vmax, vmax, _MM_SHUFFLE(2, 3, 0, 1)));
  __m128d vsum = _mm_setzero_pd();
  {
    const __m128 vs = Exp2Clamped(_mm_sub_ps(vexp0, vmax));
    vsum = _mm_add_pd(vsum, _mm_mul_pd(vdlo0, _mm_cvtps_pd(vs)));
    vsum = _mm_add_pd(vsum, _mm_mul_pd(vdhi0, _mm_cvtps_pd(_mm_movehl_ps(vs, vs))));
  }
  {
    const __m128 vs = Exp2Clamped(_mm_sub_ps(vexp1, vmax));
    vsum = _mm_add_pd(vsum, _mm_mul_pd(vdlo1, _mm_cvtps_pd(vs)));
    vsum = _mm_add_pd(vsum, _mm_mul_pd(vdhi1, _mm_cvtps_pd(_mm_movehl_ps(vs, vs))));
  }
  {
    const __m128 vs = Exp2Clamped(_mm_sub_ps(vexp2, vmax));
    vsum = _mm_add_pd(vsum, _mm_mul_pd(vdlo2, _mm_cvtps_pd(vs)));
    vsum = _mm_add_pd(vsum, _mm_mul_pd(vdhi2, _mm_cvtps_pd(_mm_movehl_ps(vs, vs))));
  }
  {
    const __m128 vs = Exp2Clamped(_mm_sub_ps(vexp3, vmax));
    vsum = _mm_add_pd(vsum, _mm_mul_pd(vdlo3, _mm_cvtps_pd(vs)));
    vsum = _mm_add_pd(vsum, _mm_mul_pd(vdhi3, _mm_cvtps_pd(_mm_movehl_ps(vs, vs))));
  }
  vsum = _mm_add_sd(vsum, _mm_unpackhi_pd(vsum, vsum));
  sum[0] = static_cast<float>(_mm_cvtsd_f64(vsum));
  sum[1] = _mm_cvtss_f32(vmax);
}
